# Sourced by the bench scripts: a fresh vhost and database for each, and their removal.
api="http://localhost:15672/api"
auth=trastienda:trastienda

fresh_vhost() {  # name
    curl -sf -u "$auth" -X DELETE "$api/vhosts/$1" >/dev/null || true
    curl -sf -u "$auth" -X PUT "$api/vhosts/$1" >/dev/null
    curl -sf -u "$auth" -X PUT -H 'content-type: application/json' \
        -d '{"configure":".*","write":".*","read":".*"}' "$api/permissions/$1/trastienda" >/dev/null
}

fresh_database() {  # name
    psql -q -h localhost -U postgres -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" -c "CREATE DATABASE $1 OWNER trastienda"
}

remove_vhost() { curl -sf -u "$auth" -X DELETE "$api/vhosts/$1" >/dev/null || true; }
remove_database() { psql -q -h localhost -U postgres -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)"; }

# CPU time in ticks (1/100 s): the whole machine, some processes, the broker; and ticks as µs per item of $count.
ticks_all() { awk '/^cpu /{print $2+$3+$4+$7+$8}' /proc/stat; }
ticks_of() { local t=0; for p in "$@"; do t=$((t + $(awk '{print $14+$15}' "/proc/$p/stat" 2>/dev/null || echo 0))); done; echo $t; }
ticks_beam() { ticks_of $(pgrep -x beam.smp); }
# PostgreSQL's write-ahead log so far, as "bytes full-page-images"; and the difference of two, per item of $count.
wal_so_far() { psql -qtA -F ' ' -h localhost -U postgres -c "SELECT wal_bytes, wal_fpi FROM pg_stat_wal"; }
wal_per_item() {  # before after
    python3 -c "b0,f0='$1'.split(); b1,f1='$2'.split(); print(f'{(int(b1)-int(b0))/$count:.0f} B, {(int(f1)-int(f0))/$count:.2f} full-page images')"
}
per_sale_us() { python3 -c "print(round($1 / 100 * 1e6 / $count, 1))"; }

# Stops services started in a command substitution (not this shell's children, so `wait` cannot wait for them) and
# waits until each has exited: the next one started on the same port must not find the last still shutting down.
stop_services() {
    kill -TERM "$@" 2>/dev/null || true
    local pid
    for pid in "$@"; do while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done; done
}

# Polling that starts no process: a service's `GET /stats` field over bash's own /dev/tcp, read with builtins (curl,
# grep and cut, and a psql for each poll, every 0.2 s took a fifth of the two cores the measured services share).
# Sets $polled (0 when the service does not answer or has no such field yet).
read_stat() {  # port field
    local fd reply=""
    polled=0
    exec {fd}<>"/dev/tcp/localhost/$1" 2>/dev/null || return 0
    printf 'GET /stats HTTP/1.1\r\nHost: localhost\r\n%s\r\nConnection: close\r\n\r\n' "$bearer" >&"$fd"
    IFS= read -r -d '' reply <&"$fd" || true
    exec {fd}>&-
    [[ $reply =~ \"$2\":([0-9]+) ]] && polled=${BASH_REMATCH[1]}
    return 0
}
stat_of() { read_stat "$1" "$2"; echo "$polled"; }  # port field: the same, printed

# Waits a fifth of a second with a builtin (`read` timing out on a pipe nobody writes), so that a poll forks nothing.
exec {nap_fd}<> <(:)
nap() { read -r -t 0.2 -u "$nap_fd" _ || true; }

# Waits until field $2 of the `GET /stats` of the service on port $1 reaches $3.
wait_for_stat() {  # port field count
    while read_stat "$1" "$2"; [ "$polled" -lt "$3" ]; do nap; done
}
