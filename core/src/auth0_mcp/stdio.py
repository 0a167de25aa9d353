"""Serving stdio: reads answered on the event loop, everything else by the SDK server.

After the early handshake (handshake.py) a session is mostly read calls. Those, ``ping`` and
``tools/list`` are answered here straight from the pipeline: no pydantic round trip, no
dispatcher, and no SDK in memory (importing it brings the HTTP server stack, OpenTelemetry and
cryptography: tens of MiB a stdio session never uses). The first message anything else needs
(another method, a mutation (which may ask the user to confirm), a malformed request, the
2026 protocol era) starts the SDK server, brought to the session's state by replaying the
client's ``initialize`` as the handshake does; from then on it answers all but the reads. The
SDK remains the authority on the protocol: what is answered here is answered exactly as it
would answer it (a test compares the two).

Cancellation is the SDK's: ``notifications/cancelled`` stops a read in flight and it is never
answered. When input ends, every request read gets its answer before the process exits.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import anyio
import attrs

from .handshake import INITIALIZED, REPLAY_ID, Handover, encode, parse_plain
from .pipes import LINE_LIMIT, LineTooLong, Wire, open_wire
from .readcalls import (
    REQUEST_KEYS,
    answer_read,
    cancelled,
    handshake_era,
    read_call,
    request_key,
    valid_id,
)

log = logging.getLogger("auth0_mcp")

def _line(message: Mapping[str, Any]) -> bytes:
    return encode(message) + b"\n"


def _error(code: int, message: str) -> bytes:
    return _line({"jsonrpc": "2.0", "id": None, "error": {"code": code, "message": message}})


class Unanswered:
    """Ids of requests read but not answered yet. The SDK cancels whatever is in flight when
    its input ends, so ``printf '...call...' | auth0-mcp run`` would get "Connection closed"
    for the very call it sent; the input is closed only once every request has its answer."""

    DRAIN_LIMIT = 300.0  # seconds; calls have their own (shorter) time limits

    def __init__(self) -> None:
        self.ids: set[Any] = set()
        self._empty = anyio.Event()
        self._empty.set()

    def read(self, message: Any) -> None:
        if getattr(message, "method", None) is not None and getattr(message, "id", None) \
                is not None:
            if not self.ids:
                self._empty = anyio.Event()
            self.ids.add(message.id)

    def answered(self, message: Any) -> None:
        self.ids.discard(getattr(message, "id", None))
        if not self.ids:
            self._empty.set()

    async def drained(self) -> None:
        with anyio.move_on_after(self.DRAIN_LIMIT):
            await self._empty.wait()


@attrs.define
class SdkSide:
    """The SDK server, once started: its input, and the requests it has not answered yet."""

    inbound: Any
    unanswered: Any


class StdioSession:
    """One stdio session. ``pipeline`` answers calls (its ``tools`` are this session's);
    ``listings`` is what tools/list returns; ``make_server`` builds the SDK server when it is
    first needed."""

    def __init__(self, wire: Wire, pipeline: Any, listings: Sequence[Mapping[str, Any]],
                 make_server: Callable[[], Any], handover: Handover) -> None:
        self.wire = wire
        self.pipeline = pipeline
        self.listings = list(listings)
        self.make_server = make_server
        self.handover = handover
        # Answered here only in the handshake era, after our own answer to initialize.
        self.fast = handover.initialize is not None
        self.inflight: dict[tuple[type, Any], anyio.CancelScope] = {}
        self.sdk: SdkSide | None = None
        self._tg: anyio.abc.TaskGroup | None = None

    async def serve(self) -> None:
        async with anyio.create_task_group() as tg:
            self._tg = tg
            if not self.fast:
                await self._start_sdk()
            if self.handover.pending is not None:
                await self.handle(self.handover.pending)
            while True:
                try:
                    line = await self.wire.readline()
                except LineTooLong:
                    await self.wire.write(_error(-32600, f"Invalid Request: a message over "
                                                         f"{LINE_LIMIT:,} bytes"))
                    continue
                if not line:
                    break
                await self.handle(line)
            if self.sdk is not None:  # input ended: let the SDK's calls in flight finish
                await self.sdk.unanswered.drained()
                await self.sdk.inbound.aclose()

    async def handle(self, line: bytes) -> None:
        if not line.strip():
            return
        message = parse_plain(line)
        if message is None:  # not JSON (answered here), or JSON the SDK must judge
            try:
                json.loads(line)
            except (ValueError, RecursionError):
                log.info("answered an unparsable message with -32700")
                await self.wire.write(_error(-32700, "Parse error"))
                return
            await self._to_sdk(line)
            return
        if not (self.fast and self._answer_here(message)):
            await self._to_sdk(line)

    def _answer_here(self, message: Any) -> bool:
        """Answer (or start answering) ``message`` here; False: the SDK must."""
        if not handshake_era(message) or not message.keys() <= REQUEST_KEYS:
            return False
        method, params = message.get("method"), message.get("params") or {}
        if "id" not in message:
            return self._notification(method, params)
        rid = message["id"]
        if not valid_id(rid) or request_key(rid) in self.inflight:
            return False
        assert self._tg is not None
        if method == "ping":
            self._tg.start_soon(self._reply, rid, {})
            return True
        if method == "tools/list" and not params.get("cursor"):
            self._tg.start_soon(self._reply, rid, {"tools": self.listings})
            return True
        call = read_call(message, self.pipeline.tools)
        if call is None:  # a mutation may ask the user to confirm: that needs the SDK session
            return False
        scope = anyio.CancelScope()
        self.inflight[request_key(rid)] = scope
        self._tg.start_soon(self._call, rid, call.name, call.arguments, scope)
        return True

    def _notification(self, method: Any, params: dict[str, Any]) -> bool:
        if method == INITIALIZED["method"] and self.sdk is None:
            self.handover.initialized = True  # replayed to the SDK if it starts
            return True
        key = cancelled(method, params)
        scope = self.inflight.get(key) if key is not None else None
        if scope is not None:
            scope.cancel()
            return True
        return False

    async def _call(self, rid: str | int, name: str, arguments: dict[str, Any] | None,
                    scope: anyio.CancelScope) -> None:
        try:
            answer = await answer_read(lambda: self.pipeline.call(name, arguments), scope, name)
        finally:
            del self.inflight[request_key(rid)]
        if answer is not None:  # a request the client cancelled is never answered
            await self.wire.write(_line({"jsonrpc": "2.0", "id": rid, **answer}))

    async def _reply(self, rid: Any, result: Mapping[str, Any]) -> None:
        await self.wire.write(_line({"jsonrpc": "2.0", "id": rid, "result": result}))

    async def _start_sdk(self) -> None:
        """Import and start the SDK server; replay the client's initialize (its answer is
        dropped: the client has it) and initialized notification to it."""
        assert self._tg is not None
        server = self.make_server()
        inbound_send, inbound_read = anyio.create_memory_object_stream[Any](math.inf)
        out_send, out_read = anyio.create_memory_object_stream[Any](0)
        self.sdk = SdkSide(inbound_send, Unanswered())
        self._tg.start_soon(server.run, inbound_read, out_send,
                            server.create_initialization_options())
        self._tg.start_soon(self._sdk_answers, out_read)
        for line in attrs.evolve(self.handover, pending=None).replay():
            await self._to_sdk(line)

    async def _to_sdk(self, line: bytes) -> None:
        """Parse ``line`` as the SDK's stdio reader does and pass it on; JSON that is not a
        JSON-RPC message gets -32600 (the SDK would drop it without a word)."""
        import mcp.types as types
        from mcp.shared.message import SessionMessage

        if self.sdk is None:
            await self._start_sdk()
        assert self.sdk is not None
        try:
            message = types.jsonrpc_message_adapter.validate_json(line, by_name=False)
        except Exception:
            log.info("answered an invalid JSON-RPC message with -32600")
            await self.wire.write(_error(-32600, "Invalid Request"))
            return
        self.sdk.unanswered.read(message)
        await self.sdk.inbound.send(SessionMessage(message))

    async def _sdk_answers(self, answers: Any) -> None:
        """Write the SDK's messages, except its answer to the replayed initialize."""
        assert self.sdk is not None
        async with answers:
            async for item in answers:
                message = item.message
                self.sdk.unanswered.answered(message)
                if getattr(message, "id", None) == REPLAY_ID:
                    if getattr(message, "error", None) is not None:
                        log.error("the SDK refused the replayed initialize: %s", message.error)
                    continue
                await self.wire.write(message.model_dump_json(
                    by_alias=True, exclude_unset=True).encode() + b"\n")


async def serve(pipeline: Any, listings: Sequence[Mapping[str, Any]],
                make_server: Callable[[], Any], handover: Handover) -> None:
    """Serve stdio until the client closes stdin and every request read is answered."""
    async with open_wire(handover.unread) as wire:
        await StdioSession(wire, pipeline, listings, make_server, handover).serve()
