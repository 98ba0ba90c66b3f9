#!/usr/bin/env bash
# The whole back office at closing time. The same sales (pos-sim, one seed: 50 stores × 8 terminals, with returns,
# customers and sales on account) are preloaded twice: once for intake alone, whose drain is the baseline, and once
# for the five services started together as `make run` runs them (one replica each, same defaults). From intake's
# first delivery, each service's finish is when it has done every sale (recorded, invoiced, stock moved: their own
# counters; cashier credited: hr's table) or, for collections, booked every document on account (its table); the
# pipeline's rate is the sales over the last finish.
# CPU per sale is every process's (the five services, the broker, PostgreSQL) over the pipeline's run. Memory: each
# service's resident set idle (ready, no backlog, 2 s after start) and at its peak (VmHWM) over the run; with
# BENCH_PIPELINE_BACKLOGS="100000 200000" the run is made for each backlog and the peaks compared (bounded by prefetch
# and batch sizes, they must not grow with the backlog).
# The run checks that every sale was invoiced once and that the issuer's chain verifies. BENCH_SERVICE_ENV adds
# variables to every service's environment (glibc's allocator, say: "MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=131072").
set -euo pipefail
source "$(dirname "$0")/common.sh"
root="$(cd "$(dirname "$0")/../.." && pwd)"
release="$root/.build/release"
source "$(dirname "$0")/../auth.sh"
dev_auth "$release/trastienda" pipeline
count="${BENCH_PIPELINE_COUNT:-200000}"
seed="${BENCH_PIPELINE_SEED:-2026}"
services=(sales-intake billing orders hr collections)
base_port=18100

sql() { psql -qtA -h localhost -U postgres -d "$1" -c "$2"; }
start() {  # name port vhost database: starts a service and waits until it is ready; prints its pid
    TRASTIENDA_AMQP_URL="amqp://trastienda:trastienda@localhost:5672/$3" TRASTIENDA_DATABASE_URL="postgres://trastienda:trastienda@localhost:5432/$4" \
        TRASTIENDA_HTTP_PORT=$2 TRASTIENDA_LOG_LEVEL=error env ${BENCH_SERVICE_ENV:-} "$release/$1" >"/tmp/bench-pipeline-$1.log" 2>&1 &
    local pid=$!
    until curl -sf "http://localhost:$2/health/ready" >/dev/null; do sleep 0.1; done
    echo $pid
}
stop() { stop_services "$@"; }
declare -A port=()
for i in "${!services[@]}"; do port[${services[$i]}]=$((base_port + i)); done
now_ms() { date +%s%3N; }
rss_mb() { awk -v field="$2:" '$1 == field { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }  # pid VmRSS|VmHWM
declare -A rss_idle=()

# One vhost and database per run, each declared and migrated by its services, with an issuer for the 50 stores.
prepare() {  # vhost database services...
    local vhost=$1 database=$2; shift 2
    fresh_vhost "$vhost"; fresh_database "$database"
    local pids=() name i
    for name in "$@"; do pids+=("$(start "$name" "${port[$name]}" "$vhost" "$database")"); done
    sleep 2
    for i in "${!pids[@]}"; do rss_idle[${@:$((i + 1)):1}]=$(rss_mb "${pids[$i]}" VmRSS); done
    if [[ " $* " == *" billing "* ]]; then
        local stores; stores=$(printf '"S%03d",' $(seq 1 50)); stores="[${stores%,}]"
        curl -sf -H "$bearer" -X PUT "http://localhost:${port[billing]}/issuers/89890001K" -H 'content-type: application/json' \
            -d "{\"legalName\":\"Bench SL\",\"address\":\"Burgos\",\"stores\":$stores}" >/dev/null
    fi
    stop "${pids[@]}"
    "$release/pos-sim" --url "amqp://trastienda:trastienda@localhost:5672/$vhost" --sales "$count" --stores 50 --terminals 8 \
        --seed "$seed" --quiet >/dev/null
    psql -q -h localhost -U postgres -c CHECKPOINT
}
first_delivery() { stat_of "${port[sales-intake]}" firstDeliveryAtMilliseconds; }

# Intake alone.
prepare bench-pipeline-intake trastienda_bench_pipeline_intake sales-intake
intake=$(start sales-intake "${port[sales-intake]}" bench-pipeline-intake trastienda_bench_pipeline_intake)
wait_for_stat "${port[sales-intake]}" recorded "$count"
last=$(stat_of "${port[sales-intake]}" lastCommitAtMilliseconds)
intake_rate=$(python3 -c "print(round($count * 1000 / ($last - $(first_delivery))))")
# The documents on account collections will book: one for each sale paid on account, counted here, where it costs the
# pipeline's run nothing (the same seed makes the same sales), and checked against the invoices after the run.
declare -A on_account=([$count]=$(sql trastienda_bench_pipeline_intake "SELECT count(*) FROM sales.sales WHERE payload LIKE '%\"deferred\"%'"))
stop "$intake"

# The five together, on a backlog of $1 sales; prints the pipeline's figures and records each service's peak RSS.
declare -A rss_peak=()
run_pipeline() {
    local count=$1 database=trastienda_bench_pipeline name i
    prepare bench-pipeline "$database" "${services[@]}"
    # Each service's progress from its own counter (`GET /stats`), which costs the measured processes nothing: a
    # count of a table every 0.2 s had cost PostgreSQL a tenth of its work. Every sale is recorded (intake), invoiced
    # or credited (billing), its stock moved (orders), its cashier credited (hr) and its document read and, if on
    # account, booked (collections; the bookings are checked after the run).
    local -A field=([sales-intake]=recorded [billing]=issued [orders]=handled [hr]=handled [collections]=handled)
    local wanted_collections=${on_account[$count]:-}
    local all0 beam0 pg0; all0=$(ticks_all); beam0=$(ticks_beam); pg0=$(ticks_of $(pgrep -x postgres))
    local pids=()
    for name in "${services[@]}"; do pids+=("$(start "$name" "${port[$name]}" bench-pipeline "$database")"); done
    # BENCH_PROFILE=<service> records where that service spends its time, BENCH_PROFILE=all the whole machine's
    # (services, broker, PostgreSQL): perf report -i /tmp/bench-pipeline.perf --sort comm,dso,symbol.
    local profiler=""
    for i in "${!services[@]}"; do
        [ "${services[$i]}" = "${BENCH_PROFILE:-}" ] && { perf record -F 499 -g -p "${pids[$i]}" -o /tmp/bench-pipeline.perf >/dev/null 2>&1 & }
    done
    [ "${BENCH_PROFILE:-}" = all ] && { perf record -F 299 -a -g -o /tmp/bench-pipeline.perf >/dev/null 2>&1 & profiler=$!; }
    declare -A finished=()
    while [ "${#finished[@]}" -lt "${#services[@]}" ]; do
        for name in "${services[@]}"; do
            [ -n "${finished[$name]:-}" ] && continue
            read_stat "${port[$name]}" "${field[$name]}"
            [ "$polled" -ge "$count" ] && finished[$name]=$(now_ms)
        done
        nap
    done
    [ -z "$profiler" ] || { kill -INT "$profiler"; wait "$profiler" 2>/dev/null || true; }
    declare -A own_of=()
    for i in "${!services[@]}"; do
        own_of[${services[$i]}]=$(ticks_of "${pids[$i]}")
        rss_peak[${services[$i]}/$count]=$(rss_mb "${pids[$i]}" VmHWM)
    done
    local own all1 beam1 pg1 first
    own=$(ticks_of "${pids[@]}"); all1=$(ticks_all); beam1=$(ticks_beam); pg1=$(ticks_of $(pgrep -x postgres))
    first=$(first_delivery)
    # Every sale invoiced once, every document on account booked once on its customer's account, and the chain whole,
    # from the API an auditor would ask. (A backlog of another size than intake's alone has its sales on account
    # counted here.)
    [ -n "$wanted_collections" ] ||
        wanted_collections=$(sql "$database" "SELECT count(*) FROM sales.sales WHERE payload LIKE '%\"deferred\"%'")
    local invoiced chain
    invoiced=$(sql "$database" "SELECT count(*) = count(DISTINCT sale_id) AND count(DISTINCT sale_id) = $count
        AND count(*) FILTER (WHERE document LIKE '%\"method\":\"deferred\"%') = $wanted_collections
        AND (SELECT count(*) FROM collections.account_entries) = $wanted_collections FROM billing.invoices")
    chain=$(curl -sf -H "$bearer" "http://localhost:${port[billing]}/issuers/89890001K/chain")
    stop "${pids[@]}"
    local receivables last=0 seconds pipeline_rate
    receivables=$(sql "$database" "SELECT count(*) FROM collections.receivables")
    for name in "${services[@]}"; do
        seconds=$(python3 -c "print('%.1f' % ((${finished[$name]} - $first) / 1000))")
        echo "pipeline $name finished s: $seconds (CPU µs per sale: $(per_sale_us "${own_of[$name]}"))"
        [ "${finished[$name]}" -gt "$last" ] && last=${finished[$name]}
    done
    pipeline_rate=$(python3 -c "print(round($count * 1000 / ($last - $first)))")
    echo "pipeline: $count sales, $receivables receivables opened; CPU µs per sale: services $(per_sale_us "$own"), broker $(per_sale_us $((beam1 - beam0))), PostgreSQL $(per_sale_us $((pg1 - pg0))), machine $(per_sale_us $((all1 - all0)))"
    echo "pipeline every sale invoiced once (and $wanted_collections on account, each booked): $invoiced; chain: $chain"
    [ "$invoiced" = t ] && [[ "$chain" == *'"valid":true'* ]] || { echo "pipeline check FAILED: a sale not invoiced once, or the chain broken" >&2; exit 1; }
    echo "pipeline cpu µs per sale: $(per_sale_us $((own + beam1 - beam0 + pg1 - pg0)))"
    echo "pipeline sales/s: $pipeline_rate"
    echo "intake sales/s (same sales, alone): $intake_rate"
    python3 -c "print('ratio pipeline/intake: %.2f' % ($pipeline_rate / $intake_rate))"
}

backlogs=(${BENCH_PIPELINE_BACKLOGS:-$count})
for backlog in "${backlogs[@]}"; do run_pipeline "$backlog"; done
for name in "${services[@]}"; do
    echo "rss idle MB $name: ${rss_idle[$name]}"
    for backlog in "${backlogs[@]}"; do echo "rss peak MB $name: ${rss_peak[$name/$backlog]} (backlog $backlog)"; done
    if [ "${#backlogs[@]}" -gt 1 ]; then
        python3 -c "
a, b = ${rss_peak[$name/${backlogs[0]}]}, ${rss_peak[$name/${backlogs[-1]}]}
print('rss peak growth $name: %+.1f %%' % ((b - a) * 100 / a))"
    fi
done
if [ -z "${BENCH_KEEP:-}" ]; then
    remove_vhost bench-pipeline-intake; remove_database trastienda_bench_pipeline_intake
    remove_vhost bench-pipeline; remove_database trastienda_bench_pipeline
fi
