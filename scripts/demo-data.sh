#!/usr/bin/env bash
# The demo's data beyond the sales pos-sim makes: an issuer for S001–S010, each till's cashier and a manager per store,
# stock counted in and reorder rules for the catalogue, a few customer orders, customers' payment terms and an
# announcement. Everything goes through the services' APIs as an admin ($bearer, from scripts/auth.sh). Run again, it
# changes nothing that is there (every call is a PUT or carries its own id).
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
# Stock counted in once (the count's reason is its id: a second run adds nothing new to what it found).
if ! curl -sf -H "$bearer" "http://localhost:8083/stock/S001/CAF-001" >/dev/null; then
    for sku in CAF-001 LEC-002 PAN-003 ACE-004 DET-005 BAT-006 ARR-007 HUE-008; do
        for store in S001 S002 S003; do api POST 8083 "/stock/$store/$sku/adjustments" '{"quantity":60,"reason":"recuento inicial"}'; done
    done
fi
for n in 1 2 3 4; do
    store=$(printf 'S%03d' $(( (n - 1) % 2 + 1 )))
    api POST 8083 /orders "{\"orderId\":\"WEB-$n\",\"storeId\":\"$store\",\"customer\":{\"name\":\"Cliente web $n\"},\"lines\":[{\"sku\":\"ACE-004\",\"quantity\":$n},{\"sku\":\"CAF-001\",\"quantity\":2}]}"
done
for customer in B12345678 A87654321; do api PUT 8084 "/customers/$customer" '{"paymentTermsDays":30}'; done
curl -sf -H "$bearer" http://localhost:8085/announcements | grep -q Inventario ||
    api POST 8085 /announcements '{"title":"Inventario del domingo","body":"El domingo se cuenta el almacén: turnos de 8 a 12.","priority":"high"}'
echo "[demo] issuer, staff, stock and reorder rules, orders, customers' terms and an announcement are in place"
