# Trastienda: the two commands are `make run` and `make test`; see README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := run
.PHONY: run test bench build infra install down status

install:
	@scripts/infra.sh install

infra:
	@scripts/infra.sh up

build: install
	swift build

## Installs what is missing, starts RabbitMQ and PostgreSQL, builds, and runs the five services until Ctrl-C.
run: infra build
	@scripts/run-services.sh

## The same infrastructure, then the whole test suite.
test: infra
	swift build --build-tests
	swift test --skip-build

## Swift AMQP client against a plain C rabbitmq-c program on the same queue shape, in one run.
bench: infra
	swift build -c release --product amqp-bench
	cc -O2 -o scripts/bench/amqp-bench-c scripts/bench/amqp_bench.c $$(pkg-config --cflags --libs librabbitmq)
	@scripts/bench/run.sh

## Stops the local RabbitMQ and PostgreSQL.
down:
	@scripts/infra.sh down

status:
	@scripts/infra.sh status
