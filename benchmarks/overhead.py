"""Per-call overhead and memory of this server and the official one, side by side (issue #17).

Both talk to the same sub-millisecond tenant stub (tenant_stub.py, https, its own process), so
what differs is each server's own cost. Calls alternate between the two servers (one of
theirs, one of ours, ...), so a change in the machine's load hits both alike. Raw JSON-RPC
over stdio: no client library in the measured path.

    python benchmarks/overhead.py [--calls 300] [--starts 10] [--json]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import (
    StdioSession,
    emit,
    peak_rss_mib,
    print_table,
    scoped_token,
    start_stub,
    summary,
)
from http_throughput import cpu_seconds
from reference import both_servers, cold_start, reference_command


def timed_call(session: StdioSession, tool: str, arguments: dict[str, Any]) -> float:
    started = time.perf_counter()
    session.call(tool, arguments)
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--starts", type=int, default=10)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    reference_command()  # installed before the stub starts
    with tempfile.TemporaryDirectory() as tls:
        stub, base, client_id = start_stub(tls)
        servers = both_servers(base, scoped_token(), str(Path(tls) / "cert.pem"))
        # The same work in each server's own argument names.
        cases = {
            "list applications": {"reference": ("auth0_list_applications", {"per_page": 5}),
                                  "auth0-mcp": ("auth0_list_applications", {"per_page": 5})},
            "get application": {name: ("auth0_get_application", {"client_id": client_id})
                                for name in servers},
            "list 50 logs": {"reference": ("auth0_list_logs", {"take": 50}),
                             "auth0-mcp": ("auth0_list_logs", {"per_page": 50})},
        }
        try:
            starts: dict[str, list[float]] = {name: [] for name in servers}
            for command, env in servers.values():
                cold_start(command, env)[0]  # warm the page cache
            for _ in range(args.starts):
                for name, (command, env) in servers.items():
                    starts[name].append(cold_start(command, env)[0])
            sessions = {name: StdioSession(env, ("run",), command)
                        for name, (command, env) in servers.items()}
            latency: dict[str, dict[str, list[float]]] = {}
            cpu = {name: 0.0 for name in servers}
            for case, per_server in cases.items():
                for name, (tool, arguments) in per_server.items():
                    for _ in range(10):  # warm-up
                        sessions[name].call(tool, arguments)
                latency[case] = {name: [] for name in servers}
                before = {name: cpu_seconds(s.proc.pid) for name, s in sessions.items()}
                for _ in range(args.calls):
                    for name, (tool, arguments) in per_server.items():
                        latency[case][name].append(timed_call(sessions[name], tool, arguments))
                for name, s in sessions.items():
                    cpu[name] += cpu_seconds(s.proc.pid) - before[name]
            rss = {name: peak_rss_mib(s.proc.pid) for name, s in sessions.items()}
            for s in sessions.values():
                s.close()
        finally:
            stub.kill()
            stub.wait()
    results: dict[str, Any] = {"calls": args.calls, "starts": args.starts, "cases": {
        case: {name: summary(values) for name, values in per_server.items()}
        for case, per_server in latency.items()},
        "cpu_ms_per_call": {n: c * 1000 / (args.calls * len(cases)) for n, c in cpu.items()},
        "peak_rss_mib": rss, "stdio_start_ms": {n: summary(v) for n, v in starts.items()}}
    if args.json:
        emit(results, True)
        return
    rows = []
    for case, per_server in results["cases"].items():
        theirs, ours = per_server["reference"], per_server["auth0-mcp"]
        rows.append({"measure": f"{case} ms", "ref median": theirs["median"],
                     "ref p90": theirs["p90"], "ours median": ours["median"],
                     "ours p90": ours["p90"], "ratio (median)": ours["median"] / theirs["median"]})
    theirs, ours = results["stdio_start_ms"]["reference"], results["stdio_start_ms"]["auth0-mcp"]
    rows.append({"measure": "stdio start ms", "ref median": theirs["median"],
                 "ref p90": theirs["p90"], "ours median": ours["median"], "ours p90": ours["p90"],
                 "ratio (median)": ours["median"] / theirs["median"]})
    per_call = results["cpu_ms_per_call"]
    rows.append({"measure": "server CPU ms per call", "ref median": per_call["reference"],
                 "ref p90": "-", "ours median": per_call["auth0-mcp"], "ours p90": "-",
                 "ratio (median)": per_call["auth0-mcp"] / per_call["reference"]})
    rows.append({"measure": "peak RSS MiB", "ref median": rss["reference"], "ref p90": "-",
                 "ours median": rss["auth0-mcp"], "ours p90": "-",
                 "ratio (median)": rss["auth0-mcp"] / rss["reference"]})
    print_table(f"stdio, tenant stub over https, {args.calls} alternating calls per case, "
                f"{args.starts} starts", rows)


if __name__ == "__main__":
    main()
