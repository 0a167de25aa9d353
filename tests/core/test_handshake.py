"""The early handshake (handshake.py): what it answers itself, what it hands to the SDK, and that
what it says is what the SDK would have said."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from mcp import Client
from mcp.types import Implementation, ServerCapabilities
from mcp_types import version

from auth0_mcp import handshake
from auth0_mcp.handshake import REPLAY_ID, answer_handshake
from auth0_mcp.testing import Harness

TOOLS = [{"name": "auth0_list_things", "inputSchema": {"type": "object"}}]


def init(version: str = "2025-11-25", id_: Any = 1, **params: Any) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": id_, "method": "initialize", "params": {
        "protocolVersion": version, "capabilities": {},
        "clientInfo": {"name": "test", "version": "0"}, **params}}


INITIALIZED = {"jsonrpc": "2.0", "method": "notifications/initialized"}
LIST = {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}
CALL = {"jsonrpc": "2.0", "id": 3, "method": "tools/call",
        "params": {"name": "auth0_list_things", "arguments": {}}}


def run(*messages: Any, raw: bytes = b"") -> tuple[handshake.Handover, list[dict[str, Any]]]:
    data = b"".join(json.dumps(m).encode() + b"\n" for m in messages) + raw
    out = io.BytesIO()
    handover = answer_handshake(TOOLS, io.BytesIO(data), out)
    return handover, [json.loads(line) for line in out.getvalue().splitlines()]


def test_answers_initialize_list_and_ping_then_hands_over_the_first_call():
    handover, answers = run(init(), INITIALIZED, LIST, {"jsonrpc": "2.0", "id": "p", "method":
                                                        "ping"}, CALL, LIST)
    assert [a["id"] for a in answers] == [1, 2, "p"]
    assert answers[0]["result"]["protocolVersion"] == "2025-11-25"
    assert answers[1]["result"] == {"tools": TOOLS}
    assert answers[2]["result"] == {}
    replay = [json.loads(line) for line in handover.replay()]
    assert replay[0] == {**init(), "id": REPLAY_ID}  # the client's own params, our id
    assert replay[1] == INITIALIZED
    assert replay[2] == CALL  # the call, untouched; the later tools/list is still unread


def test_input_ending_during_the_handshake_needs_no_sdk():
    handover, answers = run(init(), INITIALIZED, LIST)
    assert handover.pending is None and len(answers) == 2


@pytest.mark.parametrize("first", [
    init("2026-07-28"),  # the stateless era: the SDK's
    init("1999-01-01"),  # the SDK negotiates
    init(clientInfo={"name": "no version"}),  # the SDK explains what is wrong
    init(_meta={"io.modelcontextprotocol/protocolVersion": "2026-07-28"}),
    LIST,  # before initialize
    {"jsonrpc": "2.0", "id": 1, "method": "ping"},  # before initialize
    {"jsonrpc": "1.0", "id": 1, "method": "initialize"},
    {"jsonrpc": "2.0", "id": True, "method": "initialize"},
    [init()],  # a batch
])
def test_anything_unusual_goes_to_the_sdk_untouched(first: Any):
    handover, answers = run(first, LIST)
    assert answers == []
    assert handover.replay() == [json.dumps(first).encode() + b"\n"]


def test_a_line_that_is_not_json_goes_to_the_sdk_which_answers_it():
    handover, answers = run(init(), raw=b"{not json\n")
    assert len(answers) == 1 and handover.pending == b"{not json\n"


def test_blank_lines_are_skipped_and_a_cursor_is_the_sdks():
    handover, answers = run(init(), raw=b"\n  \n" + json.dumps(
        {**LIST, "params": {"cursor": "x"}}).encode() + b"\n")
    assert len(answers) == 1 and json.loads(handover.pending)["params"] == {"cursor": "x"}


def test_on_listed_runs_once_after_the_first_list_is_written():
    seen: list[int] = []
    out = io.BytesIO()
    data = b"".join(json.dumps(m).encode() + b"\n" for m in (init(), LIST, LIST))
    answer_handshake(TOOLS, io.BytesIO(data), out,
                     on_listed=lambda: seen.append(len(out.getvalue().splitlines())))
    assert seen == [2]


def test_the_sdk_constants_it_copies_are_the_sdks():
    assert handshake.HANDSHAKE_VERSIONS == version.HANDSHAKE_PROTOCOL_VERSIONS
    from mcp.server.runner import PROTOCOL_VERSION_META_KEY

    assert handshake.MODERN_META_KEY == PROTOCOL_VERSION_META_KEY


async def test_initialize_and_tools_list_are_what_the_sdk_server_says(auth0_mcp: Harness):
    """An SDK client of the SDK server built for the same tools sees the same initialize
    result and list."""
    async with auth0_mcp.runtime() as runtime, Client(runtime.server, mode="legacy") as client:
        early = handshake.initialize_result(client.protocol_version)
        assert client.server_capabilities == ServerCapabilities.model_validate(
            early["capabilities"])
        assert client.server_info == Implementation.model_validate(early["serverInfo"])
        assert client.instructions == early["instructions"]
        sdk_list = [t.model_dump(by_alias=True, exclude_none=True, mode="json")
                    for t in (await client.list_tools()).tools]
        assert sdk_list == [s.listing for s in runtime.tools]


def test_a_line_reader_hands_on_what_it_read_past_the_handover():
    """Input written in one burst: what the reader got past the call stays in ``unread`` for
    the event loop's reader (a buffered file would keep it out of reach)."""
    import os

    from auth0_mcp.handshake import LineReader

    read_end, write_end = os.pipe()
    try:
        os.write(write_end, b"".join(json.dumps(m).encode() + b"\n"
                                     for m in (init(), INITIALIZED, CALL, LIST)) + b'{"part')
        handover = answer_handshake(TOOLS, LineReader(read_end), io.BytesIO())
    finally:
        os.close(read_end)
        os.close(write_end)
    assert json.loads(handover.pending) == CALL
    assert handover.unread == json.dumps(LIST).encode() + b'\n{"part'
