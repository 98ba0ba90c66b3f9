#!/usr/bin/env bash
# The demo, on services that are running: the data (scripts/demo-data.sh), three weeks' old sales on account (so
# that dunning has something to remind), then a fleet of 30 terminals selling in sessions, each terminal opening its
# till and its cashier's shift, selling, and closing with the cash counted (one drawer in ten short, one sale per
# terminal sent after the close), while the back office works (scripts/demo_back_office.py): purchase orders drafted,
# confirmed and delivered, transfers shipped and received. Runs until stopped.
#
# TRASTIENDA_DEMO_PACE=short makes sessions of 15 s and a back office that acts every 5 s (what `make test` checks);
# the default is sessions of two minutes and a back office every minute. The services' addresses come from
# SALES_URL, BILLING_URL, ORDERS_URL, COLLECTIONS_URL and HR_URL (localhost's 8081–8085 by default), the broker from
# TRASTIENDA_AMQP_URL, the admin's header from $bearer, the executables from $bin.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export SALES_URL="${SALES_URL:-http://localhost:8081}" BILLING_URL="${BILLING_URL:-http://localhost:8082}"
export ORDERS_URL="${ORDERS_URL:-http://localhost:8083}" COLLECTIONS_URL="${COLLECTIONS_URL:-http://localhost:8084}"
export HR_URL="${HR_URL:-http://localhost:8085}" bearer
amqp=(--url "${TRASTIENDA_AMQP_URL:-amqp://trastienda:trastienda@localhost:5672/}")
if [ "${TRASTIENDA_DEMO_PACE:-normal}" = short ]; then session=15 rate=20 every=5; else session=120 rate=5 every=60; fi
# A stop (TERM, INT or HUP) ends everything it started, pos-sim mid-session too, and nothing else: a TERM to each, and
# a KILL a second later to what is still there (a process started by a test run may have every signal but KILL
# blocked, and its children inherit that).
descendants() { local child; for child in $(pgrep -P "$1"); do echo "$child"; descendants "$child"; done; }
stop() {
    local all; all=$(descendants $$)
    kill -TERM $all 2>/dev/null
    sleep 1
    kill -KILL $all $(descendants $$) 2>/dev/null
    exit 0
}
trap stop TERM INT HUP

"$root/scripts/demo-data.sh"
# The same 24 sales each time (one seed: intake records a sale once), so a second run adds none.
"$bin/pos-sim" "${amqp[@]}" --stores 2 --terminals 1 --sales 24 --days-ago 20 --customer-share 1 --deferred-share 1 --return-share 0 \
    --seed 2026 --quiet | sed -u "s/^/[pos-sim, three weeks ago] /"
python3 "$root/scripts/demo_back_office.py" --every "$every" 2>&1 | sed -u "s/^/[back office] /" &
sessions() {
    while true; do
        "$bin/pos-sim" "${amqp[@]}" --stores 10 --terminals 3 --rate "$rate" --duration "$session" --shifts --tills --till-short-share 0.1 \
            --late-sales 1 --late-delay 3 --invalid-share 0.01 --quiet 2>&1 | sed -u "s/^/[pos-sim] /"
    done
}
sessions &
wait  # a stop interrupts this at once (a trap waits for a command in the foreground to end)
