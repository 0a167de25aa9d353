"""Remote mode on one instance vs three sharing state in Redis: calls/s, p50/p99, the ratio,
and Redis round trips per tool call (target: at most 2).

Every instance runs ``run --transport http --oauth-issuer ... --state-url redis://...``
against one sandbox tenant (its own process; also the callers' token issuer, its rate limit
out of the way). N callers, each with its own token (so per-caller budgets never bind), send
``tools/call auth0_get_application`` over raw HTTP for a fixed time, spreading requests
round-robin over the instances themselves (no proxy process in the measured path). Round
trips are Redis's own count (``INFO commandstats``) of commands sent by clients, divided by
the calls made: commands run inside Lua scripts are not round trips and are left out, and
the few that set up a new pooled connection (``CLIENT SETINFO``) are shown apart.

    python benchmarks/remote_scale.py [--callers 24] [--seconds 10] [--json]

Needs redis-server (or valkey-server) on PATH. On a machine with fewer cores than
instances, three instances cannot scale linearly: the ratio says what this machine gives.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import subprocess
import tempfile
import time
from pathlib import Path

import httpx
from _common import EXE, INIT, emit, free_port, print_table, server_env, start_sandbox, summary
from _common import wait_for_http as wait_up
from http_throughput import HEADERS, payload

from auth0_mcp.testing.redis import RedisServer, missing_reason, redis_server_binary

AUDIENCE = "https://mcp.bench.test/mcp"
INSIDE_SCRIPTS = {"hmget", "hset", "pexpire", "time"}  # our Lua script's own commands
NOT_OURS = {"info", "config", "ping"}  # the benchmark's and RedisServer's own
CONNECTING = {"client", "hello", "auth", "select"}  # once per new pooled connection


def client_commands(redis: RedisServer) -> tuple[int, int]:
    """(commands serving calls, commands setting up connections) sent so far."""
    per_call = setup = 0
    for name, stats in redis.info("commandstats").items():
        command = name.removeprefix("cmdstat_").split("|")[0]
        if command in INSIDE_SCRIPTS or command in NOT_OURS:
            continue
        calls = int(stats.split("calls=", 1)[1].split(",", 1)[0])
        if command in CONNECTING:
            setup += calls
        else:
            per_call += calls
    return per_call, setup


def start_instances(n: int, base: str, client_id: str, secret: str,
                    redis: RedisServer) -> tuple[list[subprocess.Popen], list[str]]:
    procs, urls = [], []
    env = {**server_env(base, client_id, secret), "AUTH0_MCP_STATE_URL": redis.url}
    for _ in range(n):
        port = free_port()
        procs.append(subprocess.Popen(
            [EXE, "run", "--transport", "http", "--port", str(port), "--oauth-issuer",
             f"{base}/", "--oauth-audience", AUDIENCE, "--calls-per-minute", "1000000",
             "--audit-log", "/dev/null"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env=env))
        urls.append(f"http://127.0.0.1:{port}/mcp")
    for proc, url in zip(procs, urls, strict=True):
        wait_up(url, proc)
    return procs, urls


async def caller(urls: list[str], token: str, client_id: str, stop_at: float,
                 latencies: list[float], errors: list[str]) -> None:
    targets = itertools.cycle(urls)
    headers = {**HEADERS, "Authorization": f"Bearer {token}",
               "mcp-protocol-version": "2025-11-25"}
    async with httpx.AsyncClient(timeout=30) as http:
        for url in urls:  # stateless: any instance answers; initialize once each, like a client
            await http.post(url, json=INIT, headers=headers)
        n = 100
        while time.perf_counter() < stop_at:
            n += 1
            started = time.perf_counter()
            response = await http.post(next(targets), headers=headers, json={
                "jsonrpc": "2.0", "id": n, "method": "tools/call",
                "params": {"name": "auth0_get_application",
                           "arguments": {"client_id": client_id}}})
            latencies.append((time.perf_counter() - started) * 1000)
            result = payload(response).get("result", {}) if response.status_code == 200 else {}
            if response.status_code != 200 or result.get("isError"):
                errors.append(f"{response.status_code} {str(result)[:200]}")


async def tokens(base: str, n: int) -> list[str]:
    async with httpx.AsyncClient() as http:
        return [(await http.post(f"{base}/sandbox/tokens", json={
            "scopes": ["read:clients"], "audience": AUDIENCE, "sub": f"auth0|bench-{i}"})
        ).json()["access_token"] for i in range(n)]


def measure(n: int, base: str, client_id: str, secret: str, redis: RedisServer,
            callers: int, seconds: float) -> dict:
    procs, urls = start_instances(n, base, client_id, secret, redis)
    try:
        bearer = asyncio.run(tokens(base, callers))
        latencies: list[float] = []
        errors: list[str] = []

        async def warm() -> None:  # JWKS, Management token and connections, not measured
            await asyncio.gather(*(caller(urls, t, client_id, time.perf_counter() + 1, [], [])
                                   for t in bearer))

        asyncio.run(warm())
        before = client_commands(redis)
        started = time.perf_counter()

        async def load() -> None:
            stop_at = time.perf_counter() + seconds
            await asyncio.gather(*(caller(urls, t, client_id, stop_at, latencies, errors)
                                   for t in bearer))

        asyncio.run(load())
        elapsed = time.perf_counter() - started
        after = client_commands(redis)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait()
    calls = len(latencies)
    return {"instances": n, "calls": calls, "calls_per_second": round(calls / elapsed, 1),
            "latency_ms": summary(latencies), "errors": len(errors),
            "redis_round_trips_per_call": round((after[0] - before[0]) / calls, 2)
            if calls else None,
            "redis_connection_setup_commands": after[1] - before[1]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--callers", type=int, default=24)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if redis_server_binary() is None:
        raise SystemExit(missing_reason())
    box, base, client_id, secret = start_sandbox(["--rate-limit", "1000000"])
    try:
        with tempfile.TemporaryDirectory() as tmp, RedisServer(Path(tmp)) as redis:
            runs = [measure(n, base, client_id, secret, redis, args.callers, args.seconds)
                    for n in (1, 3)]
    finally:
        box.terminate()
        box.wait()
    one, three = runs
    results = {"callers": args.callers, "seconds": args.seconds, "runs": runs,
               "ratio_3_to_1": round(three["calls_per_second"] / one["calls_per_second"], 2)}
    if args.json:
        emit(results, True)
        return
    print_table(f"Remote mode with --state-url (Redis), {args.callers} callers, "
                f"{args.seconds:g} s each", [
        {"instances": r["instances"], "calls": r["calls"], "calls/s": r["calls_per_second"],
         "p50 ms": r["latency_ms"]["median"], "p99 ms": r["latency_ms"]["p99"],
         "errors": r["errors"], "Redis round trips/call": r["redis_round_trips_per_call"],
         "+ connection setups": r["redis_connection_setup_commands"]}
        for r in runs])
    print(f"\n  three instances / one: {results['ratio_3_to_1']:.2f}x calls/s")


if __name__ == "__main__":
    main()
