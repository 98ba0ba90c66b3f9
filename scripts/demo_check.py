"""Checks, through the services' APIs, that the demo shows each part of a chain's day: a replenishment, a purchase
order, a transfer, a Z report, a dunning reminder and a timesheet. With --wait S, asks again until all are there or
S seconds have passed. Exits 0 when all are there, 1 otherwise, saying what is missing."""
import argparse
import datetime
import json
import os
import sys
import time
import urllib.request

HEADER = os.environ["bearer"].split(": ", 1)
URLS = {name: os.environ.get(f"{name.upper()}_URL", f"http://localhost:{port}")
        for name, port in [("orders", 8083), ("collections", 8084), ("hr", 8085)]}


def get(service, path):
    request = urllib.request.Request(URLS[service] + path)
    request.add_header(*HEADER)
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return json.loads(answer.read())
    except (OSError, ValueError):
        return {}


def timesheet():
    today = datetime.date.today()
    span = f"from={today - datetime.timedelta(days=1)}&to={today + datetime.timedelta(days=1)}"
    for employee in get("hr", "/employees?store=S001").get("items", []):
        if get("hr", f"/employees/{employee['employeeId']}/timesheet?{span}").get("totalSeconds", 0) > 0:
            return employee["employeeId"]
    return None


CHECKS = {
    "a replenishment": lambda: get("orders", "/replenishments?status=open&limit=1").get("items")
    or get("orders", "/replenishments?status=received&limit=1").get("items"),
    "a purchase order": lambda: get("orders", "/purchase-orders?limit=1").get("items"),
    "a transfer": lambda: get("orders", "/transfers?limit=1").get("items"),
    "a Z report": lambda: get("collections", "/tills/sessions?status=reported&limit=1").get("items"),
    "a dunning reminder": lambda: get("collections", "/dunning?limit=1").get("items"),
    "a timesheet": timesheet,
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--wait", type=float, default=0)
    deadline = time.monotonic() + parser.parse_args().wait
    while True:
        missing = [name for name, check in CHECKS.items() if not check()]
        if not missing or time.monotonic() >= deadline:
            break
        time.sleep(2)
    for name in CHECKS:
        print(f"[demo check] {name}: {'missing' if name in missing else 'there'}", flush=True)
    sys.exit(1 if missing else 0)


if __name__ == "__main__":
    main()
