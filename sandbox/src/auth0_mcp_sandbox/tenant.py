"""The sandbox tenant's state: every object the emulated Auth0 holds, and how it is saved.

State is plain JSON-able dicts keyed by collection name and object id, so persisting it is one
``json.dump`` and a family module needs no schema of its own. All access happens on the sandbox
server's event loop, one request at a time, so no locking is needed.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import os
import secrets
import string
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import attrs

from .log_events import complete

_ALNUM = string.ascii_letters + string.digits


def iso_now(ts: float | None = None, *, nanos: bool = False) -> str:
    """Auth0's timestamp formats: milliseconds in general, nanoseconds for Actions."""
    moment = dt.datetime.fromtimestamp(time.time() if ts is None else ts, tz=dt.UTC)
    if nanos:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond * 1000:09d}Z"
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def random_alnum(n: int) -> str:
    return "".join(secrets.choice(_ALNUM) for _ in range(n))


def _rebase(tenant: SandboxTenant, _attribute: Any, new: str) -> str:
    """A tenant saved with ``--state`` and served on another port: its Management API
    audience moves with it, so grants (and tokens minted from them) keep working."""
    old = tenant.base_url
    if old != new and not old.endswith(":0"):
        before, after = f"{old}/api/v2/", f"{new}/api/v2/"
        for api in tenant.collections.get("resource_servers", {}).values():
            if api.get("identifier") == before:
                api["identifier"] = after
        for grant in tenant.collections.get("client_grants", {}).values():
            if grant.get("audience") == before:
                grant["audience"] = after
    return new


@attrs.define
class SandboxTenant:
    """One emulated tenant.

    ``collections`` maps a collection name ("clients", "resource_servers", "client_grants",
    "actions", "action_versions", "forms", ...) to an insertion-ordered ``{id: object}`` dict.
    ``logs`` is the tenant log, oldest first; ``log_seq`` makes log ids monotonic.
    """

    name: str = "sandbox"
    # set by the server once the port is bound; changing it moves the Management audience
    base_url: str = attrs.field(default="http://127.0.0.1:0", on_setattr=_rebase)
    collections: dict[str, dict[str, dict[str, Any]]] = attrs.field(factory=dict)
    logs: list[dict[str, Any]] = attrs.field(factory=list)
    log_seq: int = 0
    seeded: list[str] = attrs.field(factory=list)  # routers whose demo data is in (seed.py)
    # Knobs of emulated behaviour that tests turn, read by the families' emulators, e.g.
    # ``build_seconds``: Actions build time as a multiple of Auth0-like defaults (0: instant).
    settings: dict[str, Any] = attrs.field(factory=dict)
    state_file: Path | None = None
    # Auth-server data that must survive a restart with --state (keys, refresh tokens, clients'
    # credentials live in ``collections``); owned by sandbox/auth.py.
    auth: dict[str, Any] = attrs.field(factory=dict)

    # -- identity ------------------------------------------------------------------------

    @property
    def domain(self) -> str:
        """The host[:port] clients use as ``AUTH0_DOMAIN``."""
        return self.base_url.split("://", 1)[1]

    @property
    def management_audience(self) -> str:
        return f"{self.base_url}/api/v2/"

    @property
    def issuer(self) -> str:
        return f"{self.base_url}/"

    # -- objects ---------------------------------------------------------------------------

    def collection(self, name: str) -> dict[str, dict[str, Any]]:
        return self.collections.setdefault(name, {})

    @staticmethod
    def new_id(kind: str) -> str:
        """Ids in Auth0's formats (see reference/auth0-api.md §1)."""
        if kind == "client":
            return random_alnum(32)
        if kind == "resource_server":
            return secrets.token_hex(12)
        if kind == "client_grant":
            return "cgr_" + random_alnum(16)
        if kind == "form":
            return "ap_" + random_alnum(22)
        if kind in ("action", "action_version"):
            return str(uuid.uuid4())
        if kind == "secret":
            return secrets.token_urlsafe(48)[:64]
        raise ValueError(f"unknown id kind {kind!r}")

    # -- the tenant log --------------------------------------------------------------------

    def next_log_id(self, ts: float) -> str:
        """56-digit decimal ids shaped like Auth0's (``900`` + UTC date and time + more), so
        ids sort by date; a sequence keeps ids of the same millisecond apart."""
        self.log_seq += 1
        moment = dt.datetime.fromtimestamp(ts, tz=dt.UTC)
        stamp = moment.strftime("%Y%m%d%H%M%S") + f"{moment.microsecond // 1000:03d}"
        return f"900{stamp}{self.log_seq:036d}"

    def record(self, type_: str, description: str = "", *, ts: float | None = None,
               **fields: Any) -> dict[str, Any]:
        """Append one log event (``sapi`` for Management operations, ``s``/``f`` for logins),
        with every field Auth0 always sends for its type (log_events.py)."""
        when = time.time() if ts is None else ts
        event = {"date": iso_now(when), "type": type_, "description": description, **fields}
        complete(self, event)  # the fields Auth0 always sends for this type, before log_id
        event["log_id"] = self.next_log_id(when)
        event.setdefault("_id", event["log_id"])
        if self.logs and self.logs[-1]["log_id"] > event["log_id"]:
            bisect.insort(self.logs, event, key=lambda e: e["log_id"])  # a back-dated event
        else:
            self.logs.append(event)
        return event

    # -- persistence -----------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "base_url": self.base_url,
            "collections": self.collections,
            "logs": self.logs,
            "log_seq": self.log_seq,
            "seeded": self.seeded,
            "auth": self.auth,
        }

    def save(self) -> None:
        """Write the state atomically (temp file + rename) when ``--state`` was given."""
        if self.state_file is None:
            return
        target = self.state_file
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=target.name, dir=target.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(self.snapshot(), fh, separators=(",", ":"))
            os.chmod(tmp, 0o600)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: Path) -> SandboxTenant:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            name=data.get("name", "sandbox"),
            base_url=data.get("base_url", "http://127.0.0.1:0"),
            collections=data.get("collections", {}),
            logs=data.get("logs", []),
            log_seq=data.get("log_seq", 0),
            seeded=data.get("seeded", []),
            auth=data.get("auth", {}),
            state_file=path,
        )
