""""What happened to this user?": their recent logins and failures, counted, in one call.

With the logs family installed (auth0-mcp-logs) this runs its search (``/logs`` with a Lucene
query on the user and a time window) and answers in its compact rows and counts; without it,
the newest events from ``/users/{id}/logs`` are counted here and the answer says what is
missing.
"""

from __future__ import annotations

import importlib.util
import re
from collections import Counter
from typing import Any

import attrs

from auth0_mcp import ToolContext, ToolError, ToolResult, arg, tool

from .lookup import path, user_id_of

SUCCESS = ("s",)
FAILURES = ("f", "fp", "fu", "fcoa", "gd_auth_failed", "limit_wc", "limit_sul", "pwd_leak")
LOGIN_TYPES = SUCCESS + FAILURES
MAX_EVENTS = 300
EXAMPLES = 10
SINCE = re.compile(r"^(\d+[mhdw]|\d{4}-\d\d-\d\d\S*)$")


def logs_family() -> Any:
    """The logs family's query and row helpers, or None when it is not installed."""
    if importlib.util.find_spec("auth0_mcp_logs") is None:
        return None
    from auth0_mcp_logs import query, rows, tools

    return query, rows, tools


@attrs.frozen
class ActivityArgs:
    user_id: str = arg(description="Or email", minLength=1)
    since: str = arg("7d", "Or 24h, ISO date...")


def summary(user: str, events: list[dict[str, Any]]) -> dict[str, Any]:
    """Counts and the newest success and failure, for any source of events."""
    by_type = Counter(str(e.get("type")) for e in events)
    successes = [e for e in events if e.get("type") in SUCCESS]
    failures = [e for e in events if e.get("type") in FAILURES]
    return {"user": user, "logins": len(successes), "failures": len(failures),
            "by_type": dict(by_type.most_common()),
            "last_login": successes[0]["date"] if successes else None,
            "last_failure": failures[0]["date"] if failures else None}


async def _with_logs_family(ctx: ToolContext, family: Any, user_id: str, args: ActivityArgs
                            ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    query, rows, tools = family
    q = query.build(user=user_id, types=list(LOGIN_TYPES), since=args.since)
    events: list[dict[str, Any]] = []
    page = 0
    while len(events) < MAX_EVENTS:
        batch = await tools.fetch(ctx, q=q, sort="date:-1", page=page, per_page=100)
        events += batch
        if len(batch) < 100:
            break
        page += 1
    failures = [e for e in events if e.get("type") in FAILURES][:EXAMPLES]
    out = {"query": q, "recent_failures": rows.table(failures),
           "complete": len(events) < MAX_EVENTS}
    return out, events


async def _without_logs_family(ctx: ToolContext, user_id: str, args: ActivityArgs
                               ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    body = await ctx.api.get(path(user_id, "logs"), sort="date:-1", per_page=100)
    events = [e for e in body or [] if e.get("type") in LOGIN_TYPES]
    failures = [e for e in events if e.get("type") in FAILURES][:EXAMPLES]
    keep = ("date", "type", "description", "ip", "client_name", "log_id")
    out = {"recent_failures": [{k: e.get(k) for k in keep} for e in failures],
           "note": "auth0-mcp-logs is not installed: only the user's newest 100 events were "
                   f"read and `since` ({args.since}) was not applied; install it for search "
                   "by time window and type"}
    return out, events


@tool(name="auth0_get_user_activity", title="User activity", kind="read",
      idempotent=True, scopes=["read:logs"], example={"user_id": "alice@example.com"})
async def get_user_activity(ctx: ToolContext, args: ActivityArgs) -> ToolResult:
    """Recent logins and failures of a user, counted."""
    if not SINCE.match(args.since):
        raise ToolError(f"since {args.since!r} is not a time: use 30m, 24h, 7d, 2w or a date "
                        "such as 2026-05-01")
    user_id = await user_id_of(ctx, args.user_id, args)
    family = logs_family()
    if family is not None:
        out, events = await _with_logs_family(ctx, family, user_id, args)
    else:
        out, events = await _without_logs_family(ctx, user_id, args)
    answer = {**summary(user_id, events), **out}
    return ToolResult(answer, f"{args.user_id}: {answer['logins']} logins, "
                              f"{answer['failures']} failures since {args.since}.")
