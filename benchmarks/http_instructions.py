"""The server's cost per Streamable HTTP call in instructions, counted by callgrind.

CPU seconds per call (http_throughput.py) swing by 30% or more between runs on a shared
machine; instructions do not: the same build, inputs and calls give the same count within a
fraction of a percent, whatever else the machine is doing. The server runs under
``valgrind --tool=callgrind`` with counting off; after a session is open and warm, counting is
switched on for ``--calls`` sequential ``auth0_get_application`` calls against the TLS tenant
stub, then read from the dump. Several ``--exe`` compare builds side by side (e.g. a checkout
of an older commit), each against the same stub.

    python benchmarks/http_instructions.py [--calls 100] [--era 2025-11-25] [--exe PATH ...]
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from _common import CLEAN_ENV, EXE, emit, free_port, print_table, scoped_token, start_stub

HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
WARM = 20


def wait_up(url: str, proc: subprocess.Popen[bytes], timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("the server exited under valgrind")
        try:
            httpx.get(url.replace("/mcp", "/healthz"), timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError("the server did not come up under valgrind")


def instructions_per_call(exe: str, env: dict[str, str], client_id: str, calls: int,
                          era: str, out: Path) -> float:
    port = free_port()
    server = subprocess.Popen(
        ["valgrind", "--tool=callgrind", "--instr-atstart=no",
         f"--callgrind-out-file={out}/callgrind.%p", exe, "run", "--transport", "http",
         "--port", str(port)], env=env, stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/mcp"
    control = ["callgrind_control"]
    try:
        wait_up(url, server)
        with httpx.Client(timeout=120) as http:
            headers = {**HEADERS, "MCP-Protocol-Version": era}
            if era == "2025-11-25":
                opened = http.post(url, headers=HEADERS, json={
                    "jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
                        "protocolVersion": era, "capabilities": {},
                        "clientInfo": {"name": "bench", "version": "0"}}})
                headers["Mcp-Session-Id"] = opened.headers["mcp-session-id"]
                http.post(url, headers=headers,
                          json={"jsonrpc": "2.0", "method": "notifications/initialized"})

            def call(n: int) -> None:
                params: dict = {"name": "auth0_get_application",
                                "arguments": {"client_id": client_id}}
                if era != "2025-11-25":  # the 2026 era: every request says who is calling
                    params["_meta"] = {
                        "io.modelcontextprotocol/protocolVersion": era,
                        "io.modelcontextprotocol/clientInfo": {"name": "bench", "version": "0"},
                        "io.modelcontextprotocol/clientCapabilities": {}}
                answer = http.post(url, headers={**headers, "Mcp-Method": "tools/call",
                                                 "Mcp-Name": "auth0_get_application"},
                                   json={"jsonrpc": "2.0", "id": n, "method": "tools/call",
                                         "params": params})
                if answer.status_code != 200 or '"isError":true' in answer.text:
                    raise RuntimeError(f"call failed: {answer.status_code} {answer.text[:300]}")

            for n in range(WARM):
                call(n)
            subprocess.run([*control, "-i", "on", str(server.pid)], check=True,
                           capture_output=True)
            for n in range(3):  # the first instrumented calls translate code afresh
                call(WARM + n)
            subprocess.run([*control, "-z", str(server.pid)], check=True, capture_output=True)
            for n in range(calls):
                call(WARM + 3 + n)
            subprocess.run([*control, "-d", str(server.pid)], check=True, capture_output=True)
    finally:
        server.terminate()
        server.wait()
    totals = [int(m.group(1)) for dump in out.glob(f"callgrind.{server.pid}.*")
              for m in re.finditer(r"^totals: (\d+)", dump.read_text(), re.M)]
    if not totals:
        raise RuntimeError("callgrind wrote no dump")
    return max(totals) / calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--era", default="2025-11-25", choices=("2025-11-25", "2026-07-28"))
    parser.add_argument("--exe", action="append", help="auth0-mcp executables to compare "
                        "(default: this checkout's)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not shutil.which("valgrind"):
        sys.exit("valgrind is not installed (Debian: apt-get install valgrind)")
    exes = args.exe or [EXE]
    rows = []
    with tempfile.TemporaryDirectory() as tls:
        stub, base, client_id = start_stub(tls)
        env = {**CLEAN_ENV, "AUTH0_DOMAIN": base.removeprefix("https://"),
               "AUTH0_TOKEN": scoped_token(), "SSL_CERT_FILE": str(Path(tls) / "cert.pem")}
        try:
            for exe in exes:
                with tempfile.TemporaryDirectory() as out:
                    count = instructions_per_call(exe, env, client_id, args.calls, args.era,
                                                  Path(out))
                rows.append({"server": exe, "era": args.era, "calls": args.calls,
                             "instructions per call (M)": round(count / 1e6, 3),
                             "ratio to first": round(count / (rows[0]["_count"] if rows
                                                               else count), 3),
                             "_count": count})
        finally:
            stub.terminate()
            stub.wait()
    for row in rows:
        row.pop("_count")
    if args.json:
        emit({"rows": rows}, True)
        return
    print_table("Server instructions per Streamable HTTP call (callgrind)", rows)


if __name__ == "__main__":
    main()
