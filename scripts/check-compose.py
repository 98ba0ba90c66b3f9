#!/usr/bin/env python3
"""Checks compose.yaml and the Dockerfile against what the project is (run by `make test`, so CI checks them):
the five services and the console, each with its own users, a health check and a replica count; provisioning first; the demo fleet
under a profile; every command an executable the package builds and the Dockerfile copies. Uses `docker compose
config` too when Docker Compose is installed."""
import pathlib, re, shutil, subprocess, sys

try:
    import yaml
except ImportError:
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "pyyaml"], check=True)
    import yaml

root = pathlib.Path(__file__).resolve().parent.parent
compose = yaml.safe_load((root / "compose.yaml").read_text())
dockerfile = (root / "Dockerfile").read_text()
package = (root / "Package.swift").read_text()
problems = []
services = compose.get("services", {})
products = set(re.findall(r'(?:service|tool)\("([a-z-]+)"', package))
copied = set(re.search(r"cp ([a-z -]+) /out/", dockerfile).group(1).split())
schemas = {"sales-intake": "sales"}

for name in ["sales-intake", "billing", "orders", "collections", "hr", "console"]:
    service = services.get(name)
    if service is None:
        problems.append(f"{name}: missing")
        continue
    if service.get("command", [None])[0] != name:
        problems.append(f"{name}: command does not run {name}")
    if not isinstance(service.get("deploy", {}).get("replicas"), int):
        problems.append(f"{name}: no deploy.replicas")
    test = service.get("healthcheck", {}).get("test", [])
    if not any("/health/ready" in str(part) for part in test):
        problems.append(f"{name}: no health check on /health/ready")
    environment = service.get("environment", {})
    if f"svc-{name}:" not in environment.get("TRASTIENDA_AMQP_URL", ""):
        problems.append(f"{name}: does not connect as its own broker user svc-{name}")
    if f"trastienda_{schemas.get(name, name)}:" not in environment.get("TRASTIENDA_DATABASE_URL", ""):
        problems.append(f"{name}: does not connect as its own database role")
    if service.get("depends_on", {}).get("provision", {}).get("condition") != "service_completed_successfully":
        problems.append(f"{name}: does not wait for provisioning")
for name, service in services.items():
    command = service.get("command", [None])[0]
    if "image" in service and service["image"].startswith("trastienda") and command not in products | {None}:
        problems.append(f"{name}: runs {command}, which the package does not build")
    if "image" in service and service["image"].startswith("trastienda") and command not in copied | {None}:
        problems.append(f"{name}: runs {command}, which the Dockerfile does not copy")
if "demo" not in services.get("pos-sim", {}).get("profiles", []):
    problems.append("pos-sim: not under the demo profile")
if services.get("provision", {}).get("command", [None, None])[1] != "provision":
    problems.append("provision: does not run trastienda provision")
if shutil.which("docker") and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
    result = subprocess.run(["docker", "compose", "-f", str(root / "compose.yaml"), "config", "-q"], capture_output=True, text=True)
    if result.returncode != 0:
        problems.append(f"docker compose config: {result.stderr.strip()}")

if problems:
    print("compose.yaml / Dockerfile:\n  " + "\n  ".join(problems))
    sys.exit(1)
print(f"compose.yaml: {len(services)} services checked; Dockerfile copies {len(copied)} executables")
