"""A big tenant: list all of 10,000 applications and page through 100,000 log events through
the MCP server over stdio; time, and the server's memory while it pages (it must stay flat).

    python benchmarks/big_tenant.py [--apps 10000] [--logs 100000] [--json]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from _common import (
    StdioSession,
    emit,
    free_port,
    peak_rss_mib,
    print_table,
    rss_mib,
    server_env,
    start_sandbox,
)

from auth0_mcp_sandbox.records import make_client
from auth0_mcp_sandbox.seed import seed_tenant
from auth0_mcp_sandbox.server import plugin_routers
from auth0_mcp_sandbox.tenant import SandboxTenant


def build_state(path: Path, port: int, apps: int, logs: int) -> None:
    tenant = SandboxTenant(base_url=f"http://127.0.0.1:{port}", state_file=path)
    seed_tenant(tenant, plugin_routers(), demo=False)
    kinds = ["spa", "native", "regular_web", "non_interactive"]
    for i in range(apps):
        make_client(tenant, {"name": f"App {i:05d}", "app_type": kinds[i % 4]})
    rng = random.Random(1)
    start = time.time() - 30 * 86400
    for i in range(logs):
        tenant.record(rng.choice(["s", "f", "fp", "sapi", "seccft"]), "Event",
                      ts=start + i * 25, ip=f"198.51.100.{i % 250}", client_id="x",
                      client_name="App", user_name=f"user{i % 5000}@example.com")
    tenant.save()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--apps", type=int, default=10_000)
    parser.add_argument("--logs", type=int, default=100_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        state = Path(tmp) / "tenant.json"
        port = free_port()
        build_state(state, port, args.apps, args.logs)
        box, base, client_id, secret = start_sandbox(["--state", str(state), "--port",
                                                      str(port), "--rate-limit", "1000000"])
        try:
            session = StdioSession(server_env(base, client_id, secret))
            pid = session.proc.pid
            started = time.perf_counter()
            page, apps, rss_apps = 0, 0, []
            while True:
                data = session.call("auth0_list_applications",
                                    {"page": page, "per_page": 100})["structuredContent"]
                apps += len(data["applications"])
                rss_apps.append(rss_mib(pid))
                if not data["has_more"]:
                    break
                page += 1
            apps_seconds = time.perf_counter() - started
            started = time.perf_counter()
            cursor, events, rss_logs = "0", 0, []
            while True:
                data = session.call("auth0_list_logs", {"from": cursor, "take": 100})[
                    "structuredContent"]
                events += len(data["logs"])
                rss_logs.append(rss_mib(pid))
                if not data["has_more"]:
                    break
                cursor = data["next"]["from"]
            logs_seconds = time.perf_counter() - started
            peak = peak_rss_mib(pid)
            session.close()
        finally:
            box.terminate()
            box.wait()
    results = {
        "applications": {"listed": apps, "calls": len(rss_apps), "seconds": round(apps_seconds, 2),
                         "rss_first_mib": rss_apps[0], "rss_last_mib": rss_apps[-1]},
        "logs": {"paged": events, "calls": len(rss_logs), "seconds": round(logs_seconds, 2),
                 "rss_first_mib": rss_logs[0], "rss_last_mib": rss_logs[-1]},
        "server_peak_rss_mib": round(peak, 1),
    }
    if args.json:
        emit(results, True)
        return
    print_table("list every application (auth0_list_applications, 100 per call)",
                [results["applications"]])
    print_table("page through the log (auth0_list_logs checkpoint mode, 100 per call)",
                [results["logs"]])
    print(f"\nserver peak RSS: {results['server_peak_rss_mib']} MiB")


if __name__ == "__main__":
    main()
