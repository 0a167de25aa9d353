"""The MCP server: the SDK's low-level ``Server`` wired to the catalog and the call pipeline.

The low-level server is used because the schemas are ours (generated from the argument
classes) and validation happens in the pipeline; MCPServer would derive and validate its own.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import mcp.types as types
from mcp.server import Server, ServerRequestContext
from mcp.shared.exceptions import NoBackChannelError
from mcp_types.version import MODERN_PROTOCOL_VERSIONS

from . import __version__
from .callers import CallPolicy
from .handshake import INSTRUCTIONS, SERVER_NAME, SERVER_TITLE
from .pipeline import Pipeline
from .safety.gate import Asker
from .safety.journal import CALL_ID
from .spec import ToolSpec

log = logging.getLogger("auth0_mcp.server")

def to_mcp_tool(spec: ToolSpec) -> types.Tool:
    return types.Tool.model_validate(spec.listing)


def asker_for(ctx: ServerRequestContext[Any], params: types.CallToolRequestParams
              ) -> Asker | None:
    """How this call can ask the person to confirm, when the client declared elicitation:
    within the call (handshake era) or by an input-required result (2026 era)."""
    capabilities = ctx.session.client_capabilities
    if capabilities is None or capabilities.elicitation is None:
        return None
    if ctx.protocol_version in MODERN_PROTOCOL_VERSIONS:
        reply = (params.input_responses or {}).get("confirm")
        answer = None
        if isinstance(reply, types.ElicitResult):
            answer = {"action": reply.action, "content": reply.content or {}}
        elif reply is not None:  # a response of another kind: not a yes
            answer = {"action": "cancel"}
        return Asker(modern=True, answer=answer, state=params.request_state)

    async def elicit(message: str, schema: dict[str, Any]) -> dict[str, Any] | None:
        try:
            result = await ctx.session.elicit_form(message, schema,
                                                   related_request_id=ctx.request_id)
        except NoBackChannelError:  # this transport cannot ask mid-call (stateless HTTP)
            return None
        except Exception as exc:  # the client failed to ask: that is not a yes
            log.warning("elicitation failed: %s", type(exc).__name__)
            return {"action": "cancel"}
        return {"action": result.action, "content": result.content or {}}

    return Asker(elicit=elicit)


def build_server(tools: Iterable[ToolSpec], pipeline: Pipeline,
                 policy: CallPolicy = CallPolicy()) -> Server[Any]:
    """The SDK server for ``tools``, calls going through ``pipeline`` under ``policy``."""
    specs = list(tools)
    listed = [to_mcp_tool(s) for s in specs]
    schemas = {s.name: s.listing["inputSchema"] for s in specs}

    async def list_tools(ctx: ServerRequestContext[Any],
                         params: types.PaginatedRequestParams | None) -> types.ListToolsResult:
        allowed = policy.visible()
        if allowed is None:
            return types.ListToolsResult(tools=listed)
        return types.ListToolsResult(tools=[t for t in listed if t.name in allowed])

    async def call_tool(ctx: ServerRequestContext[Any], params: types.CallToolRequestParams
                        ) -> types.CallToolResult | types.InputRequiredResult:
        outcome = await policy.call(pipeline, params.name, params.arguments,
                                    asker_for(ctx, params))
        if outcome.input_required is not None:
            asked = outcome.input_required
            return types.InputRequiredResult(
                input_requests={"confirm": types.ElicitRequest(
                    params=types.ElicitRequestFormParams(
                        message=asked["message"], requested_schema=asked["schema"]))},
                request_state=asked["state"])
        return types.CallToolResult(
            content=[types.TextContent(type="text", text=outcome.text)],
            structured_content=dict(outcome.data) if outcome.data is not None else None,
            is_error=outcome.is_error,
            _meta={CALL_ID: outcome.call_id} if outcome.call_id else None,
        )

    return Server(
        SERVER_NAME,
        version=__version__,
        title=SERVER_TITLE,
        instructions=INSTRUCTIONS,
        # A 2026-era call's Mcp-Param-* headers are checked against the tool's schema; without
        # this lookup the SDK runs and serializes the whole tools/list for every call (61% of
        # the server's CPU per call, measured).
        get_tool_input_schema=schemas.get,
        on_list_tools=list_tools,
        on_call_tool=call_tool,
    )
