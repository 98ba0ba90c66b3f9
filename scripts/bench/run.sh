#!/usr/bin/env bash
# Runs the Swift AMQP client and the plain C baseline on the same queue shape, alternating, twice each, and prints
# the best rate of each and their ratios. Shared machines are noisy: ratios from one run are what to compare.
set -euo pipefail
source "$(dirname "$0")/common.sh"
root="$(cd "$(dirname "$0")/../.." && pwd)"
swift_bin="$root/.build/release/amqp-bench"
c_bin="$root/scripts/bench/amqp-bench-c"
count="${BENCH_COUNT:-50000}"
vhost=bench

fresh_vhost "$vhost"

best() { sort -n | tail -1; }
declare -a c_pub swift_pub c_con swift_con
for round in 1 2 3; do
    c_pub+=("$("$c_bin" publish localhost 5672 $vhost trastienda trastienda bench-c "$count" 1000 500 | awk '{print $2}')")
    c_con+=("$("$c_bin" consume localhost 5672 $vhost trastienda trastienda bench-c "$count" 1000 500 | awk '{print $2}')")
    swift_pub+=("$("$swift_bin" publish --url "amqp://trastienda:trastienda@localhost:5672/$vhost" --queue bench-swift --count "$count" | awk '{print $2}')")
    swift_con+=("$("$swift_bin" consume --url "amqp://trastienda:trastienda@localhost:5672/$vhost" --queue bench-swift --count "$count" | awk '{print $2}')")
    echo "round $round: publish c ${c_pub[-1]} swift ${swift_pub[-1]} msg/s; consume c ${c_con[-1]} swift ${swift_con[-1]} msg/s"
done
cp=$(printf '%s\n' "${c_pub[@]}" | best); sp=$(printf '%s\n' "${swift_pub[@]}" | best)
cc=$(printf '%s\n' "${c_con[@]}" | best); sc=$(printf '%s\n' "${swift_con[@]}" | best)
echo "publish with confirms, persistent, quorum queue, $count messages of 400 bytes (best of 3):"
echo "  c: $cp msg/s   swift: $sp msg/s"
echo "consume with prefetch 1000, one multiple-ack per 500 (best of 3):"
echo "  c: $cc msg/s   swift: $sc msg/s"
awk -v s="$sp" -v c="$cp" 'BEGIN { printf "ratio publish swift/c: %.2f\n", s / c }'
awk -v s="$sc" -v c="$cc" 'BEGIN { printf "ratio consume swift/c: %.2f\n", s / c }'
remove_vhost "$vhost"
