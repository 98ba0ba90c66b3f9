#!/usr/bin/env bash
# Runs a long-lived command (a broker node) in a session of its own, keeping only descriptors 0–2. A daemon that
# inherited another descriptor of whoever started the script would hold it open for its whole life, and a parent that
# learns of its child's end from that descriptor (Foundation's Process does, with a socket) would wait for the daemon.
for fd in /proc/$$/fd/*; do
    fd=${fd##*/}
    [ "$fd" -gt 2 ] 2>/dev/null && eval "exec $fd>&-"
done
exec setsid "$@"
