"""Tools for tenant logs (``/api/v2/logs``).

Auth0 has two paging modes here and they do not mix: search mode (``q``, ``sort``, ``page``,
``per_page``; at most 1,000 results in all) and checkpoint mode (``from`` a log_id + ``take``;
every event after it in log_id order, every other parameter ignored). The list tool keeps them
apart; the search tool answers the usual questions (who, from where, what, when) in one call.
"""

from __future__ import annotations

from typing import Any, Literal

import attrs

from auth0_mcp import ToolContext, ToolError, ToolResult, arg, returns, segment, tool

from . import query, rows
from .event_types import meaning

PATH = "/logs"
SEARCH_CAP = 1000  # Auth0 pages through at most 1,000 search results
MAX_PAGE = 100
# Fields Auth0 can project and sort on (its OAS pattern for ``fields``). Checked in the handler
# rather than as a schema enum: the enum would cost ~200 bytes of every session's context.
FIELDS = ("date", "type", "description", "connection", "client_id", "client_name", "ip",
          "user_id", "user_name", "user_agent", "details", "strategy", "strategy_type")
CHECKPOINT_NOTE = ("checkpoint mode: events after `from` in log_id order (oldest first); "
                   "Auth0 ignores q, sort and page here")


async def fetch(ctx: ToolContext, **params: Any) -> list[dict[str, Any]]:
    """One GET /logs; without include_totals (deprecated, and its total only counts the page)
    Auth0 answers with a bare array."""
    body = await ctx.api.get(PATH, **params)
    if isinstance(body, dict):  # an include_totals-style envelope, if a proxy adds one
        body = body.get("logs", [])
    return [e for e in body or [] if isinstance(e, dict)]


@attrs.frozen
class ListArgs:
    q: str | None = arg(None, "Lucene, e.g. type:fp AND ip:1.2.3.4")
    sort: Literal["date:-1", "date:1"] | None = arg(None)
    page: int | None = arg(None, minimum=0)
    per_page: int | None = arg(None, minimum=1, maximum=MAX_PAGE)
    from_: str | None = arg(None, "A log_id")
    take: int | None = arg(None, minimum=1, maximum=MAX_PAGE)
    fields: list[str] | None = arg(None, "Raw fields: [type,details...]")


def _checkpoint_conflicts(args: ListArgs) -> list[str]:
    given = {"q": args.q, "sort": args.sort, "page": args.page, "per_page": args.per_page}
    return [name for name, value in given.items() if value is not None]


@tool(name="auth0_list_logs", title="List logs", kind="read", idempotent=True,
      scopes=["read:logs"],
      output=returns(logs="array", has_more="boolean"),
      example={"q": "type:fp", "per_page": 20})
async def list_logs(ctx: ToolContext, args: ListArgs) -> ToolResult:
    """Log events, newest first. Modes: q/sort/page/per_page (max 1000 results) or
    checkpoint from/take. Continue with next."""
    fields = list(dict.fromkeys(args.fields or []))
    unknown = [f for f in fields if f not in FIELDS]
    if unknown:
        raise ToolError(f"unknown field(s) {', '.join(unknown)}; Auth0 log fields are "
                        f"{', '.join(FIELDS)} (log_id is always included)")
    if args.from_ is None:
        if args.take is not None:
            raise ToolError("take works only with from (a log_id: checkpoint mode); in page "
                            "mode use per_page")
        page = args.page or 0
        per_page = args.per_page or 50
        if (page + 1) * per_page > SEARCH_CAP:
            raise ToolError(f"Auth0 log search pages through at most {SEARCH_CAP} results "
                            f"(page {page} x per_page {per_page} is past that): narrow q, or "
                            "use checkpoint mode (from + take)")
        events = await fetch(ctx, q=args.q, sort=args.sort or "date:-1", page=page,
                             per_page=per_page, fields=",".join(fields) or None,
                             include_fields=True if fields else None)
        has_more = len(events) == per_page and (page + 1) * per_page < SEARCH_CAP
        out = {**rows.table(events, fields), "mode": "page", "page": page,
               "per_page": per_page, "has_more": has_more}
        if has_more:
            out["next"] = {"page": page + 1}
        return ToolResult(out, f"{len(events)} events (page {page})"
                               + ("; more with next.page" if has_more else "; no more pages"))
    conflicts = _checkpoint_conflicts(args)
    if conflicts:
        raise ToolError(f"{', '.join(conflicts)} cannot be used with from: in checkpoint mode "
                        "Auth0 ignores every parameter except from and take. Drop them, or "
                        "leave out from to search in page mode")
    take = args.take or 50
    events = await fetch(ctx, **{"from": args.from_, "take": take})
    cursor = rows.log_id(events[-1]) if events else args.from_
    has_more = len(events) == take
    out = {**rows.table(events, fields), "mode": "checkpoint", "has_more": has_more,
           "next": {"from": cursor, "take": take}, "note": CHECKPOINT_NOTE}
    return ToolResult(out, f"{len(events)} events after {args.from_}"
                           + ("; more with next.from" if has_more else
                              "; no newer events yet (next.from polls for new ones)"))


@attrs.frozen
class GetArgs:
    id: str = arg(minLength=1)


@tool(name="auth0_get_log", title="Get log event", kind="read", idempotent=True,
      scopes=["read:logs"], output=returns(log_id="string"),
      example={"id": "90020210903201632920410735475195461254278321818579238994"})
async def get_log(ctx: ToolContext, args: GetArgs) -> dict[str, Any]:
    """Get a log event in full."""
    event = await ctx.api.get(f"{PATH}/{segment(args.id)}")
    return {**event, "meaning": meaning(event.get("type"))}


@attrs.frozen
class SearchArgs:
    ip: str | None = arg(None, minLength=1)
    user: str | None = arg(None, "user_id, user name or email", minLength=1)
    types: list[str] | None = arg(
        None, "Codes (s, fp, sapi...) or login, failed_login, success_login, signup, logout, "
        "blocked, mgmt_api", minItems=1)
    client: str | None = arg(None, "client_id or name", minLength=1)
    since: str | None = arg(None, "ISO date/time, or ago: 30m, 24h, 7d, 2w",
                            pattern=query.TIME_PATTERN)
    until: str | None = arg(None, pattern=query.TIME_PATTERN)
    q: str | None = arg(None, "Extra Lucene, ANDed")
    limit: int = arg(SEARCH_CAP, "Max events to count", minimum=1, maximum=SEARCH_CAP)
    examples: int = arg(5, "Newest events to show", minimum=0, maximum=25)


@tool(name="auth0_search_logs", title="Search logs", kind="read", idempotent=True,
      scopes=["read:logs"],
      output=returns(query="string", total="integer", complete="boolean", by_type="array",
                     examples="object"),
      example={"ip": "192.108.92.3", "types": ["login"], "since": "7d"})
async def search_logs(ctx: ToolContext, args: SearchArgs) -> ToolResult:
    """Answer a log question in one call: filter by ip, user, types, client, time; get counts
    by type/ip/user, the newest examples and the query it ran."""
    q = query.build(ip=args.ip, user=args.user, types=args.types, client=args.client,
                    since=args.since, until=args.until, q=args.q)
    per_page = min(MAX_PAGE, args.limit)
    events: list[dict[str, Any]] = []
    page = 0
    complete = False
    while len(events) < args.limit:
        batch = await fetch(ctx, q=q or None, sort="date:-1", page=page, per_page=per_page)
        events.extend(batch)
        if len(batch) < per_page:
            complete = True
            break
        page += 1
    if len(events) > args.limit:
        events, complete = events[: args.limit], False
    out: dict[str, Any] = {"query": q, **rows.counts(events), "complete": complete}
    if not complete:
        out["note"] = (f"counted the newest {len(events)} matches only; narrow the time "
                       "window or filters for exact totals")
    out["examples"] = rows.table(events[: args.examples])
    kinds = ", ".join(f"{t['count']} {t['type']}" for t in out["by_type"][:6]) or "none"
    return ToolResult(out, f"{len(events)}{'' if complete else '+'} events match {q or '(all)'}"
                           f": {kinds}.")
