"""Undo from the journal: an update is reverted by patching back the fields it changed; a
deleted object is re-created from its journaled state through the family's
``Target.recreate``. Secrets were never journaled, so they cannot come back.

``auth0_undo`` is a tool like any other write (kind "action", destructive): it is planned and
confirmed by the same gate, and journaled too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from ..context import ToolContext
from ..errors import ToolError
from ..redaction import REDACTED
from ..spec import ToolResult, ToolSpec, arg, returns, tool
from .journal import canonical
from .plan import brief

LOST = ("a deleted object comes back with a new id (and, for an application, a new client "
        "secret); grants, bindings, sessions and anything that referred to the old id must be "
        "re-created")


def find_entry(entries: Iterable[Mapping[str, Any]], call_id: str) -> Mapping[str, Any]:
    for entry in entries:
        if entry.get("call_id") == call_id:
            if not entry.get("undo"):
                raise ToolError(f"call {call_id} ({entry.get('tool')}, {entry.get('outcome')}) "
                                "changed nothing that can be undone: only applied updates and "
                                "deletes can")
            return entry
    raise ToolError(f"no call {call_id} in this profile's journal; `auth0-mcp audit list` "
                    "shows the calls")


def still(current: Any, expected: Any) -> bool:
    """``current`` still holds what the call set (objects: the keys it sent, as Auth0 merges
    a PATCHed object into the stored one)."""
    if isinstance(expected, Mapping) and isinstance(current, Mapping):
        return all(k in current and still(current[k], v) for k, v in expected.items())
    return canonical(current) == canonical(expected)


def _kept(value: Any) -> bool:
    return value != REDACTED and REDACTED not in canonical(value)


async def undo(ctx: ToolContext, entry: Mapping[str, Any], tools: Mapping[str, ToolSpec],
               force: bool) -> ToolResult:
    record = entry["undo"]
    path, label = record["path"], record.get("label")
    if record["kind"] == "update":
        current = await ctx.api.get(path)
        after = record.get("after") or {}
        moved = [f for f in record["fields"] if _kept(after.get(f))
                 and not still((current or {}).get(f), after.get(f))]
        if moved and not force:
            raise ToolError(f"{label or path} changed since call {entry['call_id']} "
                            f"({', '.join(moved)}); undo would overwrite that. Give force=true "
                            "to restore the earlier values anyway.")
        prior = record["prior"]
        restore = {f: prior.get(f) for f in record["fields"] if _kept(prior.get(f))}
        skipped = [f for f in record["fields"] if f not in restore]
        if not restore:
            raise ToolError("nothing to restore: the fields changed were secrets, which are "
                            "never journaled")
        await ctx.api.patch(path, restore)
        note = f" Not restored (secret): {', '.join(skipped)}." if skipped else ""
        return ToolResult({"undone": entry["call_id"], "restored": sorted(restore)},
                          f"Restored {', '.join(sorted(restore))} of {label or path}.{note}")
    spec = tools.get(entry["tool"])
    recreate = spec.target.recreate if spec is not None and spec.target else None
    if recreate is None:
        raise ToolError(f"{entry['tool']} declares no way to re-create what it deleted; "
                        f"its last state is in the journal (call {entry['call_id']})")
    prior = {k: v for k, v in record["prior"].items() if _kept(v)}
    post_path, body = recreate(prior)
    created = await ctx.api.post(post_path, dict(body))
    return ToolResult({"undone": entry["call_id"], "recreated": brief(created or {}),
                       "not_restored": LOST},
                      f"Re-created {label or 'the object'}. Note: {LOST}.")


@attrs.frozen
class UndoArgs:
    call_id: str = arg(description="call_id of an update or delete")
    force: bool = arg(False, "even if the target changed since")


@tool(name="auth0_undo", title="Undo a change", kind="action", destructive=True, scopes=(),
      output=returns(undone="string"), example={"call_id": "a1b2c3d4e5f6"})
async def undo_call(ctx: ToolContext, args: UndoArgs) -> ToolResult:
    """Revert an update or re-create a deleted object, from the journal."""
    if ctx.journal is None:
        raise ToolError("this server keeps no journal, so there is nothing to undo")
    return await undo(ctx, find_entry(ctx.journal.entries(), args.call_id), ctx.tools,
                      args.force)


UNDO = attrs.evolve(undo_call, plugin="core", distribution="auth0-mcp")
