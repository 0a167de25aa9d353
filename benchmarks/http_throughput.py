"""Streamable HTTP throughput: N concurrent MCP sessions calling a tool for a fixed time.

Each session initializes once, then calls ``auth0_get_application`` in a loop over raw HTTP
(no client library in the measured path). The load generator runs in its own process group,
and with ``taskset`` on this machine the server is pinned to one core and the generator and
tenant to the other, so the generator's own CPU does not count against the server. The
server's CPU per call comes from /proc/<pid>/stat (user + system time) before and after.

``--tenant stub`` (default) answers from tenant_stub.py in well under a millisecond, so the
server's own cost is what limits it; ``--tenant sandbox`` uses the sandbox in its own process.

    python benchmarks/http_throughput.py [--sessions 32] [--seconds 20] [--tenant stub] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from _common import (
    CLEAN_ENV,
    EXE,
    INIT,
    emit,
    free_port,
    peak_rss_mib,
    print_table,
    server_env,
    start_sandbox,
    start_stub,
    summary,
    wait_for_http,
)

HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
TICKS = os.sysconf("SC_CLK_TCK")


def payload(response: httpx.Response) -> dict:
    text = response.text
    if response.headers.get("content-type", "").startswith("text/event-stream"):
        data = [line[5:].strip() for line in text.splitlines() if line.startswith("data:")]
        return json.loads(data[-1])
    return json.loads(text)


async def session(url: str, client_id: str, stop_at: float, latencies: list[float],
                  errors: list[str]) -> None:
    async with httpx.AsyncClient(timeout=30) as http:
        init = await http.post(url, json=INIT, headers=HEADERS)
        sid = init.headers.get("mcp-session-id")
        headers = {**HEADERS, **({"mcp-session-id": sid} if sid else {}),
                   "mcp-protocol-version": "2025-11-25"}
        await http.post(url, headers=headers,
                        json={"jsonrpc": "2.0", "method": "notifications/initialized"})
        n = 100
        while time.perf_counter() < stop_at:
            n += 1
            started = time.perf_counter()
            response = await http.post(url, headers=headers, json={
                "jsonrpc": "2.0", "id": n, "method": "tools/call",
                "params": {"name": "auth0_get_application", "arguments": {"client_id":
                                                                          client_id}}})
            result = payload(response).get("result", {})
            latencies.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200 or result.get("isError"):
                errors.append(str(result)[:200])


async def load(url: str, client_id: str, sessions: int, seconds: float) -> tuple[list, list]:
    latencies: list[float] = []
    errors: list[str] = []
    stop_at = time.perf_counter() + seconds
    await asyncio.gather(*(session(url, client_id, stop_at, latencies, errors)
                           for _ in range(sessions)))
    return latencies, errors


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def pinned(cpu: int) -> list[str]:
    """``taskset`` to one core when there are two or more (else nothing; or when
    ``BENCH_NO_PIN`` is set)."""
    if shutil.which("taskset") and (os.cpu_count() or 1) >= 2 and not os.environ.get(
            "BENCH_NO_PIN"):
        return ["taskset", "-c", str(cpu)]
    return []


def generate(args: argparse.Namespace) -> None:
    """The load generator's own process: run the load, print the latencies as JSON."""
    latencies, errors = asyncio.run(load(args.generate, args.client_id, args.sessions,
                                         args.seconds))
    print(json.dumps({"latencies": latencies, "errors": errors[:5], "error_count": len(errors)}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--tenant", choices=("stub", "sandbox"), default="stub")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--generate", help=argparse.SUPPRESS)  # URL: be the load generator
    parser.add_argument("--client-id", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:
        generate(args)
        return
    with tempfile.TemporaryDirectory() as tls:
        if args.tenant == "stub":
            tenant, base, client_id = start_stub(tls, pinned(1))
            env = {**CLEAN_ENV, "AUTH0_DOMAIN": base.removeprefix("https://"),
                   "AUTH0_TOKEN": "stub-token", "SSL_CERT_FILE": str(Path(tls) / "cert.pem")}
        else:
            tenant, base, client_id, secret = start_sandbox(["--rate-limit", "1000000"])
            env = server_env(base, client_id, secret)
        port = free_port()
        server = subprocess.Popen([*pinned(0), EXE, "run", "--transport", "http", "--port",
                                   str(port)], stdin=subprocess.DEVNULL,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        url = f"http://127.0.0.1:{port}/mcp"
        try:
            wait_for_http(url, server)
            cpu_before = cpu_seconds(server.pid)
            started = time.perf_counter()
            generator = subprocess.run(
                [*pinned(1), sys.executable, __file__, "--generate", url, "--client-id",
                 client_id, "--sessions", str(args.sessions), "--seconds", str(args.seconds)],
                capture_output=True, text=True, start_new_session=True, env=CLEAN_ENV,
                check=True)
            elapsed = time.perf_counter() - started
            cpu = cpu_seconds(server.pid) - cpu_before
            rss = peak_rss_mib(server.pid)
        finally:
            server.terminate()
            tenant.terminate()
            server.wait()
            tenant.wait()
    out = json.loads(generator.stdout)
    latencies = out["latencies"]
    results = {"sessions": args.sessions, "tenant": args.tenant, "seconds": round(elapsed, 2),
               "calls": len(latencies),
               "calls_per_second": round(len(latencies) / elapsed, 1),
               "latency_ms": summary(latencies), "errors": out["error_count"],
               "server_cpu_ms_per_call": round(cpu * 1000 / max(len(latencies), 1), 3),
               "server_cpu_share": round(cpu / elapsed, 2),
               "server_peak_rss_mib": round(rss, 1)}
    if args.json:
        emit(results, True)
        return
    print_table(f"Streamable HTTP, {args.sessions} concurrent sessions for {args.seconds:g} s, "
                f"{args.tenant} tenant{' (pinned apart)' if pinned(0) else ''}", [
        {"calls": results["calls"], "calls/s": results["calls_per_second"],
         "p50 ms": results["latency_ms"]["median"], "p99 ms": results["latency_ms"]["p99"],
         "errors": results["errors"], "server CPU ms/call": results["server_cpu_ms_per_call"],
         "server CPU share": results["server_cpu_share"],
         "server peak RSS MiB": results["server_peak_rss_mib"]}])
    if out["errors"]:
        print("first errors:", *out["errors"], sep="\n  ")


if __name__ == "__main__":
    main()
