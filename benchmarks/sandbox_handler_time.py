"""How long the sandbox itself spends per request, separated from the client's time.

Starts an in-process SandboxServer (seeded demo tenant), sends N requests per endpoint with
httpx over real loopback HTTP, and reads the handler time each response reports in its
``Server-Timing: app;dur=<ms>`` header (token check, rate limit, handler, rendering). The
round trip seen by the client is shown next to it, so the difference is HTTP and client cost.

    python benchmarks/sandbox_handler_time.py [-n 500] [--json]
"""

from __future__ import annotations

import argparse
import time

import httpx
from _common import emit, print_table, summary

from auth0_mcp_sandbox.ratelimit import RateLimit
from auth0_mcp_sandbox.server import SandboxServer


def endpoints(box: SandboxServer) -> list[tuple[str, str, dict[str, str]]]:
    """(label, path, query) for list and get of clients and logs."""
    client_id = next(iter(box.tenant.collection("clients")))
    log_id = box.tenant.logs[-1]["log_id"]
    return [
        ("GET /clients", "/api/v2/clients", {}),
        ("GET /clients?include_totals", "/api/v2/clients",
         {"include_totals": "true", "per_page": "50"}),
        ("GET /clients/{id}", f"/api/v2/clients/{client_id}", {}),
        ("GET /logs", "/api/v2/logs", {"per_page": "50"}),
        ("GET /logs?q=type:f", "/api/v2/logs", {"q": "type:f", "per_page": "50"}),
        ("GET /logs?from&take", "/api/v2/logs", {"from": box.tenant.logs[0]["log_id"],
                                                 "take": "50"}),
        ("GET /logs/{id}", f"/api/v2/logs/{log_id}", {}),
    ]


def measure(box: SandboxServer, runs: int) -> list[dict[str, object]]:
    rows = []
    with httpx.Client(base_url=box.base_url, timeout=30) as http:
        client_id, secret = box.admin_credentials
        token = http.post("/oauth/token", data={
            "grant_type": "client_credentials", "client_id": client_id,
            "client_secret": secret, "audience": f"{box.base_url}/api/v2/"}).json()
        http.headers["authorization"] = f"Bearer {token['access_token']}"
        for label, path, query in endpoints(box):
            handler, round_trip = [], []
            for _ in range(runs):
                started = time.perf_counter()
                response = http.get(path, params=query)
                round_trip.append((time.perf_counter() - started) * 1000)
                response.raise_for_status()
                handler.append(float(response.headers["server-timing"].split("dur=")[1]))
            h, r = summary(handler), summary(round_trip)
            rows.append({"endpoint": label, "n": runs, "handler_median_ms": h["median"],
                         "handler_p90_ms": h["p90"], "handler_p99_ms": h["p99"],
                         "round_trip_median_ms": r["median"], "round_trip_p99_ms": r["p99"]})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--runs", type=int, default=500, help="requests per endpoint")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()
    # a budget no benchmark reaches: 429s would measure the rate limiter, not the handlers
    with SandboxServer(rate_limit=RateLimit(10**9, 10**9)) as box:
        rows = measure(box, args.runs)
    if args.json:
        emit({"benchmark": "sandbox_handler_time", "rows": rows}, True)
    else:
        print_table(f"sandbox handler time (Server-Timing) vs client round trip, "
                    f"{args.runs} requests each", rows)


if __name__ == "__main__":
    main()
