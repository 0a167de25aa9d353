"""Serving the MCP server over the SDK's own transports: stdio (default) and Streamable HTTP."""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger("auth0_mcp")


async def serve_stdio(server: Any) -> None:
    """Serve until the client closes stdin; the SDK points fd 1 at stderr while serving, so a
    stray print cannot corrupt the JSON-RPC stream."""
    import anyio
    from mcp.server.stdio import stdio_server

    async with stdio_server() as (read, write):
        inner_send, inner_read = anyio.create_memory_object_stream[Any](0)
        async with anyio.create_task_group() as tg:
            tg.start_soon(answer_unparsable, read, inner_send, write)
            await server.run(inner_read, write, server.create_initialization_options())
            tg.cancel_scope.cancel()


async def answer_unparsable(read: Any, forward: Any, write: Any) -> None:
    """The SDK drops lines that are not JSON-RPC without a word; JSON-RPC 2.0 wants an error
    response (id null): -32700 for text that is not JSON, -32600 for JSON that is not a
    request. Everything else is passed on untouched."""
    import mcp.types as types
    from mcp.shared.message import SessionMessage

    async with forward:
        async for item in read:
            if not isinstance(item, Exception):
                await forward.send(item)
                continue
            errors = getattr(item, "errors", lambda: [])()
            not_json = any(e.get("type") == "json_invalid" for e in errors)
            code, message = (-32700, "Parse error") if not_json else (-32600, "Invalid Request")
            log.info("answered an unparsable message with %d", code)
            reply = types.JSONRPCError(jsonrpc="2.0", id=None,
                                       error=types.ErrorData(code=code, message=message))
            await write.send(SessionMessage(reply))


async def serve_http(server: Any, host: str, port: int, settings: Any) -> None:
    """Streamable HTTP at ``/mcp``; OAuth-protected when ``settings.issuer`` is set."""
    import uvicorn

    from .remote.app import build_http_app

    app = build_http_app(server, settings, host, port)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="on")
    await uvicorn.Server(config).serve()
