"""Sandbox endpoints for ``/api/v2/roles``: roles, their permissions and their users.

Statuses and bodies follow the recordings: ``POST /roles`` and ``POST /roles/{id}/users``
answer 200, ``POST /roles/{id}/permissions`` 201 ``{}``, ``DELETE /roles/{id}`` 200 ``{}``, a
missing role is a 404 without ``errorCode``, and ``/roles/{id}/users`` pages by offset or by
checkpoint. Permissions must name a scope the API (resource server) really defines.

Shared state, in the layout the users family reads too: ``roles`` holds the role objects as
Auth0 shows them; ``role_members`` (``{role_id, user_ids}``) and ``role_permissions``
(``{role_id, permissions: [{resource_server_identifier, permission_name}]}``) are keyed by role
id; organization member roles are the ``roles`` of ``organization_members`` entries.
This is the only module of the family that imports the sandbox framework.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote

from auth0_mcp_sandbox.routing import (
    DEMO_ROLES,
    ApiError,
    Reply,
    Router,
    SandboxRequest,
    check_body,
    checkpoint_page,
    invalid_body,
    offset_page,
    shared_object,
    stored,
    user_row,
)
from auth0_mcp_sandbox.tenant import SandboxTenant, random_alnum

router = Router("roles", seed_after=("resource_servers", "roles-apis"))
# Only when the resource-servers family is not installed (it owns /resource-servers): the demo
# APIs and the read of one, which validating a role's permissions needs.
apis_router = Router("roles-apis")
ROLES, MEMBERS, PERMISSIONS = "roles", "role_members", "role_permissions"
NOT_FOUND = "The role does not exist."
WRITABLE = {"name": str, "description": str}


def find(tenant: SandboxTenant, role_id: str) -> dict[str, Any]:
    return stored(tenant, ROLES, role_id, NOT_FOUND)


def _entry(tenant: SandboxTenant, collection: str, role_id: str, key: str) -> list[Any]:
    """The list a role's ``role_members`` (``user_ids``) or ``role_permissions``
    (``permissions``) entry holds, created empty when missing."""
    return tenant.collection(collection).setdefault(role_id, {"role_id": role_id, key: []})[key]


def _id_list(body: dict[str, Any], key: str) -> list[Any]:
    check_body(body, {key: list}, required=(key,))
    return body[key]


def _api_scopes(tenant: SandboxTenant, identifier: str) -> tuple[dict[str, Any], dict[str, str]]:
    for api in tenant.collection("resource_servers").values():
        if api.get("identifier") == identifier:
            return api, {s["value"]: s.get("description", "") for s in api.get("scopes") or []}
    raise ApiError(404, f"Resource server with identifier {identifier} does not exist.",
                   "inexistent_resource_server")


def _permissions(body: dict[str, Any]) -> list[tuple[str, str]]:
    pairs = []
    for item in _id_list(body, "permissions"):
        if not isinstance(item, dict) or not isinstance(
                item.get("resource_server_identifier"), str) or not isinstance(
                item.get("permission_name"), str):
            raise invalid_body("Missing required property: resource_server_identifier, "
                               "permission_name", "permissions")
        pairs.append((item["resource_server_identifier"], item["permission_name"]))
    return pairs


def page(req: SandboxRequest, items: list[Any], key: str, **options: Any) -> Any:
    """Offset pages as these endpoints answer them: ``{<key>, start, limit, total}``."""
    options.setdefault("order", ("start", "limit", "total"))
    return offset_page(req, items, key, items_first=True, **options)


@router.get("/api/v2/roles", scope="read:roles")
def list_roles(req: SandboxRequest) -> Any:
    roles = list(req.tenant.collection(ROLES).values())
    wanted = (req.query.get("name_filter") or "").lower()
    if wanted:
        roles = [r for r in roles if wanted in r["name"].lower()]
    return page(req, roles, "roles")


@router.post("/api/v2/roles", scope="create:roles")
def create_role(req: SandboxRequest) -> Any:
    body = req.json_object()
    check_body(body, {**WRITABLE, "type": str, "owner_id": str}, required=("name",))
    return make_role(req.tenant, body)


def make_role(tenant: SandboxTenant, body: dict[str, Any],
              role_id: str | None = None) -> dict[str, Any]:
    roles = tenant.collection(ROLES)
    if any(r["name"] == body["name"] for r in roles.values()):
        raise ApiError(409, "A role with the same name already exists.", "conflict")
    role = {"id": role_id or "rol_" + random_alnum(16), **body}
    role.setdefault("type", "tenant")  # Auth0 says so since organization roles exist
    roles[role["id"]] = role
    return role


@router.get("/api/v2/roles/{id}", scope="read:roles")
def get_role(req: SandboxRequest) -> Any:
    return find(req.tenant, req.path_params["id"])


@router.patch("/api/v2/roles/{id}", scope="update:roles")
def update_role(req: SandboxRequest) -> Any:
    role = find(req.tenant, req.path_params["id"])
    body = req.json_object()
    check_body(body, WRITABLE)
    if any(r["name"] == body.get("name") and r is not role
           for r in req.tenant.collection(ROLES).values()):
        raise ApiError(409, "A role with the same name already exists.", "conflict")
    role.update(body)
    return role


@router.delete("/api/v2/roles/{id}", scope="delete:roles")
def delete_role(req: SandboxRequest) -> Any:
    role_id = find(req.tenant, req.path_params["id"])["id"]
    del req.tenant.collection(ROLES)[role_id]
    for name in (MEMBERS, PERMISSIONS):
        req.tenant.collection(name).pop(role_id, None)
    for member in req.tenant.collection("organization_members").values():
        if role_id in member.get("roles", []):
            member["roles"].remove(role_id)
    return {}


@router.get("/api/v2/roles/{id}/permissions", scope="read:roles")
def list_permissions(req: SandboxRequest) -> Any:
    role = find(req.tenant, req.path_params["id"])
    rows = []
    for link in _entry(req.tenant, PERMISSIONS, role["id"], "permissions"):
        api, scopes = _api_scopes(req.tenant, link["resource_server_identifier"])
        rows.append({"permission_name": link["permission_name"],
                     "description": scopes.get(link["permission_name"], ""),
                     "resource_server_name": api.get("name"),
                     "resource_server_identifier": api["identifier"]})
    return page(req, rows, "permissions")


@router.post("/api/v2/roles/{id}/permissions", scope="update:roles")
def add_permissions(req: SandboxRequest) -> Reply:
    role = find(req.tenant, req.path_params["id"])
    pairs = _permissions(req.json_object())
    for identifier, name in pairs:
        _, scopes = _api_scopes(req.tenant, identifier)
        if name not in scopes:
            raise ApiError(404, f"This permission does not exist: '{identifier} - {name}'",
                           "inexistent_resource_server_permission")
    grant(req.tenant, role["id"], pairs)
    return Reply({}, 201)


def grant(tenant: SandboxTenant, role_id: str, pairs: Iterable[tuple[str, str]]) -> None:
    granted = _entry(tenant, PERMISSIONS, role_id, "permissions")
    for identifier, name in pairs:
        perm = {"resource_server_identifier": identifier, "permission_name": name}
        if perm not in granted:
            granted.append(perm)


@router.delete("/api/v2/roles/{id}/permissions", scope="update:roles")
def remove_permissions(req: SandboxRequest) -> Reply:
    role = find(req.tenant, req.path_params["id"])
    granted = _entry(req.tenant, PERMISSIONS, role["id"], "permissions")
    for identifier, name in _permissions(req.json_object()):
        perm = {"resource_server_identifier": identifier, "permission_name": name}
        if perm in granted:
            granted.remove(perm)
    return Reply(None, 204)


@router.get("/api/v2/roles/{id}/users", scope=("read:users", "read:roles", "read:role_members"))
def list_users(req: SandboxRequest) -> Any:
    role = find(req.tenant, req.path_params["id"])
    rows = [user_row(req.tenant, u) for u in _entry(req.tenant, MEMBERS, role["id"], "user_ids")]
    if "take" in req.query or "from" in req.query:
        return checkpoint_page(req, rows, "users", ident=lambda row: row["user_id"],
                               stamp=lambda row: _created(req.tenant, row["user_id"]))
    return page(req, rows, "users")


def _created(tenant: SandboxTenant, user_id: str) -> str:
    return (tenant.collection("users").get(user_id) or {}).get("created_at",
                                                                "2026-01-05T10:00:00.000Z")


@router.post("/api/v2/roles/{id}/users", scope=("update:roles", "create:role_members"))
def assign_users(req: SandboxRequest) -> Any:
    role = find(req.tenant, req.path_params["id"])
    user_ids = _id_list(req.json_object(), "users")
    missing = [u for u in user_ids
               if not isinstance(u, str) or shared_object(req.tenant, "users", u) is None]
    if missing:
        raise ApiError(404, "The user does not exist.", "inexistent_user")
    assign(req.tenant, role["id"], user_ids)
    return {}


def assign(tenant: SandboxTenant, role_id: str, user_ids: Iterable[str]) -> None:
    members = _entry(tenant, MEMBERS, role_id, "user_ids")
    members.extend(u for u in dict.fromkeys(user_ids) if u not in members)


# --- demo data ------------------------------------------------------------------------------

ORDERS, CATALOG = "https://api.example-shop.com/orders", "https://api.example-shop.com/catalog"
BILLING = "https://billing.example-shop.com/"
# The users family seeds the same roles when this family is absent: same ids, same grants.
DEMO = {
    "rol_admin0000000001": [(ORDERS, "read:orders"), (ORDERS, "cancel:orders"),
                            (CATALOG, "write:products")],
    "rol_billingAdmin0001": [(BILLING, "read:invoices"), (BILLING, "issue:refunds")],
    "rol_support00000001": [(ORDERS, "read:orders")],
}
HOLDERS = {"rol_admin0000000001": ["auth0|64f1c2a9e8b7d6c5b4a30001"],
           "rol_support00000001": ["auth0|64f1c2a9e8b7d6c5b4a30003",
                                   "auth0|64f1c2a9e8b7d6c5b4a30007"]}


DEMO_APIS = {
    ORDERS: ("Orders API", "read:orders create:orders cancel:orders"),
    CATALOG: ("Catalog API", "read:products write:products"),
    BILLING: ("Billing API", "read:invoices issue:refunds read:payment_methods"),
}


@apis_router.get("/api/v2/resource-servers/{id:path}", scope="read:resource_servers")
def get_api(req: SandboxRequest) -> Any:
    key = unquote(unquote(req.path_params["id"]))
    for api in req.tenant.collection("resource_servers").values():
        if key in (api["id"], api["identifier"]):
            return api
    raise ApiError(404, "The resource server does not exist", "inexistent_resource_server")


@apis_router.seed
def seed_apis(tenant: SandboxTenant) -> None:
    apis = tenant.collection("resource_servers")
    for identifier, (name, scopes) in DEMO_APIS.items():
        if not any(a.get("identifier") == identifier for a in apis.values()):
            api_id = secrets.token_hex(12)
            apis[api_id] = {"id": api_id, "name": name, "identifier": identifier,
                            "signing_alg": "RS256", "enforce_policies": True,
                            "scopes": [{"value": v, "description": v} for v in scopes.split()]}


@router.seed
def seed(tenant: SandboxTenant) -> None:
    """The demo roles tied to the demo APIs' real scopes, and who holds them (the users
    themselves are the users family's; see ``shared_object``)."""
    roles = tenant.collection(ROLES)
    apis = {a.get("identifier") for a in tenant.collection("resource_servers").values()}
    for role_id, permissions in DEMO.items():
        name, description = DEMO_ROLES[role_id]
        roles.setdefault(role_id, {"id": role_id, "name": name, "description": description,
                                   "type": "tenant"})
        grant(tenant, role_id, [p for p in permissions if p[0] in apis])
    for role_id, user_ids in HOLDERS.items():
        assign(tenant, role_id, user_ids)
