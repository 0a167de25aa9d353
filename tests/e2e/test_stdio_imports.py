"""stdio loads only what stdio uses: after a session of reads the process has not imported the
MCP SDK, the HTTP server stack, OpenTelemetry or cryptography (tens of MiB); the first message
that needs the SDK loads it, and the session goes on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

# Imported by `auth0-mcp run`, then reports sys.modules when the process exits (run ends in
# os._exit, which skips atexit).
DUMP_AT_EXIT = """
import os, sys
out, real_exit = sys.argv.pop(1), os._exit
def dump_and_exit(code):
    with open(out, "w") as fh:
        fh.write("\\n".join(sorted(sys.modules)))
    real_exit(code)
os._exit = dump_and_exit
sys.argv[0] = "auth0-mcp"
from auth0_mcp.cli import main
main()
"""
NEVER_FOR_READS = ("mcp", "mcp_types", "pydantic", "uvicorn", "starlette", "sse_starlette",
                   "opentelemetry", "cryptography", "auth0_mcp_sandbox")


def session(sandbox, tmp_path: Path, requests: list[dict]) -> tuple[set[str], list[dict]]:
    """A stdio session with the given requests after the handshake; (modules, answers)."""
    client_id, secret = sandbox.admin_credentials
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("AUTH0_", "DEBUG"))},
           "AUTH0_DOMAIN": sandbox.base_url, "AUTH0_CLIENT_ID": client_id,
           "AUTH0_CLIENT_SECRET": secret}
    handshake = [{"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {},
        "clientInfo": {"name": "t", "version": "0"}}},
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}]
    piped = "".join(json.dumps(m) + "\n" for m in handshake + requests)
    dump = tmp_path / "modules.txt"
    result = subprocess.run([sys.executable, "-c", DUMP_AT_EXIT, str(dump), "run"],
                            input=piped, capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 0, result.stderr
    return set(dump.read_text().split()), [json.loads(x) for x in result.stdout.splitlines()]


def loaded(modules: set[str], package: str) -> bool:
    return package in modules or any(m.startswith(package + ".") for m in modules)


def test_a_session_of_reads_never_imports_the_sdk_or_the_http_stack(sandbox, tmp_path):
    calls = [{"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {
        "name": "auth0_list_applications", "arguments": {"per_page": 2}}},
        {"jsonrpc": "2.0", "id": 4, "method": "tools/call", "params": {
            "name": "auth0_list_logs", "arguments": {"per_page": 5}}},
        {"jsonrpc": "2.0", "id": 5, "method": "ping"}]
    modules, answers = session(sandbox, tmp_path, calls)
    by_id = {a["id"]: a for a in answers}
    assert sorted(by_id) == [1, 2, 3, 4, 5]
    assert not by_id[3]["result"]["isError"] and not by_id[4]["result"]["isError"]
    assert "auth0_mcp.pipeline" in modules  # the calls did run here
    assert [p for p in NEVER_FOR_READS if loaded(modules, p)] == []


def test_the_first_message_that_needs_the_sdk_loads_it(sandbox, tmp_path):
    requests = [{"jsonrpc": "2.0", "id": 3, "method": "resources/list"},
                {"jsonrpc": "2.0", "id": 4, "method": "tools/call", "params": {
                    "name": "auth0_list_applications", "arguments": {"per_page": 1}}}]
    modules, answers = session(sandbox, tmp_path, requests)
    by_id = {a["id"]: a for a in answers}
    assert by_id[3]["error"]["code"] == -32601  # the SDK's answer
    assert not by_id[4]["result"]["isError"]
    assert loaded(modules, "mcp")


def test_messages_json_reads_unlike_the_sdk_never_stop_the_session(sandbox, tmp_path):
    """A cancellation naming an id of the wrong type, a lone-surrogate id (json accepts it,
    the SDK refuses it, and no UTF-8 answer can carry it) and nesting deeper than Python
    recurses: each gets its answer (or none, for a notification) and the session goes on."""
    lone = "\ud800"
    _, answers = session(sandbox, tmp_path, [
        {"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": [1]}},
        {"jsonrpc": "2.0", "id": lone, "method": "ping"},
        {"jsonrpc": "2.0", "id": 4, "method": "tools/call", "params": {
            "name": "auth0_list_applications", "arguments": {"q": lone}}},
        {"jsonrpc": "2.0", "id": 5, "method": "tools/call", "params": {
            "name": "auth0_list_applications", "arguments": {"a": [[[[[]]]]] * 2}}},
        {"jsonrpc": "2.0", "id": 6, "method": "ping"}])
    rest = [a for a in answers if a.get("id") not in (1, 2)]
    refused = {"jsonrpc": "2.0", "id": None, "error": {"code": -32600,
                                                       "message": "Invalid Request"}}
    assert rest[:2] == [refused, refused]  # both lone surrogates, as the SDK judges them
    assert rest[2]["id"] == 5 and rest[2]["result"]["isError"]  # an ordinary tool error
    assert rest[3:] == [{"jsonrpc": "2.0", "id": 6, "result": {}}]  # and it goes on
