"""Log events as compact table rows: a list of events costs the model's context on every call,
so each event becomes one short row under shared column names, and type meanings are given
once per answer in a legend instead of once per event."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .event_types import meaning

COLUMNS = ("date", "type", "description", "user", "client", "ip", "log_id")
DESCRIPTION_MAX = 40
CLIENT_MAX = 20
USER_MAX = 36


def short_date(value: Any) -> str:
    """``2021-09-03T20:16:29.970Z`` -> ``2021-09-03T20:16:29Z`` (milliseconds rarely matter)."""
    text = str(value or "")
    if len(text) > 20 and text[10:11] == "T" and text.endswith("Z") and "." in text[19:]:
        return text[:19] + "Z"
    return text


def log_id(event: Mapping[str, Any]) -> str:
    """Auth0 sends both ``log_id`` and ``_id``; a ``fields`` projection keeps only ``_id``."""
    return str(event.get("log_id") or event.get("_id") or "")


def clip(value: Any, limit: int) -> str:
    text = " ".join(str(value or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def row(event: Mapping[str, Any]) -> list[str]:
    """One event as ``COLUMNS``: user is user_name (e-mail) or user_id; client is the
    client_name only (a 32-character client_id would be a fifth of the row: get the event for
    it); long texts are clipped and a description that only repeats the type's meaning is left
    empty. The full event is one auth0_get_log away."""
    code = str(event.get("type") or "")
    description = clip(event.get("description"), DESCRIPTION_MAX)
    if description.lower().rstrip(".") == meaning(code).lower():
        description = ""
    return [
        short_date(event.get("date")),
        code,
        description,
        clip(event.get("user_name") or event.get("user_id"), USER_MAX),
        clip(event.get("client_name"), CLIENT_MAX),
        str(event.get("ip") or ""),
        log_id(event),
    ]


def projected_row(event: Mapping[str, Any], fields: Sequence[str]) -> list[Any]:
    """The requested fields, raw, then the log_id (always kept so the event can be fetched)."""
    return [event.get(f) for f in fields] + [log_id(event)]


def legend(events: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Meaning of every type code that appears, in order of first appearance."""
    codes = dict.fromkeys(str(e.get("type")) for e in events if e.get("type"))
    return {code: meaning(code) for code in codes}


def table(events: Sequence[Mapping[str, Any]],
          fields: Sequence[str] | None = None) -> dict[str, Any]:
    """``{columns, logs, types}``: rows in the compact default shape or as a projection."""
    if fields:
        columns: list[str] = [*fields, "log_id"]
        rows = [projected_row(e, fields) for e in events]
    else:
        columns = list(COLUMNS)
        rows = [row(e) for e in events]
    out: dict[str, Any] = {"columns": columns, "logs": rows}
    types = legend(events)
    if types:
        out["types"] = types
    return out


def top(counter: Counter[str], n: int = 10) -> dict[str, int]:
    """The ``n`` most common values, plus how many events the rest account for."""
    result = dict(counter.most_common(n))
    rest = sum(counter.values()) - sum(result.values())
    if rest:
        result[f"({len(counter) - len(result)} others)"] = rest
    return result


def counts(events: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Totals by type (with meanings), by ip and by user for a set of events."""
    by_type = Counter(str(e.get("type") or "") for e in events)
    by_ip = Counter(str(e.get("ip")) for e in events if e.get("ip"))
    by_user = Counter(str(e.get("user_name") or e.get("user_id"))
                      for e in events if e.get("user_name") or e.get("user_id"))
    return {
        "total": len(events),
        "by_type": [{"type": code, "meaning": meaning(code), "count": count}
                    for code, count in by_type.most_common()],
        "by_ip": top(by_ip),
        "by_user": top(by_user),
    }
