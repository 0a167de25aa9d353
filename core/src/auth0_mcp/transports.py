"""Serving the MCP server over the SDK's own transports: stdio (default) and Streamable HTTP."""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger("auth0_mcp")


async def serve_stdio(server: Any) -> None:
    """Serve until the client closes stdin; the SDK points fd 1 at stderr while serving, so a
    stray print cannot corrupt the JSON-RPC stream."""
    from mcp.server.stdio import stdio_server

    async with stdio_server() as (read, write):
        await server.run(read, write, server.create_initialization_options())


async def serve_http(server: Any, host: str, port: int, *, stateless: bool = False,
                     path: str = "/mcp") -> None:
    import uvicorn

    app = server.streamable_http_app(streamable_http_path=path, stateless_http=stateless,
                                     host=host)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="on")
    log.warning("auth0-mcp listening on http://%s:%d%s", host, port, path)
    await uvicorn.Server(config).serve()
