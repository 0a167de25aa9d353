"""Trigger bindings: which deployed Actions a flow (post-login, ...) runs, in order.

Auth0 only offers "replace the whole list" (PATCH), so adding one Action naively drops the
others (reference issue #205 asks for bindings at all). ``add``/``remove`` read the current
flow and send it back with the one change, keeping the other steps and their display names.
"""

from __future__ import annotations

import re
from typing import Any

import attrs

from auth0_mcp import Target, ToolContext, ToolError, ToolResult, arg, returns, segment, tool

from . import summaries

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
PER_PAGE = 50


def _path(trigger_id: str) -> str:
    return f"/actions/triggers/{segment(trigger_id)}/bindings"


async def current_bindings(ctx: ToolContext, trigger_id: str) -> list[dict[str, Any]]:
    """Every binding of the trigger, across pages (a partial list sent back would unbind the
    rest)."""
    return [b async for b in ctx.api.iterate_pages(_path(trigger_id), "bindings",
                                                   per_page=PER_PAGE, totals=False)]


def ref(value: str) -> dict[str, Any]:
    """A binding reference by id (Actions have UUID ids) or else by name."""
    kind = "action_id" if _UUID.match(value) else "action_name"
    return {"ref": {"type": kind, "value": value}}


def _matches(binding: dict[str, Any], value: str) -> bool:
    action = binding.get("action") or {}
    return value in (action.get("id"), action.get("name"))


def _keep(binding: dict[str, Any]) -> dict[str, Any]:
    out = ref(str((binding.get("action") or {}).get("id")))
    out["ref"]["type"] = "action_id"
    if binding.get("display_name"):
        out["display_name"] = binding["display_name"]
    return out


def _flow(bindings: list[dict[str, Any]]) -> str:
    return " -> ".join(b.get("name") or b.get("action_id") or "?" for b in bindings) or "nothing"


@attrs.frozen
class TriggerArgs:
    trigger_id: str = arg(description="e.g. post-login", minLength=1)


@tool(name="auth0_get_action_bindings", title="Get trigger bindings", kind="read",
      idempotent=True, scopes=["read:actions"], output=returns(bindings="array"),
      example={"trigger_id": "post-login"})
async def get_action_bindings(ctx: ToolContext, args: TriggerArgs) -> ToolResult:
    """The Actions a trigger runs, in execution order."""
    bindings = [summaries.binding(b) for b in await current_bindings(ctx, args.trigger_id)]
    return ToolResult({"trigger_id": args.trigger_id, "bindings": bindings},
                      f"{args.trigger_id} runs: {_flow(bindings)}.")


@attrs.frozen
class BindingsArgs:
    trigger_id: str = arg(minLength=1)
    add: str | None = arg(None, "Action id or name", minLength=1)
    position: int | None = arg(None, "For add; default last", minimum=0)
    remove: list[str] = arg(factory=list, description="Ids or names")
    actions: list[str] | None = arg(None, "Whole new order, replacing the flow")


def _edit(current: list[dict[str, Any]], args: BindingsArgs) -> tuple[list[dict[str, Any]],
                                                                        list[str]]:
    """The new binding list for add/remove, and notes on what did not apply."""
    notes = [f"{r} was not bound" for r in args.remove
             if not any(_matches(b, r) for b in current)]
    kept = [b for b in current if not any(_matches(b, r) for r in args.remove)]
    items = [_keep(b) for b in kept]
    if args.add is not None:
        where = next((i for i, b in enumerate(kept) if _matches(b, args.add)), None)
        if where is not None and args.position is None:
            notes.append(f"{args.add} was already bound")
        else:
            item = items.pop(where) if where is not None else ref(args.add)
            at = len(items) if args.position is None else min(args.position, len(items))
            items.insert(at, item)
    return items, notes


async def flow(ctx: ToolContext, args: Any) -> dict[str, Any]:
    """The trigger's bindings as a PATCH sends them: what the plan diffs and undo restores."""
    return {"trigger_id": args.trigger_id,
            "bindings": [_keep(b) for b in await current_bindings(ctx, args.trigger_id)]}


@tool(name="auth0_update_action_bindings", title="Update trigger bindings", kind="update",
      target=Target(read=flow, label="trigger_id", critical=("bindings",)),
      idempotent=True, scopes=["update:actions"], output=returns(bindings="array"),
      example={"trigger_id": "post-login", "add": "Plan claim", "position": 0})
async def update_action_bindings(ctx: ToolContext, args: BindingsArgs) -> ToolResult:
    """Change which deployed Actions a trigger runs, in order: add (at a 0-based position) or
    remove keeping the others, or replace the flow with actions."""
    if args.actions is not None and (args.add is not None or args.remove):
        raise ToolError("give either actions (the whole new order) or add/remove, not both")
    if args.actions is None and args.add is None and not args.remove:
        raise ToolError("nothing to change: give add, remove, or actions")
    if args.position is not None and args.add is None:
        raise ToolError("position applies to add: give the Action to add or move")
    notes: list[str] = []
    if args.actions is not None:
        items = [ref(a) for a in args.actions]
    else:
        current = await current_bindings(ctx, args.trigger_id)
        items, notes = _edit(current, args)
        if [i["ref"]["value"] for i in items] == [(b.get("action") or {}).get("id")
                                                  for b in current]:
            bindings = [summaries.binding(b) for b in current]
            return ToolResult({"trigger_id": args.trigger_id, "bindings": bindings},
                              f"No change ({'; '.join(notes)}). {args.trigger_id} runs: "
                              f"{_flow(bindings)}.")
    body = await ctx.api.patch(_path(args.trigger_id), {"bindings": items})
    bindings = [summaries.binding(b) for b in body.get("bindings") or []]
    replaced = " (the previous flow was replaced)" if args.actions is not None else ""
    extra = f" Note: {'; '.join(notes)}." if notes else ""
    return ToolResult({"trigger_id": args.trigger_id, "bindings": bindings},
                      f"{args.trigger_id} now runs, in order: {_flow(bindings)}{replaced}."
                      f"{extra}")
