# Trastienda: the two commands are `make run` and `make test`; see README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := run
.PHONY: run test bench fuzz faults cluster cluster-failover build infra install down status

install:
	@scripts/infra.sh install

infra:
	@scripts/infra.sh up

build: install
	swift build

## Installs what is missing, starts RabbitMQ and PostgreSQL, builds, provisions each service's broker user and
## database role, and runs the five services, each with its own credentials, until Ctrl-C.
run: infra build
	@"$$(swift build --show-bin-path)/trastienda" provision
	@scripts/run-services.sh

## The same infrastructure and provisioning, then the whole test suite (the local three-node cluster for its own check).
## The main suite runs at most MAIN_SUITE_WIDTH tests at a time: all at once, their services declare hundreds of
## quorum queues together and a broker on two loaded cores answers them late or refuses them (541).
MAIN_SUITE_WIDTH ?= 8
test: infra
	scripts/infra.sh sweep
	scripts/check-compose.py
	swift build --build-tests
	"$$(swift build --show-bin-path)/trastienda" provision
	SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH=$(MAIN_SUITE_WIDTH) swift test --skip-build --skip ClusterIntegrationTests --skip OddSalesPipelineTests --skip ShutdownUnderLoadTests --skip SubmissionTests --skip APIFuzzTests --skip ConsoleBrowserTests --skip DemoTests --skip TillSessionTests
	@# The checks that run services as processes under load (the pipeline, shutdown, submission to the agency, a till's
	@# session, the demo), schemathesis against each API, the console in a browser, and the cluster check (three broker nodes and a
	@# steady load), each alone: on two cores they would slow every other test, and each other, past their timeouts.
	swift test --skip-build --filter OddSalesPipelineTests
	swift test --skip-build --filter ShutdownUnderLoadTests
	swift test --skip-build --filter SubmissionTests
	swift test --skip-build --filter TillSessionTests
	swift test --skip-build --filter DemoTests
	swift test --skip-build --filter APIFuzzTests
	swift test --skip-build --filter ConsoleBrowserTests
	@echo "the console's screenshots: $$(pwd)/.build/console-screenshots"
	scripts/cluster.sh up
	swift test --skip-build --filter ClusterIntegrationTests

## libFuzzer on the sale reader and intake's validator for FUZZ_SECONDS (default 300), from the committed corpus in
## Tests/Fuzz/corpus (what it finds new goes to .build/fuzz/corpus). A crash is written to .build/fuzz/crash-*: add
## it to Tests/Fuzz/corpus, where `make test` replays every input.
fuzz: install
	swift build -c release --product sale-fuzz --build-path .build/fuzz -Xswiftc -sanitize=fuzzer -Xswiftc -DFUZZING
	mkdir -p .build/fuzz/corpus
	.build/fuzz/release/sale-fuzz -max_total_time=$${FUZZ_SECONDS:-300} -max_len=65536 -print_final_stats=1 \
		-artifact_prefix=.build/fuzz/ .build/fuzz/corpus Tests/Fuzz/corpus

## Fault injection under load: each service SIGKILLed, RabbitMQ and PostgreSQL restarted; nothing may be lost or doubled.
faults: infra build
	@scripts/faults.sh

## A local three-node RabbitMQ cluster (ports 5681–5683) beside the single broker; `scripts/cluster.sh down` stops it.
cluster: install
	@scripts/cluster.sh up

## On that cluster, under load: SIGKILL the intake queue's leader; every sale recorded and invoiced once, reconnect < 10 s.
cluster-failover: cluster build
	@scripts/cluster-failover.sh

## Measured against baselines in the same run: the AMQP client and sales intake against plain C, billing and orders
## against intake, and the five services together at closing time against intake alone.
bench: infra
	swift build -c release --product amqp-bench
	swift build -c release --product sales-intake
	swift build -c release --product pos-sim
	swift build -c release --product billing
	swift build -c release --product orders
	swift build -c release --product hr
	swift build -c release --product collections
	swift build -c release --product trastienda
	cc -O2 -o scripts/bench/amqp-bench-c scripts/bench/amqp_bench.c $$(pkg-config --cflags --libs librabbitmq)
	cc -O2 -o scripts/bench/intake-baseline-c scripts/bench/intake_baseline.c $$(pkg-config --cflags --libs librabbitmq libpq)
	@scripts/bench/run.sh
	@scripts/bench/intake.sh
	@scripts/bench/downstream.sh
	@scripts/bench/partitioned.sh
	@scripts/bench/pipeline.sh

## Stops the local RabbitMQ and PostgreSQL.
down:
	@scripts/cluster.sh down
	@scripts/infra.sh down

status:
	@scripts/infra.sh status
