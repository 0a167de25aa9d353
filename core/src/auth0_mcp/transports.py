"""Serving the MCP server: stdio (default) and Streamable HTTP."""

from __future__ import annotations

from typing import Any

from .handshake import Handover


async def serve_stdio(runtime: Any, handover: Handover) -> None:
    """Serve until the client closes stdin (stdio.py: reads on the event loop, the SDK server
    for the rest, started when first needed).

    After the early handshake (handshake.py), ``handover`` says what the SDK must be told
    first and holds the input read past it."""
    from .stdio import serve

    await serve(runtime.pipeline, [s.listing for s in runtime.tools], lambda: runtime.server,
                handover)


async def serve_http(runtime: Any, host: str, port: int, settings: Any,
                     state: Any = None) -> None:
    """Streamable HTTP at ``/mcp``; OAuth-protected when ``settings.issuer`` is set."""
    import uvicorn

    from .remote.app import build_http_app

    app = build_http_app(runtime.server, settings, host, port, state=state, runtime=runtime)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="on")
    await uvicorn.Server(config).serve()
