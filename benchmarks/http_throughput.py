"""Streamable HTTP throughput: N concurrent MCP sessions calling a tool for a fixed time.

Each session initializes once, then calls ``auth0_get_application`` in a loop over raw
HTTP/1.1 (no client library: the generator must cost far less than the server). The load
generator runs in its own process group, and with ``taskset`` the server is pinned to one core
and the generator and tenant to the other, so the generator's CPU does not count against the
server (``BENCH_NO_PIN=1``: no pinning; on a machine others load, a pinned server may wait for
its core). The server's CPU per call comes from /proc/<pid>/stat (user + system time) before
and after.

``--tenant stub`` (default) answers from tenant_stub.py in well under a millisecond, so the
server's own cost is what limits it; ``--tenant sandbox`` uses the sandbox in its own process.

    python benchmarks/http_throughput.py [--sessions 32] [--seconds 20] [--tenant stub]
        [--era 2025-11-25|2026-07-28] [--json]
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
from urllib.parse import urlsplit

from _common import (
    CLEAN_ENV,
    EXE,
    INIT,
    emit,
    free_port,
    peak_rss_mib,
    print_table,
    scoped_token,
    server_env,
    start_sandbox,
    start_stub,
    summary,
    wait_for_http,
)

HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
TICKS = os.sysconf("SC_CLK_TCK")


class RawHttp:
    """One keep-alive HTTP/1.1 connection with just enough of the protocol for /mcp: httpx
    costs the generator several times the server's CPU per call, and a generator that is the
    bottleneck hides the server's real ceiling."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.host, self.port, self.path = parts.hostname or "", parts.port or 80, parts.path
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, message: dict, headers: dict[str, str]) -> tuple[int, dict, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        body = json.dumps(message).encode()
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.writer.write(f"POST {self.path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                          f"Content-Length: {len(body)}\r\n{head}\r\n".encode() + body)
        lines = (await self.reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        fields = {k.strip().lower(): v.strip() for k, _, v in
                  (line.partition(":") for line in lines[1:] if line)}
        if "content-length" in fields:
            data = await self.reader.readexactly(int(fields["content-length"]))
        else:  # chunked
            data = b""
            while size := int((await self.reader.readuntil(b"\r\n")).strip(), 16):
                data += (await self.reader.readexactly(size + 2))[:-2]
            await self.reader.readuntil(b"\r\n")
        return status, fields, data

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


def payload(fields: dict, data: bytes) -> dict:
    if fields.get("content-type", "").startswith("text/event-stream"):
        events = [line[5:].strip() for line in data.decode().splitlines()
                  if line.startswith("data:")]
        return json.loads(events[-1])
    return json.loads(data)


MODERN_META = {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
               "io.modelcontextprotocol/clientInfo": {"name": "bench", "version": "0"},
               "io.modelcontextprotocol/clientCapabilities": {}}


async def session(url: str, client_id: str, stop_at: float, latencies: list[float],
                  errors: list[str], era: str) -> None:
    http = RawHttp(url)
    params: dict = {"name": "auth0_get_application", "arguments": {"client_id": client_id}}
    try:
        if era == "2025-11-25":
            _, fields, _ = await http.post(INIT, HEADERS)
            sid = fields.get("mcp-session-id")
            headers = {**HEADERS, **({"mcp-session-id": sid} if sid else {}),
                       "mcp-protocol-version": era}
            await http.post({"jsonrpc": "2.0", "method": "notifications/initialized"}, headers)
        else:  # the 2026 era: no handshake, every request says who is calling
            headers = {**HEADERS, "mcp-protocol-version": era, "mcp-method": "tools/call",
                       "mcp-name": "auth0_get_application"}
            params["_meta"] = MODERN_META
        n = 100
        while time.perf_counter() < stop_at:
            n += 1
            started = time.perf_counter()
            status, fields, data = await http.post({
                "jsonrpc": "2.0", "id": n, "method": "tools/call", "params": params}, headers)
            result = payload(fields, data).get("result", {})
            latencies.append((time.perf_counter() - started) * 1000)
            if status != 200 or result.get("isError"):
                errors.append(str(result)[:200])
    finally:
        http.close()


async def load(url: str, client_id: str, sessions: int, seconds: float, era: str
               ) -> tuple[list, list]:
    latencies: list[float] = []
    errors: list[str] = []
    stop_at = time.perf_counter() + seconds
    await asyncio.gather(*(session(url, client_id, stop_at, latencies, errors, era)
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
                                         args.seconds, args.era))
    print(json.dumps({"latencies": latencies, "errors": errors[:5], "error_count": len(errors)}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--tenant", choices=("stub", "sandbox"), default="stub")
    parser.add_argument("--era", default="2025-11-25", choices=("2025-11-25", "2026-07-28"))
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
                   "AUTH0_TOKEN": scoped_token(), "SSL_CERT_FILE": str(Path(tls) / "cert.pem")}
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
                 client_id, "--sessions", str(args.sessions), "--seconds", str(args.seconds),
                 "--era", args.era],
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
    results = {"sessions": args.sessions, "tenant": args.tenant, "era": args.era,
               "seconds": round(elapsed, 2),
               "calls": len(latencies),
               "calls_per_second": round(len(latencies) / elapsed, 1),
               "latency_ms": summary(latencies), "errors": out["error_count"],
               "server_cpu_ms_per_call": round(cpu * 1000 / max(len(latencies), 1), 3),
               "server_cpu_share": round(cpu / elapsed, 2),
               # One process, one core: what it could serve given a core of its own.
               "ceiling_calls_per_second": round(len(latencies) / cpu, 1) if cpu else None,
               "server_peak_rss_mib": round(rss, 1)}
    if args.json:
        emit(results, True)
        return
    print_table(f"Streamable HTTP ({args.era}), {args.sessions} concurrent sessions for "
                f"{args.seconds:g} s, {args.tenant} tenant"
                f"{' (pinned apart)' if pinned(0) else ''}", [
        {"calls": results["calls"], "calls/s": results["calls_per_second"],
         "p50 ms": results["latency_ms"]["median"], "p99 ms": results["latency_ms"]["p99"],
         "errors": results["errors"], "server CPU ms/call": results["server_cpu_ms_per_call"],
         "server CPU share": results["server_cpu_share"],
         "ceiling calls/s (1 core)": results["ceiling_calls_per_second"],
         "server peak RSS MiB": results["server_peak_rss_mib"]}])
    if out["errors"]:
        print("first errors:", *out["errors"], sep="\n  ")


if __name__ == "__main__":
    main()
