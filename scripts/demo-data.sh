#!/usr/bin/env bash
# The demo's data beyond the sales pos-sim makes: an issuer for S001–S010, each till's cashier and a manager per store,
# stock counted up to 80 (400 in S010, the chain's back store), reorder rules for the catalogue (S002's bring from
# S010 first), two suppliers and what they sell, a transfer on its way, a few customer orders, customers' payment
# terms and an announcement. Everything goes through the services' APIs as an admin ($bearer, from
# scripts/auth.sh); the services' addresses come from scripts/demo.sh. Run again, it adds nothing twice (every call
# is a PUT, carries its own id, tops up what is short, or looks first).
set -uo pipefail
: "${SALES_URL:=http://localhost:8081}" "${BILLING_URL:=http://localhost:8082}" "${ORDERS_URL:=http://localhost:8083}"
: "${COLLECTIONS_URL:=http://localhost:8084}" "${HR_URL:=http://localhost:8085}"
api() {  # method, url, body
    curl -sf -o /dev/null -H "$bearer" -X "$1" "$2" -H 'content-type: application/json' -d "$3" || echo "[demo] $1 $2 failed"
}
catalogue=(CAF-001 LEC-002 PAN-003 ACE-004 DET-005 BAT-006 ARR-007 HUE-008 AGU-009 LIB-010 MED-011)
stores=$(printf '"S%03d",' $(seq 1 10)); stores="[${stores%,}]"
api PUT "$BILLING_URL/issuers/89890001K" "{\"legalName\":\"Trastienda Demo SL\",\"address\":\"C/ Mayor 1, Burgos\",\"stores\":$stores}"
names=(Marta Javier Lucía Pablo Carmen Diego Elena Raúl Sara Iván)
for s in $(seq 1 10); do
    store=$(printf 'S%03d' "$s")
    api PUT "$HR_URL/employees/M-$store" "{\"name\":\"${names[$((s - 1))]} (encargada)\",\"role\":\"store_manager\",\"stores\":[\"$store\"],\"startDate\":\"2026-01-01\"}"
    for t in 1 2 3; do
        api PUT "$HR_URL/employees/C-$store-T0$t" "{\"name\":\"Cajero $t de $store\",\"role\":\"cashier\",\"stores\":[\"$store\"],\"startDate\":\"2026-03-01\"}"
    done
done
# Rules: S001 reorders early (its minimum is close to its stock, so the demo soon has replenishments to buy), S002
# brings from S010 when S010 has more than its own maximum, S003 reorders as a store usually does.
for sku in "${catalogue[@]}"; do
    api PUT "$ORDERS_URL/reorder-rules/S001/$sku" '{"minimum":78,"maximum":120,"multiple":12}'
    api PUT "$ORDERS_URL/reorder-rules/S002/$sku" '{"minimum":78,"maximum":100,"multiple":1,"transferFrom":"S010"}'
    api PUT "$ORDERS_URL/reorder-rules/S003/$sku" '{"minimum":20,"maximum":120,"multiple":12}'
    api PUT "$ORDERS_URL/reorder-rules/S010/$sku" '{"minimum":50,"maximum":150,"multiple":12}'
done
# Two suppliers: Norte sells everything, Sur only the fresh goods, some of them cheaper.
{
    echo "supplier,name,sku,supplier_code,pack_size,lead_time_days,price_cents"
    prices=(250 60 90 620 410 300 120 170 190 140 300)
    for i in "${!catalogue[@]}"; do echo "SUP-NORTE,Distribuciones Norte SL,${catalogue[$i]},N-${catalogue[$i]},12,2,${prices[$i]}"; done
    echo "SUP-SUR,Lácteos y Frescos del Sur SA,LEC-002,SUR-LECHE-1L,6,1,55"
    echo "SUP-SUR,Lácteos y Frescos del Sur SA,HUE-008,SUR-HUEVOS-L12,10,1,160"
    echo "SUP-SUR,Lácteos y Frescos del Sur SA,PAN-003,SUR-PAN-MOLDE,8,1,95"
} | curl -sf -o /dev/null -H "$bearer" -X POST "$ORDERS_URL/suppliers/import" -H 'content-type: text/csv' --data-binary @- || echo "[demo] supplier import failed"
# Stock counted in: whatever is short of 80 on hand (400 in S010) is brought up to it, as after a count.
for sku in "${catalogue[@]}"; do
    for s in $(seq 1 10); do
        store=$(printf 'S%03d' "$s")
        target=$([ "$store" = S010 ] && echo 400 || echo 80)
        available=$(curl -sf -H "$bearer" "$ORDERS_URL/stock/$store/$sku" | grep -o '"available":-\?[0-9]*' | cut -d: -f2)
        short=$((target - ${available:-0}))
        [ "$short" -gt 0 ] && api POST "$ORDERS_URL/stock/$store/$sku/adjustments" "{\"quantity\":$short,\"reason\":\"recuento\"}"
    done
done
# A transfer on its way from the back store to S004.
if ! curl -sf -H "$bearer" "$ORDERS_URL/transfers?store=S004" | grep -q '"fromStore":"S010"'; then
    id=$(curl -sf -H "$bearer" -X POST "$ORDERS_URL/transfers" -H 'content-type: application/json' \
        -d '{"fromStore":"S010","toStore":"S004","lines":[{"sku":"ACE-004","quantity":24},{"sku":"AGU-009","quantity":36}],"note":"campaña de verano"}' |
        grep -o '"id":[0-9]*' | head -1 | cut -d: -f2)
    [ -n "$id" ] && api POST "$ORDERS_URL/transfers/$id/ship" '{}'
fi
for n in 1 2 3 4; do
    store=$(printf 'S%03d' $(( (n - 1) % 2 + 1 )))
    api POST "$ORDERS_URL/orders" "{\"orderId\":\"WEB-$n\",\"storeId\":\"$store\",\"customer\":{\"name\":\"Cliente web $n\"},\"lines\":[{\"sku\":\"ACE-004\",\"quantity\":$n},{\"sku\":\"CAF-001\",\"quantity\":2}]}"
done
# Two customers pay at 7 days (their invoices of three weeks ago are overdue), the others at 30.
for customer in B12345678 A87654321; do api PUT "$COLLECTIONS_URL/customers/$customer" '{"paymentTermsDays":7}'; done
for customer in 12345678Z FR40303265045; do api PUT "$COLLECTIONS_URL/customers/$customer" '{"paymentTermsDays":30}'; done
curl -sf -H "$bearer" "$HR_URL/announcements" | grep -q Inventario ||
    api POST "$HR_URL/announcements" '{"title":"Inventario del domingo","body":"El domingo se cuenta el almacén: turnos de 8 a 12.","priority":"high"}'
echo "[demo] issuer, staff, stock, reorder rules, suppliers, a transfer, orders, customers' terms and an announcement are in place"
