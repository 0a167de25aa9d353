"""Call latency over stdio and peak memory of the server, against a sandbox in its own process.

300 calls each of list applications, get application and list logs in one session (raw
JSON-RPC: no client library in the measured path); the sandbox's own handler time for the
same requests is measured separately from its Server-Timing header.

    python benchmarks/latency.py [--calls 300] [--json]
"""

from __future__ import annotations

import argparse
import time

import httpx
from _common import (
    StdioSession,
    emit,
    peak_rss_mib,
    print_table,
    server_env,
    start_sandbox,
    summary,
)


def handler_times(base: str, client_id: str, secret: str, calls: int) -> dict[str, dict]:
    token = httpx.post(f"{base}/oauth/token", json={
        "grant_type": "client_credentials", "client_id": client_id, "client_secret": secret,
        "audience": f"{base}/api/v2/"}).json()["access_token"]
    headers = {"authorization": f"Bearer {token}"}
    paths = {"GET /clients": "/api/v2/clients?per_page=5&include_totals=true",
             "GET /clients/{id}": f"/api/v2/clients/{client_id}",
             "GET /logs": "/api/v2/logs?per_page=50"}
    out = {}
    with httpx.Client(base_url=base, headers=headers) as http:
        for name, path in paths.items():
            durations = []
            for _ in range(calls):
                timing = http.get(path).headers.get("server-timing", "app;dur=nan")
                durations.append(float(timing.split("dur=")[1]))
            out[name] = summary(durations)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    proc, base, client_id, secret = start_sandbox()
    try:
        session = StdioSession(server_env(base, client_id, secret))
        cases = {"auth0_list_applications": {"per_page": 5},
                 "auth0_get_application": {"client_id": client_id},
                 "auth0_list_logs": {"per_page": 50}}
        latency = {}
        for name, arguments in cases.items():
            for _ in range(10):  # warm-up
                session.call(name, arguments)
            durations = []
            for _ in range(args.calls):
                started = time.perf_counter()
                session.call(name, arguments)
                durations.append((time.perf_counter() - started) * 1000)
            latency[name] = summary(durations)
        rss = peak_rss_mib(session.proc.pid)
        session.close()
        sandbox = handler_times(base, client_id, secret, args.calls)
    finally:
        proc.terminate()
        proc.wait()
    results = {"calls_per_tool": args.calls, "latency_ms": latency,
               "sandbox_handler_ms": sandbox, "server_peak_rss_mib": rss}
    if args.json:
        emit(results, True)
        return
    print_table(f"tools/call over stdio, {args.calls} calls each (ms, includes the sandbox)",
                [{"tool": k, **v} for k, v in latency.items()])
    print_table("sandbox handler time for the same requests (ms, Server-Timing)",
                [{"endpoint": k, **v} for k, v in sandbox.items()])
    print(f"\nserver peak RSS: {rss:.1f} MiB")


if __name__ == "__main__":
    main()
