"""Shared bits of the benchmark scripts: statistics, the table printer, raw stdio JSON-RPC."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from auth0_mcp.testing.processes import free_port as free_port  # re-exported for scripts
from auth0_mcp.testing.processes import wait_until_up

EXE = str(Path(sys.executable).parent / "auth0-mcp")
CLEAN_ENV = {k: v for k, v in os.environ.items() if not k.startswith(("AUTH0_", "DEBUG"))}

INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
    "protocolVersion": "2025-11-25", "capabilities": {},
    "clientInfo": {"name": "bench", "version": "0"}}}
INITIALIZED = {"jsonrpc": "2.0", "method": "notifications/initialized"}


def percentile(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summary(values: Sequence[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "p90": percentile(values, 90),
            "p99": percentile(values, 99), "min": min(values), "max": max(values),
            "n": len(values)}


def print_table(title: str, rows: list[dict[str, Any]]) -> None:
    print(f"\n{title}")
    if not rows:
        print("  (no rows)")
        return
    keys = list(rows[0])
    widths = {k: max(len(k), *(len(fmt(r[k])) for r in rows)) for k in keys}
    print("  " + "  ".join(k.ljust(widths[k]) for k in keys))
    for r in rows:
        print("  " + "  ".join(fmt(r[k]).ljust(widths[k]) for k in keys))


def fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def send(stream: IO[str], message: dict[str, Any]) -> None:
    stream.write(json.dumps(message) + "\n")
    stream.flush()


def read_response(stream: IO[str], request_id: int) -> dict[str, Any]:
    while True:
        line = stream.readline()
        if not line:
            raise RuntimeError("server closed stdout")
        message = json.loads(line)
        if message.get("id") == request_id:
            return message


def spawn(args: Sequence[str], env: dict[str, str] | None = None,
          command: Sequence[str] = (EXE,)) -> subprocess.Popen[str]:
    return subprocess.Popen([*command, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, env=env or CLEAN_ENV,
                            bufsize=1)


def until_tools_listed(env: dict[str, str], command: Sequence[str] = (EXE,)
                       ) -> tuple[float, subprocess.Popen[str], str]:
    """Cold start: spawn ``run`` and write initialize, initialized and tools/list at once;
    returns the milliseconds until the tools/list answer, the live process and that answer."""
    started = time.perf_counter()
    proc = spawn(["run"], env, command)
    assert proc.stdin and proc.stdout
    send(proc.stdin, INIT)
    send(proc.stdin, INITIALIZED)
    send(proc.stdin, {"jsonrpc": "2.0", "id": 2, "method": "tools/list"})
    read_response(proc.stdout, 1)
    line = proc.stdout.readline()
    return (time.perf_counter() - started) * 1000, proc, line


def emit(results: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print(json.dumps(results, indent=2))


def start_sandbox(extra: Sequence[str] = ()) -> tuple[subprocess.Popen[str], str, str, str]:
    """``auth0-mcp sandbox`` in its own process (its own core); returns the process, base URL
    and the admin application's credentials, read from what it prints."""
    port = [] if "--port" in extra else ["--port", "0"]
    proc = subprocess.Popen([EXE, "sandbox", *port, *extra], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env=CLEAN_ENV)
    assert proc.stderr
    base = client_id = secret = ""
    for line in proc.stderr:
        if "domain (AUTH0_DOMAIN):" in line:
            base = line.split(":", 1)[1].strip()
        elif "client_id" in line and "admin application" in line:
            client_id = line.rsplit(" ", 1)[1].strip()
        elif "client_secret" in line and not client_id == "" and not secret:
            secret = line.rsplit(" ", 1)[1].strip()
        if base and client_id and secret:
            break
    if not (base and client_id and secret):
        raise RuntimeError("the sandbox did not start")
    return proc, base, client_id, secret


def scoped_token() -> str:
    """An unsigned JWT granting every scope installed tools declare (run refuses a token that
    is not a JWT, and filters tools by the scopes it grants); the tenant stub accepts it."""
    import base64

    from auth0_mcp.runtime import RunOptions, load_catalog

    scopes = sorted({s for t in load_catalog(RunOptions()).tools for s in t.required_scopes})
    claims = json.dumps({"sub": "benchmark", "scope": " ".join(scopes)}).encode()
    return "eyJhbGciOiJub25lIn0." + base64.urlsafe_b64encode(claims).decode().rstrip("=") + ".c2ln"


def start_stub(tls: str, prefix: Sequence[str] = ()) -> tuple[subprocess.Popen[str], str, str]:
    """tenant_stub.py in its own process (``prefix``: e.g. ``taskset -c 1``); returns the
    process, its base URL (https://host:port) and one application's client_id."""
    proc = subprocess.Popen([*prefix, sys.executable, str(Path(__file__).with_name(
        "tenant_stub.py")), tls], stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
        env=CLEAN_ENV)
    assert proc.stdout
    line = proc.stdout.readline().split()
    if len(line) != 2:
        proc.kill()
        proc.wait()
        raise RuntimeError("the tenant stub did not start")
    return proc, line[0], line[1]


def server_env(base: str, client_id: str, secret: str) -> dict[str, str]:
    return {**CLEAN_ENV, "AUTH0_DOMAIN": base, "AUTH0_CLIENT_ID": client_id,
            "AUTH0_CLIENT_SECRET": secret}


def _status_mib(pid: int, field: str) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mib(pid: int) -> float:
    """VmHWM: the process's peak resident set size."""
    return _status_mib(pid, "VmHWM")


def rss_mib(pid: int) -> float:
    """VmRSS: the process's resident set size now."""
    return _status_mib(pid, "VmRSS")


class StdioSession:
    """Raw JSON-RPC over a server's stdio: no client library in the measured path."""

    def __init__(self, env: dict[str, str], args: Sequence[str] = ("run",),
                 command: Sequence[str] = (EXE,)) -> None:
        self.proc = spawn(list(args), env, command)
        self.next_id = 10
        assert self.proc.stdin and self.proc.stdout
        send(self.proc.stdin, INIT)
        read_response(self.proc.stdout, 1)
        send(self.proc.stdin, INITIALIZED)

    def call(self, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        assert self.proc.stdin and self.proc.stdout
        self.next_id += 1
        send(self.proc.stdin, {"jsonrpc": "2.0", "id": self.next_id, "method": "tools/call",
                               "params": {"name": name, "arguments": arguments}})
        result = read_response(self.proc.stdout, self.next_id)["result"]
        if result.get("isError"):
            raise RuntimeError(result["content"][0]["text"])
        return result

    def close(self) -> float:
        """Close stdin; milliseconds until the process is gone."""
        assert self.proc.stdin
        started = time.perf_counter()
        self.proc.stdin.close()
        watchdog = threading.Timer(30, self.proc.kill)  # wait(timeout=) polls every 50 ms
        watchdog.start()
        self.proc.wait()
        watchdog.cancel()
        return (time.perf_counter() - started) * 1000


def wait_for_http(url: str, proc: subprocess.Popen[str], timeout: float = 30) -> None:
    """The test kit's wait, which also notices the server dying while it waits."""
    try:
        wait_until_up(url, proc, timeout)
    except AssertionError as exc:
        raise RuntimeError(str(exc)) from None
