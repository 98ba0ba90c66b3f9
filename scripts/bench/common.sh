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
