# Sourced by the scripts that start services: the environment's signing key for access tokens (made once, in
# .local/auth, by `trastienda auth keys`; never committed), exported as TRASTIENDA_AUTH_PUBLIC_KEY for the services
# started after, and an admin token for the script's own calls: TRASTIENDA_TOKEN, and $bearer for curl (-H "$bearer").
dev_auth() {  # the trastienda executable, and the token's subject
    local dir
    dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.local/auth"
    TRASTIENDA_AUTH_PUBLIC_KEY="$("$1" auth keys --dir "$dir")"
    TRASTIENDA_TOKEN="$("$1" token --key-file "$dir/signing.key" --roles admin --subject "${2:-dev}")"
    export TRASTIENDA_AUTH_PUBLIC_KEY TRASTIENDA_TOKEN
    bearer="authorization: Bearer $TRASTIENDA_TOKEN"
}
