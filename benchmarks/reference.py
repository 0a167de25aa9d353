"""Side by side with the reference server, on this machine, against the same sandbox tenant.

The issue's targets were set from the reference (``@auth0/auth0-mcp-server``) measured on
another day; machines differ, so this script measures both here, now: cold start, exit time,
tools/list size, answer size per listed application, call latency and peak RSS.

The reference is installed from npm into ``benchmarks/.reference`` on first use. It builds
``https://{domain}`` itself, so the sandbox serves https with a self-signed certificate that
both servers are told to trust (``NODE_EXTRA_CA_CERTS``, ``SSL_CERT_FILE``); both get the same
static Management API token. Its OS-keychain module (a native addon with no prebuilt binary
for this machine) is replaced by a stub at load time: with ``AUTH0_TOKEN`` set it is never
called.

    python benchmarks/reference.py [--runs 10] [--calls 300] [--json]
"""

from __future__ import annotations

import argparse
import json
import shutil
import ssl
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from _common import (
    CLEAN_ENV,
    EXE,
    StdioSession,
    emit,
    peak_rss_mib,
    print_table,
    start_sandbox,
    summary,
    until_tools_listed,
)

PACKAGE = "@auth0/auth0-mcp-server@0.1.0-beta.19"
HERE = Path(__file__).resolve().parent
CACHE = HERE / ".reference"
KEYTAR_STUB = """\
const Module = require("module");
const load = Module._load;
const stub = {getPassword: async () => null, setPassword: async () => {},
  deletePassword: async () => false, findCredentials: async () => [],
  findPassword: async () => null};
Module._load = function (request, ...rest) {
  if (/@github[\\\\/]keytar/.test(request)) return stub;
  return load.call(this, request, ...rest);
};
"""


def reference_command() -> list[str]:
    entry = CACHE / "node_modules" / "@auth0" / "auth0-mcp-server" / "dist" / "index.js"
    if not entry.exists():
        npm = shutil.which("npm")
        if npm is None:
            raise SystemExit("npm is needed to install the reference server")
        CACHE.mkdir(exist_ok=True)
        subprocess.run([npm, "install", "--prefix", str(CACHE), "--no-audit", "--no-fund",
                        "--ignore-scripts", PACKAGE], check=True, stdout=subprocess.DEVNULL)
    stub = CACHE / "keytar-stub.cjs"
    stub.write_text(KEYTAR_STUB)
    return [shutil.which("node") or "node", "--require", str(stub), str(entry)]


def both_servers(base: str, token: str, cert: str) -> dict[str, tuple[list[str], dict]]:
    """(command, environment) of the reference and of this server for a tenant at ``base``
    (https, certificate ``cert``), both with the same static token."""
    common = {**CLEAN_ENV, "AUTH0_DOMAIN": base.removeprefix("https://"), "AUTH0_TOKEN": token}
    return {"reference": (reference_command(), {**common, "NODE_EXTRA_CA_CERTS": cert}),
            "auth0-mcp": ([EXE], {**common, "SSL_CERT_FILE": cert})}


def cold_start(command: list[str], env: dict[str, str]) -> tuple[float, int, int]:
    """Spawn until tools/list is answered: (ms, tools, bytes of the tools/list answer)."""
    elapsed, proc, line = until_tools_listed(env, command)
    proc.kill()
    proc.wait()
    for stream in (proc.stdin, proc.stdout):
        if stream:
            stream.close()
    return elapsed, len(json.loads(line)["result"]["tools"]), len(line.encode())


def text_bytes(result: dict[str, Any]) -> int:
    return sum(len(c.get("text", "").encode()) for c in result["content"])


def measure(name: str, command: list[str], env: dict[str, str], cases: dict[str, dict],
            runs: int, calls: int) -> dict[str, Any]:
    cold_start(command, env)  # warm the page cache
    starts = [cold_start(command, env) for _ in range(runs)]
    session = StdioSession(env, ("run",), command)
    apps = session.call("auth0_list_applications", cases["auth0_list_applications"])
    count = cases["auth0_list_applications"]["per_page"]  # the seeded tenant has more
    latency = {}
    for tool, arguments in cases.items():
        for _ in range(10):
            session.call(tool, arguments)
        durations = []
        for _ in range(calls):
            started = time.perf_counter()
            session.call(tool, arguments)
            durations.append((time.perf_counter() - started) * 1000)
        latency[tool] = summary(durations)["median"]
    rss = peak_rss_mib(session.proc.pid)
    exit_ms: float | str = session.close()
    if session.proc.returncode == -9:
        exit_ms = "never (killed after 30 s)"
    return {"server": name, "cold_start_ms": summary([s[0] for s in starts])["median"],
            "tools": starts[0][1], "tools_list_bytes": starts[0][2],
            "bytes_per_listed_application": text_bytes(apps) / count,
            "call_ms": latency, "peak_rss_mib": rss, "exit_after_stdin_close_ms": exit_ms}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    reference_command()  # installed before the sandbox starts
    with tempfile.TemporaryDirectory() as tls:
        proc, base, client_id, secret = start_sandbox(["--tls", tls])
        try:
            cert = str(Path(tls) / "cert.pem")
            token = httpx.post(f"{base}/oauth/token", verify=ssl.create_default_context(
                cafile=cert), json={
                "grant_type": "client_credentials", "client_id": client_id,
                "client_secret": secret, "audience": f"{base}/api/v2/"}).json()["access_token"]
            servers = both_servers(base, token, cert)
            theirs = measure("reference", *servers["reference"], {
                "auth0_list_applications": {"per_page": 5},
                "auth0_get_application": {"client_id": client_id},
                "auth0_list_logs": {"take": 50}}, args.runs, args.calls)
            ours = measure("auth0-mcp", *servers["auth0-mcp"], {
                "auth0_list_applications": {"per_page": 5},
                "auth0_get_application": {"client_id": client_id},
                "auth0_list_logs": {"per_page": 50}}, args.runs, args.calls)
        finally:
            proc.terminate()
            proc.wait()
    results = {"reference": theirs, "auth0_mcp": ours, "package": PACKAGE}
    if args.json:
        emit(results, True)
        return
    rows = []
    for key in ("cold_start_ms", "exit_after_stdin_close_ms", "tools", "tools_list_bytes",
                "bytes_per_listed_application", "peak_rss_mib"):
        numbers = all(isinstance(v, int | float) for v in (theirs[key], ours[key]))
        rows.append({"measure": key, "reference": theirs[key], "auth0-mcp": ours[key],
                     "ratio": ours[key] / theirs[key] if numbers and theirs[key] else "-"})
    for tool in theirs["call_ms"]:
        rows.append({"measure": f"{tool} median ms", "reference": theirs["call_ms"][tool],
                     "auth0-mcp": ours["call_ms"][tool],
                     "ratio": ours["call_ms"][tool] / theirs["call_ms"][tool]})
    print_table(f"side by side on this machine ({PACKAGE}; sandbox over https; "
                f"{args.runs} starts, {args.calls} calls per tool)", rows)


if __name__ == "__main__":
    main()
