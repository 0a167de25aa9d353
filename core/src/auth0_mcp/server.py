"""The MCP server: the SDK's low-level ``Server`` wired to the catalog and the call pipeline.

The low-level server is used because the schemas are ours (generated from the argument
classes) and validation happens in the pipeline; MCPServer would derive and validate its own.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import mcp.types as types
from mcp.server import Server, ServerRequestContext

from . import __version__
from .errors import ToolError
from .handshake import INSTRUCTIONS, SERVER_NAME, SERVER_TITLE
from .pipeline import Pipeline
from .spec import ToolSpec

log = logging.getLogger("auth0_mcp.server")

def to_mcp_tool(spec: ToolSpec) -> types.Tool:
    return types.Tool.model_validate(spec.listing)


def build_server(
    tools: Iterable[ToolSpec],
    pipeline: Pipeline,
    *,
    visible_for: Callable[[ServerRequestContext[Any]], set[str] | None] | None = None,
    caller_of: Callable[[ServerRequestContext[Any]], str | None] | None = None,
    wait_for: Callable[[str | None], Awaitable[float]] | None = None,
) -> Server[Any]:
    """``visible_for`` narrows the tools per request (remote mode: the caller's permissions);
    ``caller_of`` names the caller for the audit log; ``wait_for`` rate-limits a caller."""
    specs = list(tools)
    listed = [to_mcp_tool(s) for s in specs]

    async def list_tools(ctx: ServerRequestContext[Any],
                         params: types.PaginatedRequestParams | None) -> types.ListToolsResult:
        allowed = visible_for(ctx) if visible_for else None
        if allowed is None:
            return types.ListToolsResult(tools=listed)
        return types.ListToolsResult(tools=[t for t in listed if t.name in allowed])

    async def call_tool(ctx: ServerRequestContext[Any],
                        params: types.CallToolRequestParams) -> types.CallToolResult:
        allowed = visible_for(ctx) if visible_for else None
        caller = caller_of(ctx) if caller_of else None
        try:
            wait = await wait_for(caller) if wait_for else 0
        except ToolError as exc:  # the shared budget store is down: fail closed
            return types.CallToolResult(content=[types.TextContent(type="text", text=str(exc))],
                                        is_error=True)
        if wait:
            return types.CallToolResult(
                content=[types.TextContent(type="text", text=f"Too many calls from {caller}: "
                                           f"retry in {math.ceil(wait)} s.")],
                is_error=True)
        outcome = await pipeline.call(params.name, params.arguments, allowed=allowed,
                                      caller=caller)
        return types.CallToolResult(
            content=[types.TextContent(type="text", text=outcome.text)],
            structured_content=dict(outcome.data) if outcome.data is not None else None,
            is_error=outcome.is_error,
        )

    return Server(
        SERVER_NAME,
        version=__version__,
        title=SERVER_TITLE,
        instructions=INSTRUCTIONS,
        on_list_tools=list_tools,
        on_call_tool=call_tool,
    )
