#!/usr/bin/env bash
# Partitioned intake against the single shared queue, same load, same run: pos-sim preloads sales, one intake process
# drains them from the single queue; pos-sim preloads as many again, one intake process drains them from three
# partitions (a consistent-hash exchange, single active consumers, one batch at a time per partition).
set -euo pipefail
source "$(dirname "$0")/common.sh"
root="$(cd "$(dirname "$0")/../.." && pwd)"
release="$root/.build/release"
source "$(dirname "$0")/../auth.sh"
dev_auth "$release/trastienda" partitioned
count="${BENCH_PARTITIONED_COUNT:-100000}"
database_url_of() { echo "postgres://trastienda:trastienda@localhost:5432/$1"; }
port=18681

rate_of() {  # mode (single|partitioned): prints the drain rate of $count preloaded sales
    local vhost="bench-$1" database="trastienda_bench_$1" partitions=0
    [ "$1" = partitioned ] && partitions=3
    fresh_vhost "$vhost"; fresh_database "$database" >/dev/null 2>&1
    local amqp_url="amqp://trastienda:trastienda@localhost:5672/$vhost"
    run_intake() {
        TRASTIENDA_AMQP_URL="$amqp_url" TRASTIENDA_DATABASE_URL="$(database_url_of "$database")" TRASTIENDA_HTTP_PORT=$port \
            TRASTIENDA_LOG_LEVEL=error TRASTIENDA_SALES_INTAKE_PARTITIONS=$partitions "$release/sales-intake" >/tmp/bench-partitioned.log 2>&1 &
        intake=$!
        until curl -sf "http://localhost:$port/health/ready" >/dev/null; do sleep 0.1; done
    }
    run_intake; kill -TERM "$intake"; wait "$intake" || true  # declares the queues
    "$release/pos-sim" --url "$amqp_url" --sales "$count" --stores 50 --terminals 8 --quiet >/dev/null
    psql -q -h localhost -U postgres -c CHECKPOINT
    run_intake
    wait_for_stat "$port" recorded "$count"
    local first last
    first=$(stat_of "$port" firstDeliveryAtMilliseconds); last=$(stat_of "$port" lastCommitAtMilliseconds)
    kill -TERM "$intake"; wait "$intake" || true
    remove_vhost "$vhost"; remove_database "$database" >/dev/null 2>&1 || true
    python3 -c "print(round($count * 1000 / ($last - $first)))"
}

single=$(rate_of single)
partitioned=$(rate_of partitioned)
echo "intake sales/s, one shared queue: $single"
echo "intake sales/s, three partitions: $partitioned"
python3 -c "print('ratio partitioned/single: %.2f' % ($partitioned / $single))"
