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


async def serve_http(server: Any, host: str, port: int, settings: Any) -> None:
    """Streamable HTTP at ``/mcp``; OAuth-protected when ``settings.issuer`` is set."""
    import uvicorn

    from .remote.app import build_http_app

    app = build_http_app(server, settings, host, port)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="on")
    await uvicorn.Server(config).serve()
