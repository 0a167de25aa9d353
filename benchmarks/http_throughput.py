"""Streamable HTTP throughput: N concurrent MCP sessions calling a tool for a fixed time.

Each session initializes once, then calls ``auth0_get_application`` in a loop over raw HTTP
(no client library in the measured path). The sandbox runs in its own process.

    python benchmarks/http_throughput.py [--sessions 32] [--seconds 20] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import time

import httpx
from _common import (
    EXE,
    INIT,
    emit,
    free_port,
    peak_rss_mib,
    print_table,
    server_env,
    start_sandbox,
    summary,
    wait_for_http,
)

HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    box, base, client_id, secret = start_sandbox(["--rate-limit", "1000000"])
    port = free_port()
    server = subprocess.Popen([EXE, "run", "--transport", "http", "--port", str(port)],
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, env=server_env(base, client_id, secret))
    url = f"http://127.0.0.1:{port}/mcp"
    try:
        wait_for_http(url, server)
        started = time.perf_counter()
        latencies, errors = asyncio.run(load(url, client_id, args.sessions, args.seconds))
        elapsed = time.perf_counter() - started
        rss = peak_rss_mib(server.pid)
    finally:
        server.terminate()
        box.terminate()
        server.wait()
        box.wait()
    results = {"sessions": args.sessions, "seconds": round(elapsed, 2), "calls": len(latencies),
               "calls_per_second": round(len(latencies) / elapsed, 1),
               "latency_ms": summary(latencies), "errors": len(errors),
               "server_peak_rss_mib": round(rss, 1)}
    if args.json:
        emit(results, True)
        return
    print_table(f"Streamable HTTP, {args.sessions} concurrent sessions for {args.seconds:g} s", [
        {"calls": results["calls"], "calls/s": results["calls_per_second"],
         "p50 ms": results["latency_ms"]["median"], "p99 ms": results["latency_ms"]["p99"],
         "errors": results["errors"], "server peak RSS MiB": results["server_peak_rss_mib"]}])


if __name__ == "__main__":
    main()
