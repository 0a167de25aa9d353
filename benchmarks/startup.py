"""Cold start, exit time and import cost of ``auth0-mcp run`` over stdio.

Cold start: process spawn until the ``tools/list`` answer (initialize, initialized and
tools/list written at once), median of N runs. Exit: stdin closed until the process is gone.
Credentials are a static token for a loopback domain, so no network is touched at start.

    python benchmarks/startup.py [--runs 10] [--json]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
import time

from _common import (
    CLEAN_ENV,
    EXE,
    emit,
    print_table,
    scoped_token,
    summary,
    until_tools_listed,
)

TOKEN = scoped_token()
ENV = {**CLEAN_ENV, "AUTH0_DOMAIN": "http://127.0.0.1:9", "AUTH0_TOKEN": TOKEN}


def one_run() -> tuple[float, float, int]:
    ready, proc, listed = until_tools_listed(ENV)
    assert proc.stdin
    closing = time.perf_counter()
    proc.stdin.close()
    watchdog = threading.Timer(30, proc.kill)  # wait(timeout=) polls every 50 ms: too coarse
    watchdog.start()
    proc.wait()
    exited = time.perf_counter() - closing
    watchdog.cancel()
    return ready, exited * 1000, len(json.loads(listed)["result"]["tools"])


def import_offenders(top: int = 12) -> list[dict[str, object]]:
    code = "import auth0_mcp.cli, auth0_mcp.runtime, auth0_mcp.transports"
    result = subprocess.run([sys.executable, "-X", "importtime", "-c", code],
                            capture_output=True, text=True, env=ENV)
    rows = []
    for line in result.stderr.splitlines():
        parts = [p.strip() for p in line.removeprefix("import time:").split("|")]
        if len(parts) != 3 or not parts[0].isdigit():
            continue
        rows.append({"module": parts[2], "self_ms": int(parts[0]) / 1000,
                     "cumulative_ms": int(parts[1]) / 1000})
    rows.sort(key=lambda r: r["cumulative_ms"], reverse=True)
    return rows[:top]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    one_run()  # warm the page cache and .pyc files
    ready, exits, tools = [], [], 0
    for _ in range(args.runs):
        r, e, tools = one_run()
        ready.append(r)
        exits.append(e)
    results = {"cold_start_ms": summary(ready), "exit_after_stdin_close_ms": summary(exits),
               "tools_listed": tools, "imports": import_offenders(), "command": EXE}
    if args.json:
        emit(results, True)
        return
    print_table(f"auth0-mcp run over stdio ({args.runs} runs, {tools} tools)", [
        {"measure": "spawn -> tools/list answered (ms)", **results["cold_start_ms"]},
        {"measure": "stdin closed -> process exited (ms)", **results["exit_after_stdin_close_ms"]},
    ])
    print_table("python -X importtime: top cumulative imports", results["imports"])


if __name__ == "__main__":
    main()
