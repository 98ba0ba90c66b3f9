#!/usr/bin/env bash
# On the local three-node cluster (`make cluster`), under a steady pos-sim load: SIGKILL the node that leads the
# intake queue, check that intake and billing are connected again within 10 s, start the node again, and check that
# every sale pos-sim had confirmed was recorded once and invoiced once. Exits non-zero when any of it fails.
# TRASTIENDA_BIN names the folder of the built executables (the test suite passes it; by default `swift build`'s).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="${TRASTIENDA_BIN:-$(cd "$root" && swift build --show-bin-path)}"
source "$(dirname "$0")/auth.sh"
dev_auth "$bin/trastienda" cluster-failover
nodes="localhost:5681,localhost:5682,localhost:5683"
amqp_url="amqp://trastienda:trastienda@$nodes/"
database=trastienda_cluster
database_url="postgres://trastienda:trastienda@localhost:5432/$database"
api="http://localhost:15681/api"
auth=trastienda:trastienda
declare -A port=([sales-intake]=18581 [billing]=18582)
declare -A pid=()
now_ms() { date +%s%3N; }
sql() { psql -qtA -h localhost -U postgres -d "$database" -c "$1"; }

"$root/scripts/cluster.sh" status | grep -q "node 3: up" || { echo "the cluster is not up: start it with \`make cluster\` (\`make test\` does)"; exit 2; }
psql -q -h localhost -U postgres -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" -c "CREATE DATABASE $database OWNER trastienda"
# A clean intake queue and billing queue on the cluster.
for queue in sales-intake.pos-sales billing.sale-recorded; do curl -sf -u "$auth" -X DELETE "$api/queues/%2F/$queue" >/dev/null || true; done

start() {
    TRASTIENDA_AMQP_URL="$amqp_url" TRASTIENDA_DATABASE_URL="$database_url" TRASTIENDA_HTTP_PORT=${port[$1]} TRASTIENDA_LOG_LEVEL=warning \
        "$bin/$1" >>"/tmp/cluster-$1.log" 2>&1 &
    pid[$1]=$!
}
ready() { curl -sf "http://localhost:${port[$1]}/health/ready" >/dev/null; }
cleanup() {  # SIGTERM, and SIGKILL for what has not ended 10 s later, so that a stuck service never holds up the check
    for service in "${!pid[@]}"; do kill -TERM "${pid[$service]}" 2>/dev/null || true; done
    for _ in $(seq 1 100); do
        running=0
        for service in "${!pid[@]}"; do kill -0 "${pid[$service]}" 2>/dev/null && running=1; done
        [ $running = 0 ] && break
        sleep 0.1
    done
    for service in "${!pid[@]}"; do kill -KILL "${pid[$service]}" 2>/dev/null || true; done
}
trap cleanup EXIT
start sales-intake; start billing
until ready sales-intake && ready billing; do sleep 0.2; done
stores=$(printf '"S%03d",' $(seq 1 10)); stores="[${stores%,}]"
curl -sf -H "$bearer" -X PUT "http://localhost:${port[billing]}/issuers/89890001K" -H 'content-type: application/json' \
    -d "{\"legalName\":\"Cluster SL\",\"address\":\"Burgos\",\"stores\":$stores}" >/dev/null

"$bin/pos-sim" --url "$amqp_url" --rate 200 --duration 40 --stores 10 --terminals 3 --quiet >/tmp/cluster-pos-sim.log 2>&1 &
simulator=$!
sleep 10
leader_of_intake() {  # asks each node's management API in turn: one of them may be the one just killed
    for management in 15681 15682 15683; do
        curl -sf -u "$auth" "http://localhost:$management/api/queues/%2F/sales-intake.pos-sales" | grep -o '"leader":"[^"]*"' | cut -d'"' -f4 \
            && return
    done
}
leader=$(leader_of_intake)
n=$(echo "$leader" | sed 's/trastienda-\([0-9]\)@.*/\1/')
echo "the intake queue's leader is $leader: SIGKILL"
"$root/scripts/cluster.sh" kill "$n"; killed=$(now_ms)
sleep 0.5  # let the services notice
until ready sales-intake && ready billing; do
    [ $(( $(now_ms) - killed )) -lt 60000 ] || { echo "services not ready 60 s after the kill"; exit 1; }
    sleep 0.05
done
reconnected=$(( $(now_ms) - killed ))
new_leader=$(leader_of_intake || true)
echo "services connected again ${reconnected} ms after the kill; new leader: ${new_leader:-?}"
"$root/scripts/cluster.sh" start "$n" >/dev/null
wait "$simulator" || { echo "pos-sim failed:"; cat /tmp/cluster-pos-sim.log; exit 1; }
valid=$(grep -o '([0-9]* valid' /tmp/cluster-pos-sim.log | grep -o '[0-9]*')
deadline=$((SECONDS + 120))
while [ $SECONDS -lt $deadline ]; do
    recorded=$(sql "SELECT count(*) FROM sales.sales"); invoiced=$(sql "SELECT count(*) FROM billing.invoices")
    [ "$recorded" -ge "$valid" ] && [ "$invoiced" -ge "$recorded" ] && break
    sleep 1
done
duplicates=$(sql "SELECT count(*) - count(DISTINCT sale_id) FROM billing.invoices")
gaps=$(sql "SELECT count(*) FROM (SELECT series FROM billing.invoices GROUP BY series HAVING count(*) <> max(number) OR min(number) <> 1) g")
echo "pos-sim confirmed $valid sales; recorded $recorded; invoiced $invoiced; duplicate invoices $duplicates; series with a gap $gaps"
echo "reconnect after leader kill ms: $reconnected"
[ "$recorded" -eq "$valid" ] && [ "$invoiced" -eq "$recorded" ] && [ "$duplicates" -eq 0 ] && [ "$gaps" -eq 0 ] && [ "$reconnected" -lt 10000 ] \
    && echo "cluster failover: passed" || { echo "cluster failover: FAILED"; exit 1; }
