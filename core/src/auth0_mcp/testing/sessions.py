"""One MCP client session over any transport and protocol era, for end-to-end tests that must
hold everywhere: ``@pytest.mark.parametrize("transport", TRANSPORTS)`` then
``async with session_over(transport, auth0_mcp) as client``.

``memory-legacy`` and ``memory-2026`` talk to a runtime built as ``run`` builds it, against the
harness's sandbox (2025-11-25 over the JSON-RPC loop; 2026-07-28 pinned). ``stdio`` and ``http``
start ``auth0-mcp run --sandbox`` as a real process (its own in-process sandbox tenant over real
HTTP), stopped when the session ends.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from mcp import Client
from mcp.client.stdio import StdioServerParameters

from .processes import CLEAN_ENV, EXE, sandbox_over_http

TRANSPORTS = ("memory-legacy", "memory-2026", "stdio", "http")


@contextlib.asynccontextmanager
async def session_over(transport: str, harness: Any) -> AsyncIterator[Client]:
    if transport == "memory-legacy":
        async with harness.session() as client:
            yield client
    elif transport == "memory-2026":
        async with harness.runtime() as runtime, Client(runtime.server,
                                                        mode="2026-07-28") as client:
            yield client
    elif transport == "stdio":
        params = StdioServerParameters(command=EXE, args=["run", "--sandbox"], env=CLEAN_ENV)
        async with Client(params, mode="legacy", read_timeout_seconds=60) as client:
            yield client
    elif transport == "http":
        with sandbox_over_http() as url:
            async with Client(url) as client:
                yield client
    else:
        raise ValueError(f"unknown transport {transport!r}; one of {', '.join(TRANSPORTS)}")
