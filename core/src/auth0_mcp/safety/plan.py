"""Plans: what a write would do, found by running it once without sending anything.

The handler runs with a Management client that lets reads through and records every mutating
request instead of sending it (answering with a synthesized body), so the plan is exactly the
requests that would leave the process. The target (the object an update or delete changes) is
read as declared by the tool's ``Target`` (else GET on the write's path) and the change is
diffed field by field: list items added and removed, nested objects by path, secrets only as
"changed".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from ..errors import ToolError
from ..management import SAFE, ManagementClient
from ..redaction import SECRET_CONTAINERS, SECRET_KEYS
from .journal import canonical, digest


@attrs.frozen
class Write:
    """One mutating request the handler would send."""

    method: str
    path: str
    body: Any = None
    params: Mapping[str, Any] | None = None

    def render(self) -> str:
        return f"{self.method} {self.path}"


class DryRunClient(ManagementClient):
    """The live client's reads, with every write recorded instead of sent."""

    def __init__(self, live: ManagementClient) -> None:
        self.__dict__.update(live.__dict__)
        self._live = live
        self.writes: list[Write] = []
        self.seen: dict[str, Any] = {}  # plain GETs by path: the plan's target read reuses them

    async def request(self, method: str, path: str, *, params: Mapping[str, Any] | None = None,
                      json_body: Any = None) -> Any:
        method = method.upper()
        if method in SAFE:
            body = await self._live.request(method, path, params=params, json_body=json_body)
            if method == "GET" and not params:
                self.seen[path] = body
            return body
        self.writes.append(Write(method, path, json_body, dict(params) if params else None))
        if method == "DELETE":
            return None
        body = dict(json_body) if isinstance(json_body, Mapping) else {}
        if method == "PATCH":
            current = self.seen.get(path)
            if current is None:
                try:
                    current = self.seen[path] = await self._live.get(path)
                except ToolError:
                    current = None
            if isinstance(current, Mapping):
                return {**current, **body}
        return body

    async def aclose(self) -> None:  # the pool is the live client's
        return None


class GuardedClient(ManagementClient):
    """The live client for applying a confirmed plan: the first write must be the one the
    person confirmed (same method, path and body), or nothing is sent. Later writes may
    depend on answers the dry run could only synthesize (a new id), so they are not held to
    the plan."""

    def __init__(self, live: ManagementClient, first: Write) -> None:
        self.__dict__.update(live.__dict__)
        self._live = live
        self._first: Write | None = first

    async def request(self, method: str, path: str, *, params: Mapping[str, Any] | None = None,
                      json_body: Any = None) -> Any:
        method = method.upper()
        if method not in SAFE and self._first is not None:
            expected, self._first = self._first, None
            sent = Write(method, path, json_body, dict(params) if params else None)
            if canonical(attrs.astuple(sent)) != canonical(attrs.astuple(expected)):
                raise ToolError(f"not applied: the call would now send {sent.render()} with "
                                "other content than the plan that was confirmed (the tenant "
                                "changed meanwhile). Nothing was sent; call again for a "
                                "fresh plan.")
        return await self._live.request(method, path, params=params, json_body=json_body)

    async def aclose(self) -> None:
        return None


@attrs.frozen
class Change:
    """One field's change: ``added``/``removed`` for lists, ``before``/``after`` otherwise;
    ``secret`` changes carry no values."""

    path: str
    before: Any = None
    after: Any = None
    added: tuple[Any, ...] = ()
    removed: tuple[Any, ...] = ()
    secret: bool = False
    is_list: bool = False

    @property
    def top(self) -> str:
        return self.path.split(".", 1)[0]

    def render(self) -> Any:
        if self.secret:
            return "changed"
        if self.is_list:
            out: dict[str, Any] = {}
            if self.added:
                out["+"] = list(self.added)
            if self.removed:
                out["-"] = list(self.removed)
            return out or "reordered"
        return {"from": self.before, "to": self.after}


def is_secret_key(key: str, parent: str | None, declared: frozenset[str]) -> bool:
    lowered = key.lower()
    return (lowered in SECRET_KEYS or lowered in SECRET_CONTAINERS or key in declared
            or (lowered == "value" and parent == "secrets"))


_MISSING = object()


def diff(before: Any, after: Any, *, secret: frozenset[str] = frozenset()) -> list[Change]:
    """Field-level differences between two JSON values (only keys ``after`` has are compared:
    a PATCH leaves the others alone)."""
    changes: list[Change] = []
    _diff(before, after, "", None, secret, changes)
    return changes


def _diff(before: Any, after: Any, path: str, parent: str | None, secret: frozenset[str],
          out: list[Change]) -> None:
    key = path.rsplit(".", 1)[-1] if path else ""
    if path and is_secret_key(key, parent, secret):
        if canonical(before) != canonical(after):
            out.append(Change(path, secret=True))
        return
    if isinstance(after, Mapping) and isinstance(before, Mapping):
        for k, v in after.items():
            sub = f"{path}.{k}" if path else str(k)
            _diff(before.get(k, _MISSING), v, sub, key or None, secret, out)
        return
    if before is _MISSING:
        before = None
    if isinstance(after, list) and isinstance(before, list | type(None)):
        old = [canonical(i) for i in before or []]
        new = [canonical(i) for i in after]
        added = tuple(i for i, c in zip(after, new, strict=True) if c not in old)
        removed = tuple(i for i, c in zip(before or [], old, strict=True) if c not in new)
        if added or removed or old != new:
            out.append(Change(path, added=added, removed=removed, is_list=True))
        return
    if canonical(before) != canonical(after):
        out.append(Change(path, before, after))


def merged(before: Mapping[str, Any] | None, writes: Sequence[Write]) -> dict[str, Any]:
    """The target after the writes, as Auth0 applies a PATCH: given top-level fields replace."""
    after = dict(before or {})
    for write in writes:
        if write.method in ("PATCH", "PUT", "POST") and isinstance(write.body, Mapping):
            after.update(write.body)
    return after


UNREAD = "the target could not be read (no read scope): no diff, and no undo"


@attrs.frozen
class Plan:
    """What a call would do. ``before`` is the target as read (raw: never shown or journaled
    unredacted); ``state`` is its hash, which a confirmation is bound to."""

    tool: str
    kind: str
    writes: tuple[Write, ...]
    before: Mapping[str, Any] | None = None
    changes: tuple[Change, ...] = ()
    label: str | None = None
    dependents: Mapping[str, Any] | None = None

    @property
    def state(self) -> str:
        return digest(self.before)

    @property
    def digest(self) -> str:
        return digest([self.tool, [attrs.astuple(w) for w in self.writes], self.state])

    def removes_items(self) -> bool:
        return any(c.removed for c in self.changes)

    def touches(self, critical: frozenset[str]) -> bool:
        return any(c.top in critical or c.path in critical for c in self.changes)

    def summary(self) -> str:
        """One line a person reads before saying yes."""
        what = f" {self.label!r}" if self.label else ""
        if self.kind in ("update", "delete") and self.before is None:
            return f"{self.kind.capitalize()}{what}: {self.writes[0].render()} ({UNREAD})."
        if self.kind == "delete":
            return f"Delete{what} ({self.writes[0].render()}): it is gone for good."
        if self.kind == "update":
            if not self.changes:
                return f"Update{what}: no field changes."
            parts = []
            for change in self.changes:
                shown = change.render()
                if isinstance(shown, dict) and "from" in shown:
                    parts.append(f"{change.path}: {shown['from']!r} -> {shown['to']!r}")
                elif isinstance(shown, dict):
                    bits = [f"+{v!r}" for v in shown.get("+", [])]
                    bits += [f"-{v!r}" for v in shown.get("-", [])]
                    parts.append(f"{change.path}: {' '.join(bits)}")
                else:
                    parts.append(f"{change.path}: {shown}")
            return f"Update{what}: " + "; ".join(parts)
        requests = ", ".join(w.render() for w in self.writes) or "no request"
        return f"{self.kind.capitalize()}{what}: {requests}"

    def render(self, redact: Any) -> dict[str, Any]:
        """The compact form a model or person sees (values pass through ``redact``)."""
        out: dict[str, Any] = {"tool": self.tool, "kind": self.kind}
        if self.label:
            out["target"] = self.label
        out["requests"] = [w.render() for w in self.writes]
        if self.kind == "update":
            out["changes"] = {c.path: c.render() for c in self.changes}
        elif self.kind == "delete" and self.before is not None:
            out["loses"] = brief(self.before)
        elif self.kind in ("create", "action"):
            bodies = [w.body for w in self.writes if w.body is not None]
            if bodies:
                out["body"] = bodies[0] if len(bodies) == 1 else bodies
        if self.dependents:
            out["dependents"] = dict(self.dependents)
        if self.kind in ("update", "delete") and self.before is None:
            out["note"] = UNREAD
        shown: dict[str, Any] = redact(out)
        return shown


def brief(obj: Mapping[str, Any]) -> dict[str, Any]:
    """What a deleted object was, in few bytes: short values as they are, long lists and
    nested objects counted, secrets left out."""
    out: dict[str, Any] = {}
    for key, value in obj.items():
        if value in (None, "", [], {}) or is_secret_key(key, None, frozenset()):
            continue
        if isinstance(value, str):
            out[key] = value if len(value) <= 80 else value[:77] + "..."
        elif isinstance(value, list):
            short = all(isinstance(v, str | int | float | bool) for v in value)
            out[key] = value if short and len(value) <= 5 else f"{len(value)} items"
        elif isinstance(value, Mapping):
            out[key] = f"{len(value)} fields"
        else:
            out[key] = value
    return out
