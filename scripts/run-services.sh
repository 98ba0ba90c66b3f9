#!/usr/bin/env bash
# Runs the five services in the foreground with their logs interleaved (each line prefixed by its service), until
# Ctrl-C; then stops them gracefully. Expects `swift build` to have run and the local infrastructure to be up.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="$(cd "$root" && swift build --show-bin-path)"
source "$(dirname "$0")/auth.sh"
dev_auth "$bin/trastienda" dev
services=(sales-intake billing orders collections hr console)
ports=(8081 8082 8083 8084 8085 8080)
pids=()

stop() {
    echo "[run] stopping the services"
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
    wait
    exit 0
}
trap stop INT TERM

# Each service connects as its own broker user and database role (`trastienda provision`, which `make run` runs
# first, creates them; the passwords are development ones).
credentials() {  # service: the environment that gives it its own users
    local upper schema
    upper=$(echo "$1" | tr 'a-z-' 'A-Z_')
    schema=$([ "$1" = sales-intake ] && echo sales || echo "$1")
    echo "TRASTIENDA_${upper}_AMQP_URL=amqp://svc-$1:trastienda@localhost:5672/"
    echo "TRASTIENDA_${upper}_DATABASE_URL=postgres://trastienda_$schema:trastienda@localhost:5432/trastienda"
}

# Runs one service, and runs it again when it exits without having been asked to (a crash, say), after a backoff
# that doubles from 1 s to 16 s while it keeps dying within a minute: the restart policy the compose file gives
# containers. A TERM or INT is passed on to the service, which stops gracefully; then the supervisor ends too.
supervise() {  # service
    local service=$1 backoff=1 child code started
    trap '[ -n "${child:-}" ] && kill -TERM "$child" 2>/dev/null; wait "$child" 2>/dev/null; exit 0' TERM INT
    while true; do
        started=$SECONDS
        env $(credentials "$service") "$bin/$service" > >(sed -u "s/^/[$service] /") 2>&1 &
        child=$!
        wait "$child"
        code=$?
        if [ $((SECONDS - started)) -ge 60 ]; then backoff=1; fi
        echo "[run] $service exited unexpectedly (code $code); restarting it in $backoff s"
        sleep "$backoff" & wait $!
        backoff=$((backoff < 16 ? backoff * 2 : 16))
    done
}

# The demo's tax agency: the simulator (Tools/AgencySim) with test certificates made here by openssl, unless an agency
# endpoint is configured already. Billing submits every record to it.
if [ "${TRASTIENDA_DEMO:-1}" != 0 ] && [ -z "${TRASTIENDA_BILLING_AGENCY_URL:-}" ]; then
    agency="$root/.local/agency"
    "$root/scripts/agency-certs.sh" "$agency" 89890001K
    "$bin/agency-sim" --port 8443 --control-port 8444 --certificate "$agency/server.crt" --key "$agency/server.key" \
        --client-ca "$agency/ca.crt" --schemas "${TRASTIENDA_VERIFACTU_SCHEMAS:-$root/../shared/verifactu}" --wait-seconds 5 --state "$agency/ledger.json" \
        > >(sed -u "s/^/[agency-sim] /") 2>&1 &
    pids+=($!)
    export TRASTIENDA_BILLING_AGENCY_URL="https://localhost:8443/wlpl/TIKE-CONT/ws/SistemaFacturacion/VerifactuSOAP"
    export TRASTIENDA_BILLING_AGENCY_CERTIFICATES="$agency/issuers" TRASTIENDA_BILLING_AGENCY_CA="$agency/ca.crt"
    export TRASTIENDA_BILLING_AGENCY_CERTIFICATE_PASSWORD=trastienda
    echo "[run] the tax-agency simulator listens on https://localhost:8443 (what it booked: http://localhost:8444/ledger)"
fi

# The console mints each person's token with the environment's signing key; its first admin's password is made once.
console_dir="$root/.local/console"
mkdir -p "$console_dir"
[ -s "$console_dir/admin-password" ] || (umask 077; head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$console_dir/admin-password")
export TRASTIENDA_CONSOLE_SIGNING_KEY_FILE="$root/.local/auth/signing.key"
export TRASTIENDA_CONSOLE_FIRST_ADMIN_PASSWORD="$(cat "$console_dir/admin-password")"
export TRASTIENDA_CONSOLE_BROKER_PASSWORD=trastienda

for service in "${services[@]}"; do
    supervise "$service" &
    pids+=($!)  # the supervisor, which passes a stop on to its service even when not started from a terminal
done

started=$SECONDS
deadline=$((SECONDS + 60))
for i in "${!services[@]}"; do
    until curl -sf "http://localhost:${ports[$i]}/health/ready" >/dev/null; do
        if [ $SECONDS -ge $deadline ]; then echo "[run] ${services[$i]} is not ready after 60 s"; break; fi
        sleep 0.5
    done
done
echo "[run] the five services and the console ready $((SECONDS - started)) s after start. Where to look:"
for i in "${!services[@]}"; do
    printf '[run]   %-13s http://localhost:%s/health/ready  /metrics\n' "${services[$i]}" "${ports[$i]}"
done
echo "[run]   RabbitMQ management: http://localhost:15672 (trastienda / trastienda)"
echo "[run] the console: http://localhost:8080 (sign in as admin / $TRASTIENDA_CONSOLE_FIRST_ADMIN_PASSWORD)"
echo "[run] every API call takes a bearer token; a development admin token (12 h), and how to make others:"
echo "[run]   export TRASTIENDA_TOKEN=$TRASTIENDA_TOKEN"
echo "[run]   curl -H \"authorization: Bearer \$TRASTIENDA_TOKEN\" http://localhost:8082/series"
echo "[run]   $bin/trastienda token --subject ana --roles store_manager --stores S001"

# A demo, unless TRASTIENDA_DEMO=0 (scripts/demo.sh): the data, then 30 terminals selling in two-minute sessions with
# their tills and shifts (one sale in a hundred refused: a dead letter to see), and the back office at work.
if [ "${TRASTIENDA_DEMO:-1}" != 0 ]; then
    bearer="$bearer" bin="$bin" "$root/scripts/demo.sh" &
    pids+=($!)
    echo "[run] the demo sells 5 sales/s across 30 terminals in two-minute till sessions; within minutes the console shows"
    echo "[run]   replenishments, purchase orders, transfers, Z reports, dunning reminders and timesheets"
    echo "[run]   (scripts/demo_check.py checks them through the APIs)"
fi
echo "[run] Ctrl-C stops them."
wait
