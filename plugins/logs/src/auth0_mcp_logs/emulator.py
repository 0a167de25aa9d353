"""``/api/v2/logs``: the tenant log, searched with Lucene or read from a checkpoint.

Search mode (``q``, ``sort``, ``page``/``per_page``, ``fields``) pages through at most 1,000
results; checkpoint mode (``from`` + ``take``) returns the events after a log_id in log_id order
with a ``Link: rel="next"`` header and ignores every other parameter, as recorded. ``_id`` is
returned even when ``fields`` leaves it out.
"""

from __future__ import annotations

import bisect
import random
import time
from typing import Any

from auth0_mcp_sandbox.lucene import LuceneError, compile_query
from auth0_mcp_sandbox.routing import ApiError, Reply, Router, SandboxRequest
from auth0_mcp_sandbox.tenant import SandboxTenant

# its demo events name the seeded applications, and the users family's people by their fixed ids
# (USERS), so it does not wait for that family: the users family seeds after it and adds
# only what this week of events does not already tell.
router = Router("logs", seed_after=("clients",))
SEARCH_CAP = 1000


def _project(event: dict[str, Any], req: SandboxRequest) -> dict[str, Any]:
    fields = req.query.get("fields")
    if not fields:
        return event
    wanted = {f.strip() for f in fields.split(",") if f.strip()}
    if req.query_bool("include_fields", True):
        out = {k: v for k, v in event.items() if k in wanted}
    else:
        out = {k: v for k, v in event.items() if k not in wanted}
    return {"_id": event.get("_id"), **out}


@router.get("/api/v2/logs", scope="read:logs")
def list_logs(req: SandboxRequest) -> Any:
    logs = req.tenant.logs
    if "from" in req.query or "take" in req.query:
        take = req.query_int("take", 50, minimum=1, maximum=100) or 50
        start = req.query.get("from") or ""
        ids = [e["log_id"] for e in logs]
        index = bisect.bisect_right(ids, start) if start else 0
        chunk = logs[index:index + take]
        cursor = chunk[-1]["log_id"] if chunk else start
        link = f'<{req.base_url}/api/v2/logs?from={cursor}&take={take}>; rel="next"'
        return Reply(chunk, headers={"Link": link})
    page = req.query_int("page", 0) or 0
    per_page = req.query_int("per_page", 50, minimum=1, maximum=100) or 50
    if (page + 1) * per_page > SEARCH_CAP:
        raise ApiError(400, f"You can only page through the first {SEARCH_CAP} records. See "
                       "https://auth0.com/docs/logs/retrieve-log-events-using-mgmt-api#limitations",
                       "invalid_paging")
    try:
        match = compile_query(req.query.get("q") or "")
    except LuceneError as exc:
        raise ApiError(400, f"Query validation error: {exc}.", "invalid_query_string") from None
    sort = req.query.get("sort") or "date:-1"
    if sort not in ("date:1", "date:-1"):
        field, _, direction = sort.partition(":")
        if direction not in ("1", "-1"):
            raise ApiError(400, "Query validation error: 'String does not match pattern "
                           "^(([a-zA-Z0-9_\\.]+))\\:(1|-1)$' on property sort.",
                           "invalid_query_string")
    ordered = logs if sort.endswith(":1") else reversed(logs)
    hits = [e for e in ordered if match(e)][:SEARCH_CAP]
    if sort not in ("date:1", "date:-1"):
        field = sort.split(":")[0]
        hits.sort(key=lambda e: str(e.get(field, "")), reverse=sort.endswith("-1"))
    chunk = [_project(e, req) for e in hits[page * per_page:(page + 1) * per_page]]
    if req.query_bool("include_totals"):
        return {"start": page * per_page, "limit": per_page, "length": len(chunk),
                "total": len(chunk), "logs": chunk}
    return chunk


@router.get("/api/v2/logs/{id}", scope="read:logs")
def get_log(req: SandboxRequest) -> Any:
    wanted = req.path_params["id"]
    for event in reversed(req.tenant.logs):
        if event["log_id"] == wanted or event.get("_id") == wanted:
            return event
    raise ApiError(404, "Log not found", "inexistent_log")


# -- the demo tenant's week of events -----------------------------------------------------

USERS = [("alice@example.com", "auth0|64f1c2a9e8b7d6c5b4a30001"),
         ("bob@example.com", "auth0|64f1c2a9e8b7d6c5b4a30002"),
         ("carol@example.org", "auth0|64f1c2a9e8b7d6c5b4a30003"),
         ("dave@example.net", "auth0|64f1c2a9e8b7d6c5b4a30004"),
         ("erin@example.com", "google-oauth2|109876543210987654321"),
         ("frank@example.org", "auth0|64f1c2a9e8b7d6c5b4a30006"),
         ("grace@example.com", "auth0|64f1c2a9e8b7d6c5b4a30007"),
         ("heidi@example.net", "auth0|64f1c2a9e8b7d6c5b4a30008")]
IPS = ["203.0.113.10", "203.0.113.77", "198.51.100.23", "198.51.100.200", "192.0.2.44",
       "2001:db8::17", "203.0.113.150", "198.51.100.9", "192.108.92.3"]
AGENTS = ["Chrome 131.0.0 / Mac OS X 10.15.7", "Safari 18.1 / iOS 18.1", "Firefox 133.0 / "
          "Windows 10", "Mobile Safari 17.6 / iOS 17.6", "Chrome Mobile 131.0 / Android 14"]
# (type, description, weight, user event?)
KINDS = [
    ("s", "Success Login", 40, True), ("f", "Wrong email or password.", 9, True),
    ("fp", "Wrong email or password.", 8, True), ("fu", "Invalid username or email", 3, True),
    ("slo", "Successful Logout", 10, True), ("ss", "Successful signup", 4, True),
    ("fs", "Password is too weak", 1, True), ("seccft", "Client Credentials for Access Token",
                                                   12, False),
    ("feccft", "Unauthorized", 1, False), ("sapi", "Update a client", 3, False),
    ("gd_auth_succeed", "MFA Authentication success", 3, True),
    ("gd_auth_failed", "MFA code was incorrect", 1, True),
    ("limit_wc", "Blocked Account", 1, True), ("pwd_leak", "Breached password", 1, True),
    ("w", "Warning during login", 1, True), ("depnote", "Deprecation Notice", 1, False),
    ("sce", "Successful change email", 1, True), ("scp", "Successful change password", 1, True),
]


def _event(tenant: SandboxTenant, rng: random.Random, ts: float,
           kind: tuple[str, str, int, bool], apps: list[dict[str, Any]],
           users: list[tuple[str, str]], ip: str | None = None) -> None:
    code, description, _, user_event = kind
    app = rng.choice(apps)
    event: dict[str, Any] = {
        "client_id": app["client_id"], "client_name": app["name"],
        "ip": ip or rng.choice(IPS[:-1]), "user_agent": rng.choice(AGENTS),
        "hostname": tenant.domain, "details": {}, "isMobile": False,
    }
    if user_event:
        name, user_id = rng.choice(users)
        event.update({"connection": "Username-Password-Authentication",
                      "connection_id": "con_Q3pLx8ZcWf2T7KbM", "strategy": "auth0",
                      "strategy_type": "database", "user_id": user_id, "user_name": name})
        if code in ("f", "fp", "fu"):
            event["details"] = {"error": {"message": description}}
    if code == "sapi":
        event["details"] = {"request": {"method": "patch", "path":
                                        f"/api/v2/clients/{app['client_id']}",
                                        "channel": "https://manage.auth0.com/"},
                            "response": {"statusCode": 200}}
    tenant.record(code, description, ts=ts, **event)


@router.seed
def seed(tenant: SandboxTenant) -> None:
    """1,400 events over the last 7 days, repeatable (seeded random), including successful and
    failed logins from 192.108.92.3."""
    rng = random.Random(20261124)
    apps = [c for c in tenant.collection("clients").values() if c.get("app_type")] or [
        {"client_id": "AbCdEfGhIjKlMnOpQrStUvWxYz012345", "name": "Storefront"}]
    users = [(u.get("email") or u.get("name") or u["user_id"], u["user_id"])
             for u in tenant.collection("users").values() if u.get("user_id")] or USERS
    now = time.time()
    weights = [k[2] for k in KINDS]
    moments = sorted(now - rng.uniform(60, 7 * 86400) for _ in range(1400))
    suspicious = set(rng.sample(range(len(moments)), 24))
    for i, ts in enumerate(moments):
        if i in suspicious:
            kind = KINDS[0] if i % 3 == 0 else KINDS[2]
            _event(tenant, rng, ts, kind, apps, users, ip="192.108.92.3")
        else:
            _event(tenant, rng, ts, rng.choices(KINDS, weights)[0], apps, users)


def prepare_replay(tenant: SandboxTenant, fixture: dict[str, Any]) -> None:
    request, response = fixture["request"], fixture["response"]
    if "/logs/" in request["path"] and response["status"] == 200:
        body = dict(response["body"])
        if not any(e["log_id"] == body.get("log_id") for e in tenant.logs):
            bisect.insort(tenant.logs, body, key=lambda e: e["log_id"])
