#!/usr/bin/env bash
# Billing and orders against intake on the same preloaded sales, in one run: pos-sim preloads sales, intake drains
# them (its rate is measured), announcing them into billing's and orders' queues; then billing drains its queue, and
# orders its own (each rate measured from the first delivery to the last commit).
set -euo pipefail
source "$(dirname "$0")/common.sh"
root="$(cd "$(dirname "$0")/../.." && pwd)"
release="$root/.build/release"
source "$(dirname "$0")/../auth.sh"
dev_auth "$release/trastienda" downstream
count="${BENCH_BILLING_COUNT:-50000}"
vhost=bench-downstream
database=trastienda_bench_downstream
amqp_url="amqp://trastienda:trastienda@localhost:5672/$vhost"
database_url="postgres://trastienda:trastienda@localhost:5432/$database"
intake_port=18091
billing_port=18092
orders_port=18093

fresh_vhost "$vhost"
fresh_database "$database"

start() {  # name port: starts a service and waits until it is ready; prints its pid
    TRASTIENDA_AMQP_URL="$amqp_url" TRASTIENDA_DATABASE_URL="$database_url" TRASTIENDA_HTTP_PORT=$2 \
        TRASTIENDA_LOG_LEVEL=error "$release/$1" >"/tmp/bench-$1.log" 2>&1 &
    local pid=$!
    until curl -sf "http://localhost:$2/health/ready" >/dev/null; do sleep 0.1; done
    echo $pid
}
stop() { stop_services "$@"; }
invoices() { psql -qtA -h localhost -U postgres -d "$database" -c "SELECT coalesce(sum(next_number - 1), 0) FROM billing.series"; }

# Both services declare their queues and migrate; billing gets one issuer for pos-sim's 50 stores.
intake=$(start sales-intake $intake_port); billing=$(start billing $billing_port); orders=$(start orders $orders_port)
stores=$(printf '"S%03d",' $(seq 1 50)); stores="[${stores%,}]"
curl -sf -H "$bearer" -X PUT "http://localhost:$billing_port/issuers/89890001K" -H 'content-type: application/json' \
    -d "{\"legalName\":\"Bench SL\",\"address\":\"Burgos\",\"stores\":$stores}" >/dev/null
stop "$orders"; stop "$billing"; stop "$intake"

"$release/pos-sim" --url "$amqp_url" --sales "$count" --stores 50 --terminals 8 --quiet >/dev/null
psql -q -h localhost -U postgres -c CHECKPOINT
intake=$(start sales-intake $intake_port)
wait_for_stat $intake_port recorded "$count"
first=$(stat_of $intake_port firstDeliveryAtMilliseconds); last=$(stat_of $intake_port lastCommitAtMilliseconds)
stop "$intake"
intake_rate=$(python3 -c "print(round($count * 1000 / ($last - $first)))")

psql -q -h localhost -U postgres -c CHECKPOINT
all0=$(ticks_all); beam0=$(ticks_beam); wal0=$(wal_so_far)
billing=$(start billing $billing_port)
# BENCH_PROFILE=1 records where billing spends its time, BENCH_PROFILE=all the whole machine's while billing drains
# (perf report -i /tmp/bench-billing.perf --sort comm,symbol).
profiler=""
case "${BENCH_PROFILE:-}" in
    "") ;;
    all) perf record -F 499 -a -g -o /tmp/bench-billing.perf >/dev/null 2>&1 & profiler=$! ;;
    *) perf record -F 499 -g -p "$billing" -o /tmp/bench-billing.perf >/dev/null 2>&1 & ;;
esac
wait_for_stat $billing_port issued "$count"
[ -z "$profiler" ] || { kill -INT "$profiler"; wait "$profiler" 2>/dev/null || true; }
all1=$(ticks_all); beam1=$(ticks_beam); own=$(ticks_of "$billing"); wal1=$(wal_so_far)
first=$(stat_of $billing_port firstDeliveryAtMilliseconds); last=$(stat_of $billing_port lastCommitAtMilliseconds)
retried=$(stat_of $billing_port retried)
batches=$(stat_of $billing_port batches); handed_on=$(stat_of $billing_port numberedFromBatchBefore)
issued_again=$(stat_of $billing_port issuedAgain)
stop "$billing"
[ "$(invoices)" -eq "$count" ] || { echo "billing issued $(invoices) invoices for $count sales" >&2; exit 1; }
billing_rate=$(python3 -c "print(round($count * 1000 / ($last - $first)))")
echo "billing CPU µs per invoice: itself $(per_sale_us "$own"), broker $(per_sale_us $((beam1 - beam0))), PostgreSQL and rest $(per_sale_us $((all1 - all0 - own - beam1 + beam0)))"
echo "billing WAL per invoice: $(wal_per_item "$wal0" "$wal1")"
echo "billing invoices/s: $billing_rate (first delivery to last commit, as for intake; $retried deliveries waited in the retry queue)"
echo "billing batches: $batches, of which $handed_on numbered from the batch before it while in flight, $issued_again issued again"

# PostgreSQL's floor for an invoice: the same rows copied again, by psql and with no billing code, into a bare copy
# of the table (its columns, indexes and storage); the whole machine's CPU, as "PostgreSQL and rest" above.
rows_file=$(mktemp /tmp/bench-invoices.XXXXXX)
psql -q -h localhost -U postgres -d "$database" -c "\copy billing.invoices TO '$rows_file' WITH (FORMAT binary)"
psql -q -h localhost -U postgres -d "$database" -c CHECKPOINT \
    -c "CREATE TABLE billing.invoices_floor (LIKE billing.invoices INCLUDING ALL) WITH (toast_tuple_target = 8160)"
all0=$(ticks_all)
TIMEFORMAT='%U %S'  # psql's own CPU, which reads the file and sends it, is taken out
client=$( { time psql -q -h localhost -U postgres -d "$database" -c "\copy billing.invoices_floor FROM '$rows_file' WITH (FORMAT binary)" >/dev/null; } 2>&1 )
all1=$(ticks_all)
rm -f "$rows_file"
floor=$(python3 -c "u, s = '$client'.split(); print(round(($((all1 - all0)) / 100 - float(u) - float(s)) * 1e6 / $count, 1))")
echo "billing PostgreSQL floor µs per invoice: $floor (the rows copied again into a bare copy of the table)"
python3 -c "print('ratio billing/intake at most, were billing free: %.2f' % ($(nproc) * 1e6 / $floor / $intake_rate))"

psql -q -h localhost -U postgres -c CHECKPOINT
all0=$(ticks_all); beam0=$(ticks_beam)
orders=$(start orders $orders_port)
wait_for_stat $orders_port handled "$count"
all1=$(ticks_all); beam1=$(ticks_beam); own=$(ticks_of "$orders")
first=$(stat_of $orders_port firstDeliveryAtMilliseconds); last=$(stat_of $orders_port lastCommitAtMilliseconds)
stop "$orders"
orders_rate=$(python3 -c "print(round($count * 1000 / ($last - $first)))")
echo "orders CPU µs per sale: itself $(per_sale_us "$own"), broker $(per_sale_us $((beam1 - beam0))), PostgreSQL and rest $(per_sale_us $((all1 - all0 - own - beam1 + beam0)))"
echo "orders sales/s: $orders_rate (first delivery to last commit)"
echo "intake sales/s (same sales): $intake_rate"
python3 -c "print('ratio billing/intake: %.2f' % ($billing_rate / $intake_rate))"
python3 -c "print('ratio orders/intake: %.2f' % ($orders_rate / $intake_rate))"
[ -n "${BENCH_KEEP:-}" ] || remove_vhost "$vhost"
[ -n "${BENCH_KEEP:-}" ] || remove_database "$database"
