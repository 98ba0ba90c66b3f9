#!/usr/bin/env bash
# The demo's data beyond the sales pos-sim makes: an issuer for S001–S010, each till's cashier and a manager per store,
# stock counted up to 80 and reorder rules for the catalogue, a few customer orders, customers' payment terms and an
# announcement. Everything goes through the services' APIs as an admin ($bearer, from scripts/auth.sh). Run again, it
# adds nothing twice (every call is a PUT, carries its own id, or tops up what is short).
set -uo pipefail
api() {  # method, port, path, body
    curl -sf -o /dev/null -H "$bearer" -X "$1" "http://localhost:$2$3" -H 'content-type: application/json' -d "$4" || echo "[demo] $1 $3 failed"
}
stores=$(printf '"S%03d",' $(seq 1 10)); stores="[${stores%,}]"
api PUT 8082 /issuers/89890001K "{\"legalName\":\"Trastienda Demo SL\",\"address\":\"C/ Mayor 1, Burgos\",\"stores\":$stores}"
names=(Marta Javier Lucía Pablo Carmen Diego Elena Raúl Sara Iván)
for s in $(seq 1 10); do
    store=$(printf 'S%03d' "$s")
    api PUT 8085 "/employees/M-$store" "{\"name\":\"${names[$((s - 1))]} (encargada)\",\"role\":\"store_manager\",\"stores\":[\"$store\"],\"startDate\":\"2026-01-01\"}"
    for t in 1 2 3; do
        api PUT 8085 "/employees/C-$store-T0$t" "{\"name\":\"Cajero $t de $store\",\"role\":\"cashier\",\"stores\":[\"$store\"],\"startDate\":\"2026-03-01\"}"
    done
done
for sku in CAF-001 LEC-002 PAN-003 ACE-004 DET-005 BAT-006 ARR-007 HUE-008; do
    for store in S001 S002 S003; do
        api PUT 8083 "/reorder-rules/$store/$sku" '{"minimum":20,"maximum":120,"multiple":12}'
    done
done
# Stock counted in: whatever is short of 80 on hand (sales may have run before) is brought up to it, as after a count.
for sku in CAF-001 LEC-002 PAN-003 ACE-004 DET-005 BAT-006 ARR-007 HUE-008 AGU-009 LIB-010 MED-011; do
    for s in $(seq 1 10); do
        store=$(printf 'S%03d' "$s")
        available=$(curl -sf -H "$bearer" "http://localhost:8083/stock/$store/$sku" | grep -o '"available":-\?[0-9]*' | cut -d: -f2)
        short=$((80 - ${available:-0}))
        [ "$short" -gt 0 ] && api POST 8083 "/stock/$store/$sku/adjustments" "{\"quantity\":$short,\"reason\":\"recuento\"}"
    done
done
for n in 1 2 3 4; do
    store=$(printf 'S%03d' $(( (n - 1) % 2 + 1 )))
    api POST 8083 /orders "{\"orderId\":\"WEB-$n\",\"storeId\":\"$store\",\"customer\":{\"name\":\"Cliente web $n\"},\"lines\":[{\"sku\":\"ACE-004\",\"quantity\":$n},{\"sku\":\"CAF-001\",\"quantity\":2}]}"
done
for customer in B12345678 A87654321; do api PUT 8084 "/customers/$customer" '{"paymentTermsDays":30}'; done
curl -sf -H "$bearer" http://localhost:8085/announcements | grep -q Inventario ||
    api POST 8085 /announcements '{"title":"Inventario del domingo","body":"El domingo se cuenta el almacén: turnos de 8 a 12.","priority":"high"}'
echo "[demo] issuer, staff, stock and reorder rules, orders, customers' terms and an announcement are in place"
