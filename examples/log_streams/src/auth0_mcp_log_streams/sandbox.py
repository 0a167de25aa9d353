"""The sandbox endpoints these tools call, ``/api/v2/log-streams``, as Auth0 answers them in
the recordings: creates answer 200 (not 201), lists are a bare array, a missing stream is a
404 without ``errorCode``, deletes answer 204 even when the stream is already gone, and the
Mixpanel password reads back as ``********`` while other sink credentials are echoed.

The only module of this package that imports the sandbox framework."""

from __future__ import annotations

import secrets
from typing import Any

from auth0_mcp_sandbox.routing import (
    ApiError,
    Reply,
    Router,
    SandboxRequest,
    check_body,
    invalid_body,
)

from .sinks import FILTER_CATEGORIES, STATUSES, TYPES, in_order, sink_problem

router = Router("log_streams")
COLLECTION = "log_streams"
MIXPANEL_MASK = "********"
COMMON = {"name": str, "isPriority": bool, "filters": list, "pii_config": dict, "sink": dict}
CREATE = {**COMMON, "type": str, "startFrom": str}
UPDATE = {**COMMON, "status": str}
PII_FIELDS = ("first_name", "last_name", "username", "email", "phone", "address")


def _find(req: SandboxRequest) -> dict[str, Any]:
    stream = req.tenant.collection(COLLECTION).get(req.path_params["id"])
    if stream is None:
        raise ApiError(404, "The log stream does not exist.")
    return stream


def _render(stream: dict[str, Any]) -> dict[str, Any]:
    """Auth0's key order; the write-only Mixpanel password masked."""
    sink = in_order(stream["type"], stream["sink"])
    if "mixpanelServiceAccountPassword" in sink:
        sink["mixpanelServiceAccountPassword"] = MIXPANEL_MASK
    shown = {k: stream[k] for k in ("id", "name", "type", "status")}
    shown["sink"] = sink
    if stream.get("filters"):
        shown["filters"] = stream["filters"]
    shown["isPriority"] = stream["isPriority"]
    if stream.get("pii_config"):
        shown["pii_config"] = stream["pii_config"]
    return shown


def _check_common(body: dict[str, Any], kind: str, *, partial: bool) -> None:
    if "sink" in body:
        problem = sink_problem(kind, body["sink"], partial=partial)
        if problem:
            raise invalid_body(problem, "sink")
    for item in body.get("filters") or []:
        if not isinstance(item, dict) or item.get("type") != "category" or \
                item.get("name") not in FILTER_CATEGORIES:
            raise invalid_body(f'No enum match for: "{item}"', "filters")
    pii = body.get("pii_config")
    if pii is not None:
        fields = pii.get("log_fields")
        if not isinstance(fields, list) or any(f not in PII_FIELDS for f in fields):
            raise invalid_body("Missing required property: log_fields", "pii_config")
        if pii.get("method", "hash") not in ("mask", "hash"):
            raise invalid_body(f'No enum match for: "{pii["method"]}"', "pii_config.method")
        body["pii_config"] = {"log_fields": fields, "method": pii.get("method", "hash"),
                              "algorithm": pii.get("algorithm", "xxhash")}


@router.get("/api/v2/log-streams", scope="read:log_streams")
def list_streams(req: SandboxRequest) -> Any:
    return [_render(s) for s in req.tenant.collection(COLLECTION).values()]


@router.get("/api/v2/log-streams/{id}", scope="read:log_streams")
def get_stream(req: SandboxRequest) -> Any:
    return _render(_find(req))


def create(tenant: Any, body: dict[str, Any]) -> dict[str, Any]:
    check_body(body, CREATE, required=("type", "sink"), enums={"type": TYPES})
    _check_common(body, body["type"], partial=False)
    stream = {"id": f"lst_{secrets.randbelow(10**16):016d}",
              "name": body.get("name") or body["type"], "type": body["type"], "status": "active",
              "sink": dict(body["sink"]), "filters": body.get("filters") or [],
              "isPriority": bool(body.get("isPriority", False)),
              "pii_config": body.get("pii_config")}
    tenant.collection(COLLECTION)[stream["id"]] = stream
    return stream


@router.post("/api/v2/log-streams", scope="create:log_streams")
def create_stream(req: SandboxRequest) -> Reply:
    return Reply(_render(create(req.tenant, req.json_object())), 200)


@router.patch("/api/v2/log-streams/{id}", scope="update:log_streams")
def update_stream(req: SandboxRequest) -> Any:
    stream = _find(req)
    body = req.json_object()
    check_body(body, UPDATE, enums={"status": STATUSES})
    _check_common(body, stream["type"], partial=True)
    if "sink" in body:
        stream["sink"] = {**stream["sink"], **body.pop("sink")}
    stream.update(body)
    return _render(stream)


@router.delete("/api/v2/log-streams/{id}", scope="delete:log_streams")
def delete_stream(req: SandboxRequest) -> Reply:
    req.tenant.collection(COLLECTION).pop(req.path_params["id"], None)
    return Reply(None, 204)


@router.seed
def seed(tenant: Any) -> None:
    create(tenant, {"name": "Datadog (security)", "type": "datadog",
                    "sink": {"datadogApiKey": "dd0000000000000000000000000demo",
                             "datadogRegion": "eu"},
                    "filters": [{"type": "category", "name": "auth.login.fail"},
                                {"type": "category", "name": "management.success"}]})
    webhook = create(tenant, {"name": "SIEM webhook", "type": "http",
                              "sink": {"httpEndpoint": "https://siem.example.com/auth0",
                                       "httpAuthorization": "Bearer demo-siem-token-0000",
                                       "httpContentFormat": "JSONLINES",
                                       "httpContentType": "application/json"}})
    webhook["status"] = "paused"
