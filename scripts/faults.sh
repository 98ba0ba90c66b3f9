#!/usr/bin/env bash
# Fault injection against the local stack under a steady pos-sim load: each service SIGKILLed in turn and started
# again, then RabbitMQ restarted, then PostgreSQL restarted. Afterwards every sale pos-sim had confirmed must be
# recorded once, invoiced once (series without gaps, a chain that verifies), moved out of stock once and credited to
# its cashier once. Prints `faults survived: N/N`, `sales lost: 0`, `duplicates: 0` and each recovery: from the kill
# (or from the broker or database answering again) until all five services answer ready. A last phase mixes odd
# sales (legal ones with emoji, the longest fields and far offsets; NULs, escape characters, year 0000, lone
# surrogates and a field given twice, which intake refuses) into the load: every service stays ready throughout and
# no queue after intake parks anything.
set -euo pipefail
source "$(dirname "$0")/bench/common.sh"
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="$(cd "$root" && swift build --show-bin-path)"
source "$(dirname "$0")/auth.sh"
dev_auth "$bin/trastienda" faults
vhost=faults
database=trastienda_faults
amqp_url="amqp://trastienda:trastienda@localhost:5672/$vhost"
database_url="postgres://trastienda:trastienda@localhost:5432/$database"
services=(sales-intake billing orders collections hr)
declare -A port=([sales-intake]=18481 [billing]=18482 [orders]=18483 [collections]=18484 [hr]=18485)
declare -A pid=()
rate="${FAULTS_RATE:-100}"
seconds="${FAULTS_SECONDS:-75}"

fresh_vhost "$vhost"
fresh_database "$database"
now_ms() { date +%s%3N; }
start() {
    TRASTIENDA_AMQP_URL="$amqp_url" TRASTIENDA_DATABASE_URL="$database_url" TRASTIENDA_HTTP_PORT=${port[$1]} TRASTIENDA_LOG_LEVEL=error \
        "$bin/$1" >>"/tmp/faults-$1.log" 2>&1 &
    pid[$1]=$!
}
all_ready() {
    for service in "${services[@]}"; do curl -sf "http://localhost:${port[$service]}/health/ready" >/dev/null || return 1; done
}
wait_ready() {  # prints milliseconds from $1 until all five answer ready (or fails after 60 s)
    local deadline=$(( $(now_ms) + 60000 ))
    until all_ready; do
        [ "$(now_ms)" -lt $deadline ] || { echo "timeout"; return 0; }
        sleep 0.05
    done
    echo $(( $(now_ms) - $1 ))
}
sql() { psql -qtA -h localhost -U postgres -d "$database" -c "$1"; }
stop_all() {
    for service in "${services[@]}"; do kill -TERM "${pid[$service]}" 2>/dev/null || true; done
    wait 2>/dev/null || true
    [ -n "${FAULTS_KEEP:-}" ] || { remove_vhost "$vhost"; remove_database "$database" >/dev/null 2>&1 || true; }
}
trap stop_all EXIT

for service in "${services[@]}"; do start "$service"; done
echo "services ready after $(wait_ready "$(now_ms)") ms"
stores=$(printf '"S%03d",' $(seq 1 10)); stores="[${stores%,}]"
curl -sf -H "$bearer" -X PUT "http://localhost:${port[billing]}/issuers/89890001K" -H 'content-type: application/json' \
    -d "{\"legalName\":\"Faults SL\",\"address\":\"Burgos\",\"stores\":$stores}" >/dev/null

"$bin/pos-sim" --url "$amqp_url" --rate "$rate" --duration "$seconds" --stores 10 --terminals 3 --quiet >/tmp/faults-pos-sim.log 2>&1 &
simulator=$!
declare -a faults=() recoveries=()
sleep 5
for service in "${services[@]}"; do
    kill -KILL "${pid[$service]}"; killed=$(now_ms)
    wait "${pid[$service]}" 2>/dev/null || true
    start "$service"
    faults+=("SIGKILL $service"); recoveries+=("$(wait_ready "$killed")")
    sleep 6
done
"$root/scripts/infra.sh" restart-rabbitmq >/dev/null; back=$(now_ms)
faults+=("restart RabbitMQ"); recoveries+=("$(wait_ready "$back")")
sleep 6
"$root/scripts/infra.sh" restart-postgres >/dev/null; back=$(now_ms)
faults+=("restart PostgreSQL"); recoveries+=("$(wait_ready "$back")")

sleep 4
"$bin/pos-sim" --url "$amqp_url" --rate 60 --duration 10 --stores 10 --terminals 3 --odd-share 0.25 --quiet >/tmp/faults-odd.log 2>&1 &
odd_simulator=$!; odd_started=$(now_ms); not_ready=0
while kill -0 "$odd_simulator" 2>/dev/null; do all_ready || not_ready=$((not_ready + 1)); sleep 0.2; done
wait "$odd_simulator" || { echo "pos-sim (odd sales) failed:"; cat /tmp/faults-odd.log; exit 1; }
faults+=("odd sales"); recoveries+=("$([ $not_ready -eq 0 ] && echo 0 || echo timeout)")

wait "$simulator" || { echo "pos-sim failed:"; cat /tmp/faults-pos-sim.log; exit 1; }
confirmed=$(awk '/^confirmed:/{print $2}' /tmp/faults-pos-sim.log)
valid=$(grep -o '([0-9]* valid' /tmp/faults-pos-sim.log | grep -o '[0-9]*')
odd_valid=$(grep -o '([0-9]* valid' /tmp/faults-odd.log | grep -o '[0-9]*')
odd_refused=$(grep -o '[0-9]* invalid' /tmp/faults-odd.log | grep -o '[0-9]*')
echo "pos-sim: $confirmed confirmed, $valid sales; odd-sales phase: $odd_valid recorded as sent, $odd_refused to be refused"
valid=$((valid + odd_valid))

# Let everything drain: every recorded sale invoiced, moved and credited (returns of returned sales wait at most 5 min
# in billing, so a few seconds of patience are enough here).
deadline=$((SECONDS + 180))
while [ $SECONDS -lt $deadline ]; do
    recorded=$(sql "SELECT count(*) FROM sales.sales")
    invoiced=$(sql "SELECT count(*) FROM billing.invoices")
    moved=$(sql "SELECT count(*) FROM orders.sales_moved")
    credited=$(sql "SELECT count(*) FROM hr.sales_credited")
    [ "$recorded" -ge "$valid" ] && [ "$invoiced" -ge "$recorded" ] && [ "$moved" -ge "$recorded" ] && [ "$credited" -ge "$recorded" ] && break
    sleep 1
done
echo "recorded $recorded, invoiced $invoiced, stock moved for $moved, credited to cashiers $credited"

lost=$(( valid - recorded ))
[ $lost -lt 0 ] && lost=0
# Invoices per sale beyond one, and stock movements beyond one per line of a recorded sale.
duplicates=$(sql "SELECT (SELECT count(*) - count(DISTINCT sale_id) FROM billing.invoices)
                       + greatest(0, (SELECT count(*) FROM orders.movements WHERE kind IN ('sale', 'return'))
                                   - (SELECT count(*) FROM sales.sales, json_array_elements(payload::json->'lines')))")
gaps=$(sql "SELECT count(*) FROM (SELECT series FROM billing.invoices GROUP BY series HAVING count(*) <> max(number) OR min(number) <> 1) g")
chain=$(curl -sf -H "$bearer" "http://localhost:${port[billing]}/issuers/89890001K/chain" | grep -o '"valid":[a-z]*' | cut -d: -f2)
stock=$(sql "SELECT (SELECT coalesce(sum(on_hand), 0) FROM orders.stock)
                  = (SELECT coalesce(-sum((l->>'quantity')::bigint), 0) FROM sales.sales, json_array_elements(payload::json->'lines') l)")
unmatched=$(( (invoiced == recorded ? 0 : 1) + (moved == recorded ? 0 : 1) + (credited == recorded ? 0 : 1) ))
# Nothing parked after intake; intake parked exactly the odd sales it had to refuse.
# The management API counts messages some seconds late: ask again until intake's count is in, for up to 60 s.
dead_letters() {
    curl -sf -u trastienda:trastienda "http://localhost:15672/api/queues/$vhost" | python3 -c '
import json, sys
queues = {q["name"]: q.get("messages", 0) for q in json.load(sys.stdin)}
print(sum(n for name, n in queues.items() if name.endswith(".dead-letter") and not name.startswith("sales-intake.")),
      queues.get("sales-intake.pos-sales.dead-letter", 0))'
}
deadline=$((SECONDS + 60))
while true; do
    parked=$(dead_letters)
    parked_downstream=${parked% *}; parked_intake=${parked#* }
    [ "$parked_intake" -ge "$odd_refused" ] || [ $SECONDS -ge $deadline ] && break
    sleep 2
done
echo "dead letters: $parked_downstream after intake, $parked_intake in intake's (odd sales refused: $odd_refused)"
[ "$parked_downstream" -eq 0 ] && [ "$parked_intake" -eq "$odd_refused" ] || unmatched=$((unmatched + 1))

survived=0
for i in "${!faults[@]}"; do
    recovery=${recoveries[$i]}
    if [ "$recovery" != timeout ] && [ "$recovery" -lt 10000 ]; then survived=$((survived + 1)); fi
    printf 'recovery %-20s %s ms\n' "${faults[$i]}:" "$recovery"
done
echo "series with a gap: $gaps; chain valid: $chain; stock equals the sales: $stock"
ok=$([ $lost -eq 0 ] && [ "$duplicates" -eq 0 ] && [ "$gaps" -eq 0 ] && [ "$chain" = true ] && [ "$stock" = t ] && [ $unmatched -eq 0 ] && echo yes || echo no)
[ "$ok" = yes ] || { echo "integrity check failed: nothing can be counted as survived"; survived=0; }
echo "faults survived: $survived/${#faults[@]}"
echo "sales lost: $lost"
echo "duplicates: $duplicates"
[ "$ok" = yes ] && [ $survived -eq ${#faults[@]} ]
