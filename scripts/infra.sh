#!/usr/bin/env bash
# Local infrastructure for development and tests: RabbitMQ and PostgreSQL as plain processes with their data under
# .local/. Usage: scripts/infra.sh install|up|down|status. Every command is idempotent.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
local_dir="$root/.local"
rabbit_dir="$local_dir/rabbitmq"
pg_dir="$local_dir/postgres"
# PostgreSQL runs as user postgres, which must reach its data folder; a checkout under a private home cannot offer
# that, so the data then lives in a folder of postgres's own, named after the checkout.
if [ "$(id -u)" = 0 ] && id postgres >/dev/null 2>&1 && ! su postgres -s /bin/sh -c "test -x '$root'" 2>/dev/null; then
    pg_dir="/var/lib/postgresql/trastienda-$(printf '%s' "$root" | md5sum | cut -c1-12)"
fi

AMQP_PORT="${TRASTIENDA_AMQP_PORT:-5672}"
RABBIT_MANAGEMENT_PORT="${TRASTIENDA_RABBIT_MANAGEMENT_PORT:-15672}"
RABBIT_DIST_PORT="${TRASTIENDA_RABBIT_DIST_PORT:-25672}"
PG_PORT="${TRASTIENDA_PG_PORT:-5432}"
RABBIT_BIN=/usr/lib/rabbitmq/bin

export RABBITMQ_NODENAME="trastienda@localhost"
export RABBITMQ_NODE_PORT="$AMQP_PORT"
export RABBITMQ_DIST_PORT="$RABBIT_DIST_PORT"
export RABBITMQ_MNESIA_BASE="$rabbit_dir/mnesia"
export RABBITMQ_LOG_BASE="$rabbit_dir/log"
export RABBITMQ_ENABLED_PLUGINS_FILE="$rabbit_dir/enabled_plugins"
export RABBITMQ_CONFIG_FILE="$rabbit_dir/rabbitmq.conf"
export RABBITMQ_PID_FILE="$rabbit_dir/rabbitmq.pid"
export ERL_EPMD_PORT="${TRASTIENDA_EPMD_PORT:-4369}"

log() { printf '\033[1m[infra]\033[0m %s\n' "$*"; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

install() {
    local missing=()
    [ -x "$RABBIT_BIN/rabbitmq-server" ] || missing+=(rabbitmq-server)
    pkg-config --exists librabbitmq 2>/dev/null || missing+=(librabbitmq-dev)
    pkg-config --exists libpq 2>/dev/null || missing+=(libpq-dev)
    command -v pg_ctl >/dev/null || [ -x /usr/lib/postgresql/15/bin/pg_ctl ] || missing+=(postgresql)
    command -v psql >/dev/null || missing+=(postgresql-client)
    command -v curl >/dev/null || missing+=(curl)
    command -v xmllint >/dev/null || missing+=(libxml2-utils)  # the billing records are validated against the tax agency's schemas
    pkg-config --exists libqrencode 2>/dev/null || missing+=(libqrencode-dev)  # the ticket's QR code
    pkg-config --exists zlib 2>/dev/null || missing+=(zlib1g-dev)  # the QR code as PNG
    command -v zbarimg >/dev/null || missing+=(zbar-tools)  # tests read the QR code back
    pkg-config --exists libxml-2.0 2>/dev/null || missing+=(libxml2-dev)  # the tax-agency simulator validates envelopes
    command -v openssl >/dev/null || missing+=(openssl)  # test certificates for mutual TLS with the agency
    command -v chromium >/dev/null || missing+=(chromium)  # the printable invoice rendered to PDF in tests
    command -v pdftoppm >/dev/null || missing+=(poppler-utils)  # the PDF read back: its text and its QR
    command -v chromedriver >/dev/null || missing+=(chromium-driver)  # the console driven in a real browser
    if [ ${#missing[@]} -gt 0 ]; then
        log "installing ${missing[*]}"
        as_root apt-get update -q
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
    fi
    # schemathesis fuzzes each service's HTTP API from its OpenAPI document (PyYAML comes with it); Selenium drives
    # the console in Chromium. Both in make test.
    if ! command -v schemathesis >/dev/null || ! python3 -c 'import yaml, selenium' 2>/dev/null; then
        log "installing schemathesis and selenium (PyPI)"
        python3 -m pip install -q 'schemathesis==4.32.5' 'selenium==4.38.0'
    fi
}

pg_bin() {
    if command -v "$1" >/dev/null; then command -v "$1"; else echo "/usr/lib/postgresql/15/bin/$1"; fi
}

as_postgres() {
    if [ "$(id -u)" = 0 ]; then (cd / && su postgres -s /bin/sh -c "$*"); else sh -c "$*"; fi
}

rabbit_up() {
    if "$RABBIT_BIN/rabbitmq-diagnostics" -q ping >/dev/null 2>&1; then
        log "RabbitMQ is already running on port $AMQP_PORT"
        "$RABBIT_BIN/rabbitmq-plugins" -q enable rabbitmq_consistent_hash_exchange >/dev/null 2>&1 || true
        return
    fi
    mkdir -p "$rabbit_dir/mnesia" "$rabbit_dir/log"
    echo '[rabbitmq_management,rabbitmq_consistent_hash_exchange].' > "$RABBITMQ_ENABLED_PLUGINS_FILE"
    cat > "$RABBITMQ_CONFIG_FILE" <<CONF
listeners.tcp.default = $AMQP_PORT
management.tcp.port = $RABBIT_MANAGEMENT_PORT
collect_statistics_interval = 1000
vm_memory_high_watermark.relative = 0.5
CONF
    log "starting RabbitMQ (log: $rabbit_dir/log)"
    "$root/scripts/detach.sh" "$RABBIT_BIN/rabbitmq-server" > "$rabbit_dir/log/console.log" 2>&1 < /dev/null &
    for _ in $(seq 1 120); do
        if "$RABBIT_BIN/rabbitmq-diagnostics" -q ping >/dev/null 2>&1; then break; fi
        sleep 0.5
    done
    "$RABBIT_BIN/rabbitmqctl" -q await_startup --timeout 60 >/dev/null
    "$RABBIT_BIN/rabbitmqctl" -q add_user trastienda trastienda >/dev/null 2>&1 || true
    "$RABBIT_BIN/rabbitmqctl" -q set_user_tags trastienda administrator >/dev/null
    "$RABBIT_BIN/rabbitmqctl" -q set_permissions -p / trastienda '.*' '.*' '.*' >/dev/null
    log "RabbitMQ is up: amqp://trastienda:trastienda@localhost:$AMQP_PORT, management http://localhost:$RABBIT_MANAGEMENT_PORT"
}

rabbit_down() {
    if "$RABBIT_BIN/rabbitmq-diagnostics" -q ping >/dev/null 2>&1; then
        log "stopping RabbitMQ"
        "$RABBIT_BIN/rabbitmqctl" -q stop >/dev/null 2>&1 || true
    fi
}

pg_up() {
    local data="$pg_dir/data"
    mkdir -p "$pg_dir/run" "$local_dir"
    if [ "$(id -u)" = 0 ]; then chown postgres: "$pg_dir" "$pg_dir/run"; chmod 755 "$local_dir"; fi
    if [ ! -f "$data/PG_VERSION" ]; then
        log "creating a PostgreSQL cluster in $data"
        as_postgres "$(pg_bin initdb) -D '$data' -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null"
        cat >> "$data/postgresql.conf" <<CONF
listen_addresses = 'localhost'
port = $PG_PORT
unix_socket_directories = '$pg_dir/run'
max_connections = 300
shared_buffers = 512MB
CONF
    fi
    if pg_isready -q -h localhost -p "$PG_PORT" 2>/dev/null; then
        log "PostgreSQL is already running on port $PG_PORT"
    elif ! as_postgres "$(pg_bin pg_ctl) -D '$data' status" >/dev/null 2>&1; then
        log "starting PostgreSQL on port $PG_PORT"
        as_postgres "$(pg_bin pg_ctl) -D '$data' -l '$pg_dir/postgres.log' -w -t 60 start" >/dev/null
    else
        log "PostgreSQL is already running on port $PG_PORT"
    fi
    psql -h localhost -p "$PG_PORT" -U postgres -qtAc "select 1 from pg_roles where rolname = 'trastienda'" | grep -q 1 ||
        psql -h localhost -p "$PG_PORT" -U postgres -qc "create role trastienda login superuser password 'trastienda'"
    psql -h localhost -p "$PG_PORT" -U postgres -qtAc "select 1 from pg_database where datname = 'trastienda'" | grep -q 1 ||
        psql -h localhost -p "$PG_PORT" -U postgres -qc "create database trastienda owner trastienda"
    log "PostgreSQL is up: postgres://trastienda:trastienda@localhost:$PG_PORT/trastienda"
}

pg_down() {
    local data="$pg_dir/data"
    if [ -f "$data/PG_VERSION" ] && as_postgres "$(pg_bin pg_ctl) -D '$data' status" >/dev/null 2>&1; then
        log "stopping PostgreSQL"
        as_postgres "$(pg_bin pg_ctl) -D '$data' -m fast -w stop" >/dev/null
    fi
}

# What test runs that were killed left behind: vhosts and databases named as the test suite names its own
# (`<prefix>_<8 hex digits>`). Their quorum queues keep the broker busy; `make test` sweeps them before it starts.
sweep() {
    local api="http://localhost:15672/api" auth=trastienda:trastienda vhosts=0 databases=0 name
    for name in $(curl -sf -u "$auth" "$api/vhosts" | grep -o '"name":"[^"]*"' | cut -d'"' -f4 | grep -E '_[0-9a-f]{8}$' || true); do
        curl -sf -u "$auth" -X DELETE "$api/vhosts/$name" >/dev/null && vhosts=$((vhosts + 1))
    done
    for name in $(psql -qtA -h localhost -U postgres -c "SELECT datname FROM pg_database" | grep -E '_[0-9a-f]{8}$' || true); do
        psql -q -h localhost -U postgres -c "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" && databases=$((databases + 1))
    done
    log "swept $vhosts test vhosts and $databases test databases left by earlier runs"
}

case "${1:-}" in
    install) install ;;
    sweep) sweep ;;
    up) install; pg_up; rabbit_up ;;
    down) rabbit_down; pg_down ;;
    rabbitmqctl) shift; exec "$RABBIT_BIN/rabbitmqctl" "$@" ;;
    restart-rabbitmq) rabbit_down; rabbit_up ;;
    restart-postgres) as_postgres "$(pg_bin pg_ctl) -D '$pg_dir/data' -m fast -w restart -l '$pg_dir/postgres.log'" >/dev/null; log "PostgreSQL restarted" ;;
    status)
        "$RABBIT_BIN/rabbitmq-diagnostics" -q ping >/dev/null 2>&1 && log "RabbitMQ: up" || log "RabbitMQ: down"
        as_postgres "$(pg_bin pg_ctl) -D '$pg_dir/data' status" >/dev/null 2>&1 && log "PostgreSQL: up" || log "PostgreSQL: down"
        ;;
    *) echo "usage: $0 install|up|down|status|sweep|rabbitmqctl ARGS" >&2; exit 2 ;;
esac
