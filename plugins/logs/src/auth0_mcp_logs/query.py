"""Building Auth0 log-search (Lucene subset) queries from plain arguments, so the model never
has to get quoting, escaping or date ranges right by itself."""

from __future__ import annotations

import datetime as dt
import re

from auth0_mcp import ToolError

from .event_types import ALIASES, MEANINGS, expand

# A point in time: an ISO date or date-time, or a span back from now ("30m", "24h", "7d", "2w").
# The schema pattern stays loose (it costs context twice); to_instant() rejects the rest.
TIME_PATTERN = r"^(\d+[mhdw]|\d{4}-\d\d-\d\d\S*)$"
_RELATIVE = re.compile(r"^(\d+)([mhdw])$")
_UNIT = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def phrase(value: str) -> str:
    """A quoted Lucene phrase: an exact match, with ``\\`` and ``"`` escaped, so a value can
    never change the query's structure."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def iso(moment: dt.datetime) -> str:
    """Auth0's timestamp format: UTC, milliseconds, ``Z``."""
    moment = moment.astimezone(dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def to_instant(value: str, now: dt.datetime) -> str:
    """``24h`` -> 24 hours before ``now``; an ISO date or date-time -> the same instant in
    Auth0's format (a date alone means its midnight UTC)."""
    match = _RELATIVE.match(value)
    if match:
        try:
            return iso(now - dt.timedelta(**{_UNIT[match[2]]: int(match[1])}))
        except OverflowError:  # before year 1
            raise ToolError(f"{value!r} is too far back: Auth0 keeps logs for days, not "
                            "millennia; use e.g. 30d or a date") from None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ToolError(f"{value!r} is not a valid date; use e.g. 2024-05-01, "
                        "2024-05-01T12:00:00Z, 24h or 7d") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return iso(moment)


def type_codes(types: list[str]) -> list[str]:
    """Codes and aliases -> codes; an unknown word is an error that lists what is accepted."""
    unknown = [t for t in types if t not in MEANINGS and t not in ALIASES]
    if unknown:
        raise ToolError(f"unknown log type(s) {', '.join(unknown)}: use Auth0 event codes "
                        "(e.g. s, f, fp, fu, sapi) or the aliases "
                        f"{', '.join(sorted(ALIASES))}")
    return expand(types)


def any_of(field: str, values: list[str]) -> str:
    clauses = [f"{field}:{phrase(v)}" for v in values]
    return clauses[0] if len(clauses) == 1 else "(" + " OR ".join(clauses) + ")"


def build(*, ip: str | None = None, user: str | None = None, types: list[str] | None = None,
          client: str | None = None, since: str | None = None, until: str | None = None,
          q: str | None = None, now: dt.datetime | None = None) -> str:
    """The AND of one clause per given filter; empty when nothing filters."""
    now = now or dt.datetime.now(dt.UTC)
    clauses = []
    if ip:
        clauses.append(f"ip:{phrase(ip)}")
    if user:
        clauses.append(f"(user_id:{phrase(user)} OR user_name:{phrase(user)})")
    if types:
        clauses.append(any_of("type", type_codes(types)))
    if client:
        clauses.append(f"(client_id:{phrase(client)} OR client_name:{phrase(client)})")
    if since or until:
        low = to_instant(since, now) if since else "*"
        high = to_instant(until, now) if until else "*"
        if low != "*" and high != "*" and low > high:
            raise ToolError(f"since ({low}) is after until ({high})")
        clauses.append(f"date:[{low} TO {high}]")
    if q:
        clauses.append(f"({q})")
    return " AND ".join(clauses)
