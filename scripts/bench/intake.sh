#!/usr/bin/env bash
# Sales intake against the minimal C intake, in one run, on the same queue and database:
#   1. 200,000 sales preloaded by pos-sim, drained by the C baseline (consume, COPY, commit, multiple-ack);
#   2. the same number preloaded again, drained by sales-intake (validate, record once, announce with confirms);
#   3. an offered load of 2,000 sales/s for 30 s, publish to sale.recorded latency measured by pos-sim.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
release="$root/.build/release"
baseline="$root/scripts/bench/intake-baseline-c"
count="${BENCH_INTAKE_COUNT:-200000}"
latency_seconds="${BENCH_LATENCY_SECONDS:-30}"
vhost=bench-intake
database=trastienda_bench
api="http://localhost:15672/api"
auth=trastienda:trastienda
amqp_url="amqp://trastienda:trastienda@localhost:5672/$vhost"
database_url="postgres://trastienda:trastienda@localhost:5432/$database"
port=18081

curl -sf -u "$auth" -X DELETE "$api/vhosts/$vhost" >/dev/null || true
curl -sf -u "$auth" -X PUT "$api/vhosts/$vhost" >/dev/null
curl -sf -u "$auth" -X PUT -H 'content-type: application/json' \
    -d '{"configure":".*","write":".*","read":".*"}' "$api/permissions/$vhost/trastienda" >/dev/null
psql -q -h localhost -U postgres -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" -c "CREATE DATABASE $database OWNER trastienda"

intake_pid=
start_intake() {
    TRASTIENDA_AMQP_URL="$amqp_url" TRASTIENDA_DATABASE_URL="$database_url" TRASTIENDA_HTTP_PORT=$port \
        TRASTIENDA_LOG_LEVEL=error "$release/sales-intake" >/tmp/bench-intake.log 2>&1 &
    intake_pid=$!
    until curl -sf "http://localhost:$port/health/ready" >/dev/null; do sleep 0.1; done
}
stop_intake() { kill -TERM "$intake_pid"; wait "$intake_pid" || true; }
stat() { curl -sf "http://localhost:$port/stats" | python3 -c "import json,sys; print(json.load(sys.stdin)['sinceStart'].get('$1') or 0)"; }
preload() { "$release/pos-sim" --url "$amqp_url" --sales "$count" --stores 50 --terminals 8 --quiet | grep 'rate sales/s' | sed 's/rate/  preload/'; }

# Intake declares its queues and migrates its schema once, so that the preloaded sales have somewhere to wait.
start_intake
stop_intake

echo "baseline: C, consume + COPY 500 + commit + multiple-ack, no validation, no events ($count sales)"
preload
baseline_rate=$("$baseline" localhost 5672 "$vhost" trastienda trastienda sales-intake.pos-sales \
    "host=localhost port=5432 dbname=$database user=trastienda password=trastienda" "$count" 500 1000 | awk '{print $2}')

echo "intake: sales-intake, validate + record once + announce with confirms ($count sales)"
preload
start_intake
until [ "$(stat recorded)" -ge "$count" ]; do sleep 0.2; done
intake_rate=$(python3 -c "print(round($count * 1000 / ($(stat lastCommitAtMilliseconds) - $(stat firstDeliveryAtMilliseconds))))")
echo "intake sales/s: $intake_rate"
echo "baseline sales/s: $baseline_rate"
python3 -c "print('ratio intake/baseline: %.2f' % ($intake_rate / $baseline_rate))"

echo "latency: 2,000 sales/s offered for $latency_seconds s, publish to sale.recorded"
"$release/pos-sim" --url "$amqp_url" --rate 2000 --duration "$latency_seconds" --stores 50 --terminals 8 --measure-latency --quiet \
    | grep -E '^(latency|announced|rate)'
stop_intake
curl -sf -u "$auth" -X DELETE "$api/vhosts/$vhost" >/dev/null || true
psql -q -h localhost -U postgres -c "DROP DATABASE IF EXISTS $database WITH (FORCE)"
