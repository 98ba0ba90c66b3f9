#!/usr/bin/env bash
# What the broker spends to hand one sale.recorded to billing, orders and hr: today's layout (a fanout into three
# quorum queues, each holding a copy) against one stream read by three consumers, with plain rabbitmq-c on both sides.
# Messages the size of a store's sale.recorded (BENCH_FANOUT_BYTES, 28,800: forty sales of about 720 bytes), as many as
# BENCH_FANOUT_SALES sales make. Prints the broker's CPU per sale to take the messages in and to deliver them to the
# three, alternating the layouts BENCH_ROUNDS times.
set -euo pipefail
source "$(dirname "$0")/common.sh"
root="$(cd "$(dirname "$0")/../.." && pwd)"
tool="$root/scripts/bench/amqp-bench-c"
[ -x "$tool" ] || cc -O2 -o "$tool" "$root/scripts/bench/amqp_bench.c" $(pkg-config --cflags --libs librabbitmq)
bytes="${BENCH_FANOUT_BYTES:-28800}"
sales_per_message=$((bytes / 720))
count=$(( ${BENCH_FANOUT_SALES:-100000} ))
messages=$((count / sales_per_message))
vhost=bench-fanout
consumers=(billing orders hr)

declare_layout() {  # quorum|stream
    fresh_vhost "$vhost"
    curl -sf -u "$auth" -X PUT -H 'content-type: application/json' -d '{"type":"fanout","durable":true}' \
        "$api/exchanges/$vhost/sales" >/dev/null
    local queues=("${consumers[@]}")
    [ "$1" = stream ] && queues=(sales-stream)
    for queue in "${queues[@]}"; do
        curl -sf -u "$auth" -X PUT -H 'content-type: application/json' \
            -d "{\"durable\":true,\"arguments\":{\"x-queue-type\":\"$1\"}}" "$api/queues/$vhost/$queue" >/dev/null
        curl -sf -u "$auth" -X POST -H 'content-type: application/json' -d '{"routing_key":""}' \
            "$api/bindings/$vhost/e/sales/q/$queue" >/dev/null
    done
}

run_layout() {  # quorum|stream: prints "in µs, out µs" per sale
    declare_layout "$1"
    local beam0 beam1 beam2 pids=()
    beam0=$(ticks_beam)
    BENCH_QUEUE_TYPE=$1 BENCH_EXCHANGE=sales BENCH_BODY_BYTES=$bytes \
        "$tool" publish localhost 5672 "$vhost" trastienda trastienda unused "$messages" 100 1 >/dev/null
    beam1=$(ticks_beam)
    for queue in "${consumers[@]}"; do
        [ "$1" = stream ] && name=sales-stream || name=$queue
        BENCH_QUEUE_TYPE=$1 "$tool" consume localhost 5672 "$vhost" trastienda trastienda "$name" "$messages" 30 10 >/dev/null &
        pids+=($!)
    done
    wait "${pids[@]}"
    beam2=$(ticks_beam)
    echo "$(per_sale_us $((beam1 - beam0))) $(per_sale_us $((beam2 - beam1)))"
}

for round in $(seq 1 "${BENCH_ROUNDS:-3}"); do
    for layout in quorum stream; do
        read -r into out <<<"$(run_layout $layout)"
        echo "fanout round $round $layout: broker CPU µs per sale: in $into, out to 3 consumers $out, total $(python3 -c "print(round($into + $out, 1))")"
    done
done
remove_vhost "$vhost"
