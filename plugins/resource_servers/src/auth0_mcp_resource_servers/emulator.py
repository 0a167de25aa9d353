"""``/api/v2/resource-servers``: APIs, addressable by id or by identifier (audience).

Key order, defaults, the 409 on a duplicate identifier and the system APIs follow the
recordings (reference/auth0-api.md §5.2).
"""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import unquote

from auth0_mcp_sandbox.routing import (
    ApiError,
    Reply,
    Router,
    SandboxRequest,
    offset_page,
    project,
)
from auth0_mcp_sandbox.tenant import SandboxTenant

router = Router("resource_servers")
COLLECTION = "resource_servers"

ORDER = ("id", "name", "identifier", "allow_offline_access",
         "skip_consent_for_verifiable_first_party_clients", "token_lifetime",
         "token_lifetime_for_web", "signing_alg", "signing_secret", "scopes", "enforce_policies",
         "token_dialect", "is_system")
NOT_FOUND = ("The resource server does not exist", "inexistent_resource_server")


def _ordered(obj: dict[str, Any]) -> dict[str, Any]:
    out = {k: obj[k] for k in ORDER if k in obj}
    out.update({k: v for k, v in obj.items() if k not in out})
    return out


def find(tenant: SandboxTenant, key: str) -> dict[str, Any]:
    """By id or identifier; identifiers may arrive percent-encoded once or twice."""
    apis = tenant.collection(COLLECTION)
    for candidate in (key, unquote(key), unquote(unquote(key))):
        if candidate in apis:
            return apis[candidate]
        for api in apis.values():
            if api.get("identifier") == candidate:
                return api
    raise ApiError(404, *NOT_FOUND)


def check_plan(body: dict[str, Any]) -> None:
    """Beyond the body schema: features a free tenant's plan does not include."""
    if "consent_policy" in body or "token_encryption" in body:
        raise ApiError(403, "Please upgrade your subscription to use consent_policy, "
                       "token_encryption.", "feature_not_enabled")


def make_resource_server(tenant: SandboxTenant, body: dict[str, Any]) -> dict[str, Any]:
    check_plan(body)
    apis = tenant.collection(COLLECTION)
    if any(a.get("identifier") == body["identifier"] for a in apis.values()):
        raise ApiError(409, "A resource server with the same identifier already exists.",
                       "conflict")
    api = {"id": tenant.new_id("resource_server"), "name": body.get("name",
                                                                    body["identifier"]),
           "identifier": body["identifier"], "allow_offline_access": False,
           "skip_consent_for_verifiable_first_party_clients": False, "token_lifetime": 86400,
           "token_lifetime_for_web": 7200, "signing_alg": "RS256"}
    api.update({k: v for k, v in body.items() if k not in ("identifier",)})
    if api["signing_alg"] == "HS256" and not api.get("signing_secret"):
        api["signing_secret"] = secrets.token_urlsafe(32)
    api.setdefault("scopes", [])
    api = _ordered(api)
    apis[api["id"]] = api
    return api


@router.get("/api/v2/resource-servers", scope="read:resource_servers")
def list_resource_servers(req: SandboxRequest) -> Any:
    items = list(req.tenant.collection(COLLECTION).values())
    wanted = [unquote(i) for i in req.query_list("identifiers")]
    if wanted:
        items = [i for i in items if i.get("identifier") in wanted]
    return offset_page(req, items, "resource_servers")


@router.get("/api/v2/resource-servers/{id:path}", scope="read:resource_servers")
def get_resource_server(req: SandboxRequest) -> Any:
    return project(find(req.tenant, req.path_params["id"]), req)


@router.post("/api/v2/resource-servers", scope="create:resource_servers")
def create_resource_server(req: SandboxRequest) -> Reply:
    return Reply(make_resource_server(req.tenant, req.json_object()), 201)


@router.patch("/api/v2/resource-servers/{id:path}", scope="update:resource_servers")
def update_resource_server(req: SandboxRequest) -> Any:
    api = find(req.tenant, req.path_params["id"])
    body = req.json_object()
    check_plan(body)
    if api.get("is_system"):
        raise ApiError(403, "You cannot modify a system resource server.",
                       "operation_not_supported")
    api.update(body)
    if api.get("signing_alg") == "HS256" and not api.get("signing_secret"):
        api["signing_secret"] = secrets.token_urlsafe(32)
    updated = _ordered(api)
    req.tenant.collection(COLLECTION)[api["id"]] = updated
    return updated


@router.delete("/api/v2/resource-servers/{id:path}", scope="delete:resource_servers")
def delete_resource_server(req: SandboxRequest) -> Reply:
    api = find(req.tenant, req.path_params["id"])
    if api.get("is_system"):
        raise ApiError(403, "You cannot delete a system resource server.",
                       "operation_not_supported")
    del req.tenant.collection(COLLECTION)[api["id"]]
    grants = req.tenant.collection("client_grants")
    for gid in [g for g, v in grants.items() if v.get("audience") == api["identifier"]]:
        del grants[gid]
    return Reply(None, 204)


DEMO = [
    ("Orders API", "https://api.example-shop.com/orders",
     [("read:orders", "Read orders"), ("create:orders", "Place orders"),
      ("cancel:orders", "Cancel orders")]),
    ("Catalog API", "https://api.example-shop.com/catalog",
     [("read:products", "Read the catalog"), ("write:products", "Edit products")]),
    ("Billing API", "https://billing.example-shop.com/",
     [("read:invoices", "Read invoices"), ("issue:refunds", "Issue refunds"),
      ("read:payment_methods", "Read payment methods")]),
]


@router.seed
def seed(tenant: SandboxTenant) -> None:
    for name, identifier, scopes in DEMO:
        make_resource_server(tenant, {
            "name": name, "identifier": identifier, "allow_offline_access": True,
            "enforce_policies": True, "token_dialect": "access_token_authz",
            "scopes": [{"value": v, "description": d} for v, d in scopes]})


def prepare_replay(tenant: SandboxTenant, fixture: dict[str, Any]) -> None:
    """Create the API a recorded request refers to (by id or identifier)."""
    request, response = fixture["request"], fixture["response"]
    if response["status"] == 404 or request["method"] == "POST":
        if request["method"] == "POST" and isinstance(request.get("body"), dict):
            for api_id, api in list(tenant.collection(COLLECTION).items()):
                if api.get("identifier") == request["body"].get("identifier"):
                    del tenant.collection(COLLECTION)[api_id]
        return
    parts = request["path"].split("/resource-servers/", 1)
    if len(parts) < 2:
        return
    key = unquote(unquote(parts[1]))
    body = response.get("body") if isinstance(response.get("body"), dict) else {}
    known = body.get("id") if key.startswith("http") else key
    identifier = key if key.startswith("http") else body.get("identifier", f"https://{key}/")
    new_id: str = known or tenant.new_id("resource_server")
    tenant.collection(COLLECTION)[new_id] = _ordered({
        "id": new_id, "name": body.get("name", "Replayed"), "identifier": identifier,
        "allow_offline_access": False, "skip_consent_for_verifiable_first_party_clients": False,
        "token_lifetime": 86400, "token_lifetime_for_web": 7200, "signing_alg": "RS256",
        "scopes": []})
