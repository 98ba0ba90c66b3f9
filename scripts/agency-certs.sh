#!/usr/bin/env bash
# Test certificates for mutual TLS with the tax-agency simulator, made with openssl and never committed:
# a CA, the simulator's server certificate (localhost, 127.0.0.1) and one client certificate per issuer NIF given,
# in DIR/issuers as <NIF>.crt/<NIF>.key and <NIF>.p12 (password "trastienda"). Usage: scripts/agency-certs.sh DIR NIF...
set -euo pipefail
dir="$1"; shift
mkdir -p "$dir"
cd "$dir"
quiet() { "$@" >/dev/null 2>&1 || { echo "agency-certs: $* failed" >&2; "$@"; exit 1; }; }
if [ ! -f ca.crt ]; then
    quiet openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 30 -subj "/CN=Trastienda test agency CA"
fi
if [ ! -f server.crt ]; then
    quiet openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj "/CN=localhost"
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' > server.ext
    quiet openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 30 -extfile server.ext
fi
mkdir -p issuers
for nif in "$@"; do
    [ -f "issuers/$nif.crt" ] && continue
    quiet openssl req -newkey rsa:2048 -nodes -keyout "issuers/$nif.key" -out "$nif.csr" -subj "/serialNumber=IDCES-$nif/CN=$nif"
    quiet openssl x509 -req -in "$nif.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -out "issuers/$nif.crt" -days 30
    quiet openssl pkcs12 -export -in "issuers/$nif.crt" -inkey "issuers/$nif.key" -out "issuers/$nif.p12" -passout pass:trastienda
done
