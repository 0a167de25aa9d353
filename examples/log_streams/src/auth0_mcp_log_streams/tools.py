"""List, read, create, change and delete log streams (``/api/v2/log-streams``): where Auth0
sends the tenant's log events (Datadog, Splunk, an HTTP endpoint, EventBridge...).

Every answer masks sink credentials (see sinks.py): Auth0 returns them in clear."""

from __future__ import annotations

from typing import Any, Literal

import attrs

from auth0_mcp import (
    NoArguments,
    Target,
    ToolContext,
    ToolError,
    ToolResult,
    arg,
    returns,
    segment,
    tool,
)

from .sinks import FILTER_CATEGORIES, SINKS, masked_sink, sink_problem

PATH = "/log-streams"
SinkType = Literal["http", "eventbridge", "eventgrid", "datadog", "splunk", "sumo", "segment",
               "mixpanel"]
SINK_HELP = "; ".join(f"{k}: {', '.join(needed)}" for k, (_, needed) in SINKS.items())


def shown(stream: dict[str, Any]) -> dict[str, Any]:
    """A stream as the model sees it: credentials masked, filters as category names."""
    out = {k: v for k, v in stream.items() if k not in ("sink", "filters")}
    out["sink"] = masked_sink(stream.get("sink"))
    out["filters"] = [f.get("name") for f in stream.get("filters") or []]
    return out


def summary(stream: dict[str, Any]) -> dict[str, Any]:
    return {"id": stream.get("id"), "name": stream.get("name"), "type": stream.get("type"),
            "status": stream.get("status"),
            "filters": [f.get("name") for f in stream.get("filters") or []]}


def _filters(categories: list[str] | None) -> list[dict[str, str]] | None:
    if categories is None:
        return None
    unknown = sorted(set(categories) - set(FILTER_CATEGORIES))
    if unknown:
        raise ToolError(f"unknown filter categories {', '.join(unknown)}; use any of "
                        f"{', '.join(FILTER_CATEGORIES)}")
    return [{"type": "category", "name": c} for c in categories]


def _check_sink(kind: str, sink: dict[str, Any], *, partial: bool) -> None:
    problem = sink_problem(kind, sink, partial=partial)
    if problem:
        raise ToolError(f"sink: {problem}")


@tool(name="auth0_list_log_streams", title="List log streams", kind="read", idempotent=True,
      scopes=["read:log_streams"], output=returns(log_streams="array"), example={})
async def list_log_streams(ctx: ToolContext, _args: NoArguments) -> dict[str, Any]:
    """Log streams: id, name, type (datadog, splunk, http...), status (active, paused,
    suspended) and the event categories each sends (none: every event)."""
    streams = await ctx.api.get(PATH)
    return {"log_streams": [summary(s) for s in streams]}


@attrs.frozen
class StreamId:
    id: str = arg(description="Log stream id, e.g. lst_0000000000012773", minLength=1)


@tool(name="auth0_get_log_stream", title="Get log stream", kind="read", idempotent=True,
      scopes=["read:log_streams"], output=returns(id="string", sink="object"),
      example={"id": "lst_0000000000012773"})
async def get_log_stream(ctx: ToolContext, args: StreamId) -> dict[str, Any]:
    """One log stream with its destination settings (credentials masked), filters and PII
    handling."""
    return shown(await ctx.api.get(f"{PATH}/{segment(args.id)}"))


@attrs.frozen
class CreateArgs:
    name: str = arg(description="Shown in the dashboard", minLength=1)
    type: SinkType = arg(description="Destination")
    sink: dict[str, Any] = arg(description=f"Destination settings by type ({SINK_HELP})",
                               secret=True)
    filters: list[str] | None = arg(None, "Send only these event categories, e.g. "
                                          "auth.login.fail (default: every event)")
    is_priority: bool = arg(False, "Priority streams are delivered first")
    pii_config: dict[str, Any] | None = arg(
        None, "Hash or mask personal data: {log_fields: [email, phone...], method: hash|mask}")


@tool(name="auth0_create_log_stream", title="Create log stream", kind="create",
      scopes=["create:log_streams"], output=returns(id="string", status="string"),
      example={"name": "Security to Datadog", "type": "datadog",
               "sink": {"datadogApiKey": "<api key>", "datadogRegion": "eu"},
               "filters": ["auth.login.fail"]})
async def create_log_stream(ctx: ToolContext, args: CreateArgs) -> ToolResult:
    """Start sending the tenant's log events to a destination (it starts active)."""
    _check_sink(args.type, args.sink, partial=False)
    body: dict[str, Any] = {"name": args.name, "type": args.type, "sink": args.sink,
                            "isPriority": args.is_priority}
    if args.filters:
        body["filters"] = _filters(args.filters)
    if args.pii_config:
        body["pii_config"] = args.pii_config
    created = await ctx.api.post(PATH, body)
    return ToolResult(shown(created), f"Created {args.type} log stream {created.get('name')!r} "
                                      f"({created.get('id')}), {created.get('status')}.")


@attrs.frozen
class UpdateArgs:
    id: str = arg(description="Log stream id", minLength=1)
    name: str | None = arg(None, minLength=1)
    status: Literal["active", "paused"] | None = arg(None, "paused stops delivery; active "
                                                           "resumes it (also after suspended)")
    sink: dict[str, Any] | None = arg(None, "Only the destination settings to change, e.g. a "
                                            "rotated API key", secret=True)
    filters: list[str] | None = arg(None, "Replace the categories sent ([]: every event)")
    is_priority: bool | None = arg(None)
    pii_config: dict[str, Any] | None = arg(None)


async def _read(ctx: ToolContext, args: Any) -> dict[str, Any]:
    return await ctx.api.get(f"{PATH}/{segment(args.id)}")


@tool(name="auth0_update_log_stream", title="Update log stream", kind="update", idempotent=True,
      scopes=["update:log_streams"], target=Target(critical=("sink", "filters")),
      output=returns(id="string", status="string"),
      example={"id": "lst_0000000000012773", "status": "paused"})
async def update_log_stream(ctx: ToolContext, args: UpdateArgs) -> ToolResult:
    """Pause or resume a stream, rename it, rotate its destination credentials, or change the
    categories it sends. The type cannot change: create another stream."""
    path = f"{PATH}/{segment(args.id)}"
    body: dict[str, Any] = {k: v for k, v in (("name", args.name), ("status", args.status),
                                              ("isPriority", args.is_priority),
                                              ("pii_config", args.pii_config)) if v is not None}
    if args.filters is not None:
        body["filters"] = _filters(args.filters)
    if args.sink:
        current = await _read(ctx, args)
        _check_sink(current["type"], args.sink, partial=True)
        # Auth0's PATCH takes a whole sink of the stream's type (OpenAPI LogStreamSinkPatch:
        # Datadog needs its key and region together): the change over what is there, less
        # the values Auth0 only shows masked.
        kept = {k: v for k, v in (current.get("sink") or {}).items() if v != "********"}
        body["sink"] = {**kept, **args.sink}
    if not body:
        raise ToolError("nothing to change: give name, status, sink, filters, is_priority or "
                        "pii_config")
    updated = await ctx.api.patch(path, body)
    return ToolResult(shown(updated), f"Updated {', '.join(sorted(body))} of "
                                      f"{updated.get('name')!r} ({updated.get('status')}).")


@tool(name="auth0_delete_log_stream", title="Delete log stream", kind="delete",
      destructive=True, idempotent=True, scopes=["delete:log_streams"], target=Target(),
      output=returns(deleted="string"), example={"id": "lst_0000000000012773"})
async def delete_log_stream(ctx: ToolContext, args: StreamId) -> dict[str, Any]:
    """DESTRUCTIVE: delete a log stream; its destination stops receiving events, and its
    credentials are gone (undo cannot restore them: pause it instead to stop for a while)."""
    await ctx.api.delete(f"{PATH}/{segment(args.id)}")
    return {"deleted": args.id}
