"""``auth0-mcp run`` as a user runs it: a real process, driven by the MCP SDK client over stdio
and over Streamable HTTP, against the in-process sandbox tenant over real HTTP."""

from __future__ import annotations

import contextlib
import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
from mcp import Client
from mcp.client.stdio import StdioServerParameters

from auth0_mcp.testing import structured, text_of
from auth0_mcp.testing.processes import CLEAN_ENV

EXE = str(Path(sys.executable).parent / "auth0-mcp")
ENV = CLEAN_ENV  # no credentials from the shell; a test journal directory


def stdio(*args: str, env: dict[str, str] | None = None) -> StdioServerParameters:
    return StdioServerParameters(command=EXE, args=["run", *args], env=env or ENV)


async def test_stdio_session_lists_and_calls_tools():
    async with Client(stdio("--sandbox"), read_timeout_seconds=30) as client:
        tools = {t.name for t in (await client.list_tools()).tools}
        assert "auth0_list_resource_servers" in tools
        result = await client.call_tool("auth0_list_resource_servers", {"per_page": 2})
        data = structured(result)
        assert len(data["resource_servers"]) == 2 and data["has_more"] is True
        bad = await client.call_tool("auth0_get_resource_server", {"id": 123})
        assert bad.is_error and "expected string" in text_of(bad)


async def test_stdio_filters_and_read_only():
    async with Client(stdio("--sandbox", "--tools", "auth0_*_resource_server*", "--read-only"),
                      read_timeout_seconds=30) as client:
        tools = sorted(t.name for t in (await client.list_tools()).tools)
        assert tools == ["auth0_get_resource_server", "auth0_list_resource_servers"]


def test_bad_filter_is_one_line_and_non_zero_exit():
    result = subprocess.run([EXE, "run", "--sandbox", "--tools", ","], capture_output=True,
                            text=True, timeout=60, env=ENV, stdin=subprocess.DEVNULL)
    assert result.returncode != 0
    assert result.stderr.strip().splitlines()[-1].startswith("auth0-mcp: error:")
    assert "Traceback" not in result.stderr


def test_missing_credentials_is_an_actionable_error():
    result = subprocess.run([EXE, "run"], capture_output=True, text=True, timeout=60, env=ENV,
                            stdin=subprocess.DEVNULL)
    assert result.returncode != 0 and "AUTH0_DOMAIN" in result.stderr
    assert "--sandbox" in result.stderr


def _rpc(proc: subprocess.Popen, message: str) -> dict:
    assert proc.stdin and proc.stdout
    proc.stdin.write(message + "\n")
    proc.stdin.flush()
    return json.loads(proc.stdout.readline())


@contextlib.contextmanager
def raw_session() -> Iterator[subprocess.Popen]:
    """``run --sandbox`` driven by hand over its pipes; killed and reaped at the end."""
    proc = subprocess.Popen([EXE, "run", "--sandbox"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
    try:
        yield proc
    finally:
        proc.kill()
        proc.wait()
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            if stream and not stream.closed:
                stream.close()


INIT = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
    "protocolVersion": "2025-11-25", "capabilities": {},
    "clientInfo": {"name": "raw", "version": "0"}}})


def test_malformed_json_rpc_gets_an_error_and_the_server_lives_on_then_exits_on_eof():
    with raw_session() as proc:
        assert _rpc(proc, INIT)["result"]["serverInfo"]["name"] == "auth0"
        proc.stdin.write(json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"})
                         + "\n")
        garbage = _rpc(proc, "{this is not json")
        assert garbage["error"]["code"] == -32700 and garbage["id"] is None
        not_a_request = _rpc(proc, json.dumps({"jsonrpc": "2.0", "idx": 1}))
        assert not_a_request["error"]["code"] == -32600
        listed = _rpc(proc, json.dumps({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}))
        assert listed["result"]["tools"]
        unknown = _rpc(proc, json.dumps({"jsonrpc": "2.0", "id": 3, "method": "no/such"}))
        assert unknown["error"]["code"] == -32601
        proc.stdin.close()  # the client goes away
        assert proc.wait(timeout=10) == 0


def test_sigterm_exits_cleanly():
    with raw_session() as proc:
        assert "result" in _rpc(proc, INIT)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) in (0, -signal.SIGTERM)


async def test_http_session_lists_and_calls_tools(http_mcp_url: str):
    async with Client(http_mcp_url) as client:
        tools = {t.name for t in (await client.list_tools()).tools}
        assert "auth0_get_resource_server" in tools
        data = structured(await client.call_tool("auth0_list_resource_servers", {}))
        assert data["resource_servers"]


def test_http_rejects_foreign_host_header(http_mcp_url: str):
    response = httpx.post(http_mcp_url, headers={"Host": "evil.example.com"}, json={})
    assert response.status_code in (400, 403, 421)


def test_early_handshake_then_the_sdk_in_one_stdio_session():
    """``run`` answers initialize and tools/list before the SDK is loaded, then hands the
    session over at the first call: one answer per request, the same list before and after,
    and the replayed initialize never reaches the client."""
    with raw_session() as proc:
        assert _rpc(proc, INIT)["result"]["protocolVersion"] == "2025-11-25"
        proc.stdin.write(json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"})
                         + "\n")
        early = _rpc(proc, json.dumps({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}))
        call = _rpc(proc, json.dumps({"jsonrpc": "2.0", "id": 3, "method": "tools/call",
                                      "params": {"name": "auth0_list_applications",
                                                 "arguments": {"per_page": 1}}}))
        assert call["id"] == 3 and not call["result"]["isError"]
        late = _rpc(proc, json.dumps({"jsonrpc": "2.0", "id": 4, "method": "tools/list"}))
        assert late["result"] == early["result"]
        proc.stdin.close()
        assert proc.wait(timeout=10) == 0
        assert proc.stdout.read() == ""  # nothing else was written: no second initialize
        assert "replayed initialize" not in proc.stderr.read()


def test_a_protocol_revision_the_handshake_does_not_know_is_negotiated_by_the_sdk():
    with raw_session() as proc:
        offer = json.loads(INIT)
        offer["params"]["protocolVersion"] = "2099-01-01"
        answer = _rpc(proc, json.dumps(offer))
        assert answer["result"]["protocolVersion"] == "2025-11-25"  # the SDK's counter-offer
        listed = _rpc(proc, json.dumps({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}))
        assert listed["result"]["tools"]


def test_input_that_ends_right_after_the_calls_still_gets_every_answer():
    """``printf '...' | auth0-mcp run``: the SDK cancels what is in flight when its input
    ends; the server waits for the answers before it lets the input close."""
    calls = [json.dumps({"jsonrpc": "2.0", "id": n, "method": "tools/call", "params": {
        "name": "auth0_list_applications", "arguments": {"per_page": 1}}}) for n in (2, 3)]
    piped = "\n".join([INIT, json.dumps({"jsonrpc": "2.0", "method":
                                         "notifications/initialized"}), *calls]) + "\n"
    result = subprocess.run([EXE, "run", "--sandbox"], input=piped, capture_output=True,
                            text=True, timeout=60, env=ENV)
    answers = {m["id"]: m for m in map(json.loads, result.stdout.splitlines())}
    assert result.returncode == 0 and sorted(answers) == [1, 2, 3]
    assert all("result" in answers[n] and not answers[n]["result"]["isError"] for n in (2, 3))
