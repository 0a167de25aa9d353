"""The stdio session (stdio.py): which messages are answered on the loop and which by the SDK
server, cancellation, the answers at end of input, and that an answer given here is the one
the SDK would give."""

from __future__ import annotations

import json
from typing import Any

import anyio
import attrs
import mcp.types as types
from mcp import Client

from auth0_mcp.handshake import INITIALIZED, REPLAY_ID, Handover
from auth0_mcp.pipeline import Outcome
from auth0_mcp.readcalls import call_result
from auth0_mcp.server import CALL_ID
from auth0_mcp.stdio import StdioSession

INIT_PARAMS = {"protocolVersion": "2025-11-25", "capabilities": {},
               "clientInfo": {"name": "t", "version": "0"}}
LISTINGS = [{"name": "read_thing", "inputSchema": {"type": "object"}}]


def line(message: dict[str, Any]) -> bytes:
    return json.dumps(message).encode() + b"\n"


def call(rid: Any, name: str, arguments: dict[str, Any] | None = None) -> bytes:
    return line({"jsonrpc": "2.0", "id": rid, "method": "tools/call",
                 "params": {"name": name, "arguments": arguments or {}}})


@attrs.frozen
class Spec:
    kind: str


class SlowPipeline:
    """read_thing waits for ``release``; update_thing answers at once."""

    tools = {"read_thing": Spec("read"), "update_thing": Spec("update")}

    def __init__(self) -> None:
        self.release = anyio.Event()
        self.started: list[str] = []

    async def call(self, name: str, arguments: Any) -> Outcome:
        self.started.append(name)
        if arguments and arguments.get("crash"):
            raise RuntimeError("a bug")
        if name == "read_thing":
            await self.release.wait()
        return Outcome({"name": name}, f"did {name}", False)


class MemoryWire:
    def __init__(self) -> None:
        self.send, self.receive = anyio.create_memory_object_stream[bytes](100)
        self.written: list[dict[str, Any]] = []

    async def readline(self) -> bytes:
        try:
            return await self.receive.receive()
        except anyio.EndOfStream:
            return b""

    async def write(self, data: bytes) -> None:
        self.written.append(json.loads(data))

    def ids(self) -> list[Any]:
        return [m.get("id") for m in self.written]


class FakeSdk:
    """Stands in for the SDK server: records what it is told, answers every request."""

    def __init__(self) -> None:
        self.received: list[Any] = []

    def create_initialization_options(self) -> None:
        return None

    async def run(self, read: Any, write: Any, _options: Any) -> None:
        from mcp.shared.message import SessionMessage

        async with read, write:
            async for item in read:
                message = item.message
                self.received.append(message)
                if getattr(message, "method", None) and getattr(message, "id", None) is not None:
                    await write.send(SessionMessage(types.JSONRPCResponse(
                        jsonrpc="2.0", id=message.id, result={"by": "sdk"})))


def handed_over(pending: bytes | None = None) -> Handover:
    return Handover(initialize=INIT_PARAMS, initialized=True, pending=pending)


async def run_session(wire: MemoryWire, pipeline: Any, lines: list[bytes],
                      handover: Handover, sdk: FakeSdk | None = None) -> StdioSession:
    session = StdioSession(wire, pipeline, LISTINGS, lambda: sdk or FakeSdk(), handover)
    async with anyio.create_task_group() as tg:
        tg.start_soon(session.serve)
        for item in lines:
            await wire.send.send(item)
        await wire.send.aclose()
    return session


async def test_reads_ping_and_list_never_start_the_sdk():
    wire, pipeline = MemoryWire(), SlowPipeline()
    pipeline.release.set()

    def no_sdk() -> Any:
        raise AssertionError("the SDK server was started")

    session = StdioSession(wire, pipeline, LISTINGS, no_sdk, handed_over(call(2, "read_thing")))
    async with anyio.create_task_group() as tg:
        tg.start_soon(session.serve)
        await wire.send.send(line({"jsonrpc": "2.0", "id": 3, "method": "ping"}))
        await wire.send.send(line({"jsonrpc": "2.0", "id": "4", "method": "tools/list"}))
        await wire.send.send(b"{not json\n")
        await wire.send.aclose()
    answers = {m["id"]: m for m in wire.written}
    assert answers[2]["result"] == {"content": [{"type": "text", "text": "did read_thing"}],
                                    "isError": False, "structuredContent": {"name": "read_thing"}}
    assert answers[3]["result"] == {} and answers["4"]["result"] == {"tools": LISTINGS}
    assert answers[None]["error"]["code"] == -32700


async def test_a_mutation_goes_to_the_sdk_after_the_replayed_handshake():
    wire, pipeline, sdk = MemoryWire(), SlowPipeline(), FakeSdk()
    pipeline.release.set()
    await run_session(wire, pipeline, [call(3, "read_thing")],
                      handed_over(call(2, "update_thing")), sdk)
    first, second, third = sdk.received
    assert first.id == REPLAY_ID and first.method == "initialize"
    assert second.method == INITIALIZED["method"]
    assert third.id == 2 and third.method == "tools/call"
    assert pipeline.started == ["read_thing"]  # the mutation was the SDK's to run
    assert sorted(wire.ids()) == [2, 3]  # the replayed initialize's answer is dropped
    assert next(m for m in wire.written if m["id"] == 2)["result"] == {"by": "sdk"}


async def test_a_modern_era_request_and_an_unknown_method_go_to_the_sdk():
    wire, sdk = MemoryWire(), FakeSdk()
    modern = {"jsonrpc": "2.0", "id": 5, "method": "tools/list", "params": {
        "_meta": {"io.modelcontextprotocol/protocolVersion": "2026-07-28"}}}
    await run_session(wire, SlowPipeline(), [line(modern)], handed_over(
        line({"jsonrpc": "2.0", "id": 4, "method": "resources/list"})), sdk)
    assert [m.id for m in sdk.received[2:]] == [4, 5]
    assert sorted(wire.ids()) == [4, 5]


async def test_a_cancelled_read_is_never_answered():
    wire, pipeline = MemoryWire(), SlowPipeline()
    cancel = line({"jsonrpc": "2.0", "method": "notifications/cancelled",
                   "params": {"requestId": 7}})
    session = await run_session(wire, pipeline, [cancel], handed_over(call(7, "read_thing")))
    assert pipeline.started == ["read_thing"] and wire.written == []
    assert session.sdk is None and session.inflight == {}


async def test_input_that_ends_during_a_read_still_gets_its_answer():
    wire, pipeline = MemoryWire(), SlowPipeline()
    session = StdioSession(wire, pipeline, LISTINGS, FakeSdk, handed_over(call(8, "read_thing")))
    async with anyio.create_task_group() as tg:
        tg.start_soon(session.serve)
        await wire.send.aclose()
        await anyio.wait_all_tasks_blocked()
        assert wire.written == []
        pipeline.release.set()
    assert wire.ids() == [8]


async def test_a_pipeline_bug_is_an_internal_error_and_the_session_goes_on():
    wire, pipeline = MemoryWire(), SlowPipeline()
    pipeline.release.set()
    await run_session(wire, pipeline, [call(10, "read_thing")],
                      handed_over(call(9, "read_thing", {"crash": True})))
    answers = {m["id"]: m for m in wire.written}
    assert answers[9]["error"]["code"] == -32603 and not answers[10]["result"]["isError"]


async def test_an_answer_given_here_is_the_one_the_sdk_gives(auth0_mcp):
    """The same calls through the SDK server's own handler and through call_result, and the
    same tool list."""
    cases = [("auth0_list_applications", {"per_page": 2}),
             ("auth0_get_application", {"client_id": "no-such-client"}),
             ("auth0_list_logs", {"per_page": 3, "take": 2})]  # an argument error
    async with auth0_mcp.runtime() as runtime, Client(runtime.server, mode="legacy") as client:
        for name, arguments in cases:
            theirs = (await client.call_tool(name, arguments)).model_dump(
                mode="json", by_alias=True, exclude_none=True)
            ours = call_result(await runtime.pipeline.call(name, arguments))
            assert set(theirs) - set(ours) <= {"resultType"}
            assert theirs["_meta"].keys() == ours["_meta"].keys() == {CALL_ID}  # ids differ
            assert {k: theirs[k] for k in ours if k != "_meta"} == {
                k: v for k, v in ours.items() if k != "_meta"}, name
        listed = [t.model_dump(mode="json", by_alias=True, exclude_none=True)
                  for t in (await client.list_tools()).tools]
        assert listed == [s.listing for s in runtime.tools]  # what tools/list answers here


async def test_nesting_deeper_than_python_recurses_is_a_parse_error_and_the_session_goes_on():
    wire, pipeline = MemoryWire(), SlowPipeline()
    pipeline.release.set()
    await run_session(wire, pipeline, [b"[" * 100_000 + b"\n", call(3, "read_thing")],
                      handed_over())
    assert wire.written[0]["error"]["code"] == -32700
    assert wire.ids()[1:] == [3]
