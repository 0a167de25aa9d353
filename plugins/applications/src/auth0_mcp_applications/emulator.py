"""``/api/v2/clients``: applications, with the defaults Auth0 fills in on create.

Quirks kept from the recordings: ``tenant`` is returned even when ``fields`` leaves it out,
a default page of 50 applies without paging parameters, ``client_secret`` is only shown to
tokens with ``read:client_keys``, and PATCH merges objects shallowly.
"""

from __future__ import annotations

from typing import Any

from auth0_mcp_sandbox.records import make_client, merge
from auth0_mcp_sandbox.routing import (
    Reply,
    Router,
    SandboxRequest,
    offset_page,
    project,
    stored,
)
from auth0_mcp_sandbox.tenant import SandboxTenant

router = Router("clients")
COLLECTION = "clients"
NOT_FOUND = ("The client does not exist", "inexistent_client")


def find(tenant: SandboxTenant, client_id: str) -> dict[str, Any]:
    return stored(tenant, COLLECTION, client_id, *NOT_FOUND)


def shown(client: dict[str, Any], req: SandboxRequest, *,
          projected: bool = True) -> dict[str, Any]:
    """What this caller may see: no secret without read:client_keys; ``tenant`` always.
    (PATCH ignores ``fields``, as recorded.)"""
    out = project(client, req) if projected else dict(client)
    out.setdefault("tenant", client.get("tenant"))
    out = {"tenant": out.pop("tenant"), **out}
    scopes = str(req.claims.get("scope", "")).split()
    if "read:client_keys" not in scopes and "read:client_credentials" not in scopes:
        out.pop("client_secret", None)
    return out


@router.get("/api/v2/clients", scope=("read:clients", "read:client_summary"))
def list_clients(req: SandboxRequest) -> Any:
    items = list(req.tenant.collection(COLLECTION).values())
    kinds = {t for t in (req.query.get("app_type") or "").split(",") if t}
    if kinds:
        items = [c for c in items if c.get("app_type") in kinds]
    for flag in ("is_global", "is_first_party"):
        if flag in req.query:
            key = "global" if flag == "is_global" else flag
            items = [c for c in items if bool(c.get(key)) == req.query_bool(flag)]
    if "take" in req.query or "from" in req.query:
        take = req.query_int("take", 50, minimum=1, maximum=100) or 50
        start = int(req.query.get("from") or 0)
        chunk = [shown(c, req) for c in items[start:start + take]]
        body: dict[str, Any] = {"clients": chunk}
        if start + take < len(items):
            body["next"] = str(start + take)
        return body
    return offset_page(req, items, "clients", render=shown)


@router.get("/api/v2/clients/{id}", scope=("read:clients", "read:client_summary"))
def get_client(req: SandboxRequest) -> Any:
    return shown(find(req.tenant, req.path_params["id"]), req)


@router.post("/api/v2/clients", scope="create:clients")
def create_client(req: SandboxRequest) -> Reply:
    return Reply(make_client(req.tenant, req.json_object()), 201)


@router.patch("/api/v2/clients/{id}", scope="update:clients")
def update_client(req: SandboxRequest) -> Any:
    client = find(req.tenant, req.path_params["id"])
    merge(client, req.json_object())
    return shown(client, req, projected=False)


@router.delete("/api/v2/clients/{id}", scope="delete:clients")
def delete_client(req: SandboxRequest) -> Reply:
    find(req.tenant, req.path_params["id"])
    del req.tenant.collection(COLLECTION)[req.path_params["id"]]
    grants = req.tenant.collection("client_grants")
    for gid in [g for g, v in grants.items() if v.get("client_id") == req.path_params["id"]]:
        del grants[gid]
    return Reply(None, 204)


DEMO = [
    ("Storefront", "spa", "Customer-facing shop", ["https://shop.example.com/callback"]),
    ("Storefront Admin", "spa", "Back-office for the shop team",
     ["https://admin.shop.example.com/callback"]),
    ("Shop iOS", "native", "iPhone app", ["com.example.shop://callback"]),
    ("Shop Android", "native", "Android app", ["com.example.shop.android://callback"]),
    ("Partner Portal", "regular_web", "Server-rendered partner site",
     ["https://partners.example.com/auth/callback"]),
    ("Support Desk", "regular_web", "Support agents' tool",
     ["https://support.example.com/login/callback", "http://localhost:3000/callback"]),
    ("Marketing Site", "regular_web", "Next.js marketing site",
     ["https://www.example.com/api/auth/callback"]),
    ("Order Sync Worker", "non_interactive", "Syncs orders to the ERP", []),
    ("Billing Service", "non_interactive", "Charges cards and issues refunds", []),
    ("Analytics Exporter", "non_interactive", "Nightly export to the warehouse", []),
    ("Kiosk App", "native", "In-store kiosk", ["com.example.kiosk://callback"]),
    ("Docs Portal", "spa", "Developer documentation", ["https://docs.example.com/callback"]),
]


@router.seed
def seed(tenant: SandboxTenant) -> None:
    for name, app_type, description, callbacks in DEMO:
        origins = sorted({c.split("/callback")[0].rsplit("/", 1)[0] if c.startswith("http")
                          else "" for c in callbacks} - {""})
        body: dict[str, Any] = {"name": name, "app_type": app_type, "description": description,
                                "callbacks": callbacks,
                                "allowed_logout_urls": origins}
        if app_type == "spa":
            body["web_origins"] = origins
            body["allowed_origins"] = origins
        make_client(tenant, body)


def prepare_replay(tenant: SandboxTenant, fixture: dict[str, Any]) -> None:
    request, response = fixture["request"], fixture["response"]
    if response["status"] != 200 or "/clients/" not in request["path"]:
        return
    client_id = request["path"].rsplit("/", 1)[1]
    if client_id not in tenant.collection(COLLECTION):
        client = make_client(tenant, {"name": "Replayed client", "description": "Replay"})
        del tenant.collection(COLLECTION)[client["client_id"]]
        client["client_id"] = client_id
        tenant.collection(COLLECTION)[client_id] = client
