"""Serving the MCP server over the SDK's own transports: stdio (default) and Streamable HTTP."""

from __future__ import annotations

import contextlib
import io
import logging
import sys
from collections.abc import AsyncIterator, Sequence
from typing import Any

import anyio

from .handshake import REPLAY_ID, Handover

log = logging.getLogger("auth0_mcp")


async def serve_stdio(server: Any, handover: Handover) -> None:
    """Serve until the client closes stdin; the SDK points fd 1 at stderr while serving, so a
    stray print cannot corrupt the JSON-RPC stream.

    After the early handshake (handshake.py), ``handover`` says what the SDK must be told
    first; it then reads on from the same stdin buffer the handshake read from (a fresh
    descriptor would lose bytes already buffered)."""
    from mcp.server.stdio import stdio_server

    stdin = anyio.wrap_file(_BorrowedText(sys.stdin.buffer, encoding="utf-8", errors="replace"))
    async with stdio_server(stdin=stdin) as (read, write):
        inner_send, inner_read = anyio.create_memory_object_stream[Any](0)
        out_send, out_read = anyio.create_memory_object_stream[Any](0)
        unanswered = Unanswered()
        async with anyio.create_task_group() as tg:
            tg.start_soon(answer_unparsable, read, inner_send, write, handover.replay(),
                          unanswered)
            tg.start_soon(server.run, inner_read, out_send, server.create_initialization_options())
            # Returns once the server has closed its side, every answer written.
            await drop_replayed_answer(out_read, write, unanswered)
            tg.cancel_scope.cancel()


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


class _BorrowedText(io.TextIOWrapper):
    """A text layer over sys.stdin's buffer that never closes it (the buffer is not ours)."""

    def close(self) -> None:
        with contextlib.suppress(ValueError):
            self.detach()


async def drop_replayed_answer(answers: Any, write: Any, unanswered: Unanswered) -> None:
    """Pass the server's messages on, except its answer to the replayed initialize (the client
    was answered by the handshake already)."""
    async with answers, write:
        async for item in answers:
            unanswered.answered(item.message)
            if getattr(item.message, "id", None) == REPLAY_ID:
                if getattr(item.message, "error", None) is not None:
                    log.error("the SDK refused the replayed initialize: %s", item.message.error)
                continue
            await write.send(item)


async def answer_unparsable(read: Any, forward: Any, write: Any,
                            first: Sequence[bytes], unanswered: Unanswered) -> None:
    """The SDK drops lines that are not JSON-RPC without a word; JSON-RPC 2.0 wants an error
    response (id null): -32700 for text that is not JSON, -32600 for JSON that is not a
    request. Everything else is passed on untouched, after the ``first`` lines (parsed as the
    SDK's stdio reader parses them)."""
    import mcp.types as types
    from mcp.shared.message import SessionMessage

    def parse(line: bytes) -> Any:
        try:
            return SessionMessage(types.jsonrpc_message_adapter.validate_json(line,
                                                                               by_name=False))
        except Exception as exc:
            return exc

    async def items() -> AsyncIterator[Any]:
        for line in first:
            yield parse(line)
        async for item in read:
            yield item

    async with forward:
        async for item in items():
            if not isinstance(item, Exception):
                unanswered.read(item.message)
                await forward.send(item)
                continue
            errors: list[dict[str, Any]] = getattr(item, "errors", lambda: [])()
            not_json = any(e.get("type") == "json_invalid" for e in errors)
            code, message = (-32700, "Parse error") if not_json else (-32600, "Invalid Request")
            log.info("answered an unparsable message with %d", code)
            reply = types.JSONRPCError(jsonrpc="2.0", id=None,
                                       error=types.ErrorData(code=code, message=message))
            await write.send(SessionMessage(reply))
        await unanswered.drained()  # input ended: let the calls in flight finish first


async def serve_http(server: Any, host: str, port: int, settings: Any,
                     state: Any = None) -> None:
    """Streamable HTTP at ``/mcp``; OAuth-protected when ``settings.issuer`` is set."""
    import uvicorn

    from .remote.app import build_http_app

    app = build_http_app(server, settings, host, port, state=state)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="on")
    await uvicorn.Server(config).serve()
