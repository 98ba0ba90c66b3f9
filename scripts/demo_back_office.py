"""The demo's back-office staff, through the services' APIs: every few seconds, each store's replenishments to buy
are drafted into purchase orders and confirmed, the orders issued on the previous round are delivered (one line in
five short), and transfers are shipped and, on the next round, received. Runs until stopped."""
import argparse
import json
import os
import time
import urllib.error
import urllib.request

ORDERS = os.environ.get("ORDERS_URL", "http://localhost:8083")
HEADER = os.environ["bearer"].split(": ", 1)


def call(method, path, body=None):
    request = urllib.request.Request(ORDERS + path, method=method, data=None if body is None else json.dumps(body).encode())
    request.add_header(*HEADER)
    request.add_header("content-type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return json.loads(answer.read() or b"{}")
    except urllib.error.HTTPError as error:
        print(f"{method} {path}: {error.code} {error.read()[:200]!r}", flush=True)
    except OSError as error:
        print(f"{method} {path}: {error}", flush=True)
    return {}


def items(path):
    return call("GET", path).get("items", [])


def round_of_work(turn):
    for po in items("/purchase-orders?status=issued"):
        lines = [{"sku": line["sku"], "quantity": line["quantity"] // 2 if (po["id"] + i) % 5 == 0 else line["quantity"]}
                 for i, line in enumerate(po["lines"])]
        call("POST", f"/purchase-orders/{po['id']}/deliveries", {"lines": lines, "note": f"albarán {po['id']}-{turn}"})
    for po in items("/purchase-orders?status=partially_received"):
        call("POST", f"/purchase-orders/{po['id']}/close")
    for store in [f"S{n:03d}" for n in range(1, 11)]:
        for draft in call("POST", f"/purchase-orders/drafts?store={store}").get("items", []):
            call("POST", f"/purchase-orders/{draft['id']}/confirm")
            print(f"purchase order {draft['id']} to {draft['supplierId']} for {store}: {draft['totalCents'] / 100:.2f} EUR", flush=True)
    for transfer in items("/transfers?status=shipped"):
        if transfer["fromStore"] != "S010" or transfer["toStore"] != "S004":  # the seeded one stays on its way
            call("POST", f"/transfers/{transfer['id']}/receive")
    for transfer in items("/transfers?status=draft"):
        call("POST", f"/transfers/{transfer['id']}/ship")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--every", type=float, default=60)
    every = parser.parse_args().every
    turn = 0
    while True:
        time.sleep(every)
        turn += 1
        round_of_work(turn)


if __name__ == "__main__":
    main()
