#!/usr/bin/env bash
# A local three-node RabbitMQ cluster beside the single broker: nodes trastienda-1@localhost … trastienda-3@localhost,
# AMQP on 5681–5683, management on 15681–15683, each with its data under .local/cluster/<n>. Quorum queues declared on
# it are replicated on all three. Usage: scripts/cluster.sh up|down|status|kill N|start N. Services reach it with
#   TRASTIENDA_AMQP_URL=amqp://trastienda:trastienda@localhost:5681,localhost:5682,localhost:5683/
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
RABBIT_BIN=/usr/lib/rabbitmq/bin
log() { printf '\033[1m[cluster]\033[0m %s\n' "$*"; }

node_env() {  # n: the environment of node n
    local dir="$root/.local/cluster/$1"
    export RABBITMQ_NODENAME="trastienda-$1@localhost"
    export RABBITMQ_NODE_PORT=$((5680 + $1))
    export RABBITMQ_DIST_PORT=$((25680 + $1))
    export RABBITMQ_MNESIA_BASE="$dir/mnesia"
    export RABBITMQ_LOG_BASE="$dir/log"
    export RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins"
    export RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf"
    export RABBITMQ_PID_FILE="$dir/rabbitmq.pid"
}
ctl() { local n=$1; shift; node_env "$n"; "$RABBIT_BIN/rabbitmqctl" -n "trastienda-$n@localhost" "$@"; }
running() { node_env "$1"; "$RABBIT_BIN/rabbitmq-diagnostics" -n "trastienda-$1@localhost" -q ping >/dev/null 2>&1; }

start_node() {
    local n=$1 dir="$root/.local/cluster/$1"
    running "$n" && return
    mkdir -p "$dir/mnesia" "$dir/log"
    echo '[rabbitmq_management,rabbitmq_consistent_hash_exchange].' > "$dir/enabled_plugins"
    cat > "$dir/rabbitmq.conf" <<CONF
listeners.tcp.default = $((5680 + n))
management.tcp.port = $((15680 + n))
collect_statistics_interval = 1000
vm_memory_high_watermark.relative = 0.3
CONF
    node_env "$n"
    "$root/scripts/detach.sh" "$RABBIT_BIN/rabbitmq-server" > "$dir/log/console.log" 2>&1 < /dev/null &
    for _ in $(seq 1 120); do running "$n" && break; sleep 0.5; done
    ctl "$n" -q await_startup --timeout 60 >/dev/null
    log "node trastienda-$n@localhost is up on port $((5680 + n))"
}

up() {
    # With no node running, the cluster starts anew: it holds nothing to keep, and nodes stopped out of order would
    # otherwise wait at boot for peers that last saw them.
    if ! running 1 && ! running 2 && ! running 3; then rm -rf "$root/.local/cluster"; fi
    for n in 1 2 3; do start_node "$n"; done
    for n in 2 3; do
        if ! ctl "$n" -q cluster_status 2>/dev/null | grep -q "trastienda-1@localhost"; then
            ctl "$n" -q stop_app >/dev/null
            ctl "$n" -q join_cluster trastienda-1@localhost >/dev/null
            ctl "$n" -q start_app >/dev/null
        fi
    done
    ctl 1 -q add_user trastienda trastienda >/dev/null 2>&1 || true
    ctl 1 -q set_user_tags trastienda administrator >/dev/null
    ctl 1 -q set_permissions -p / trastienda '.*' '.*' '.*' >/dev/null
    log "cluster of three: amqp://trastienda:trastienda@localhost:5681,localhost:5682,localhost:5683/ (management http://localhost:15681)"
}

down() { for n in 3 2 1; do running "$n" && { ctl "$n" -q stop >/dev/null 2>&1 || true; log "node $n stopped"; }; done; return 0; }

case "${1:-}" in
    up) up ;;
    down) down ;;
    status) for n in 1 2 3; do running "$n" && log "node $n: up" || log "node $n: down"; done ;;
    kill) node_env "$2"; kill -KILL "$(cat "$RABBITMQ_PID_FILE" 2>/dev/null || pgrep -f "trastienda-$2@localhost" | head -1)" ;;
    start) start_node "$2" ;;
    *) echo "usage: $0 up|down|status|kill N|start N" >&2; exit 2 ;;
esac
