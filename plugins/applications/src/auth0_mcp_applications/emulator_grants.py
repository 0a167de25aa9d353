"""``/api/v2/client-grants``: which application may call which API with which scopes.

Checkpoint mode (``take``) wins over ``include_totals``/``per_page`` and leaves ``next`` out on
the last page, as recorded (reference/auth0-api.md §4.2, §5.3).
"""

from __future__ import annotations

from typing import Any

from auth0_mcp_sandbox.records import make_client_grant
from auth0_mcp_sandbox.routing import (
    Reply,
    Router,
    SandboxRequest,
    offset_page,
    project,
    stored,
)
from auth0_mcp_sandbox.tenant import SandboxTenant

router = Router("client_grants", seed_after=("clients", "resource_servers"))
COLLECTION = "client_grants"
NOT_FOUND = ("The grant does not exist.", "inexistent_client_grant")


def find(tenant: SandboxTenant, grant_id: str) -> dict[str, Any]:
    return stored(tenant, COLLECTION, grant_id, *NOT_FOUND)


@router.get("/api/v2/client-grants", scope="read:client_grants")
def list_grants(req: SandboxRequest) -> Any:
    items = list(req.tenant.collection(COLLECTION).values())
    for key in ("audience", "client_id", "subject_type"):
        if req.query.get(key):
            items = [g for g in items if g.get(key) == req.query[key]]
    if "take" in req.query:
        take = req.query_int("take", 50, minimum=1, maximum=100) or 50
        start = int(req.query.get("from") or 0)
        body: dict[str, Any] = {"client_grants": [project(g, req)
                                                  for g in items[start:start + take]]}
        if start + take < len(items):
            body["next"] = str(start + take)
        return body
    return offset_page(req, items, "client_grants")


@router.get("/api/v2/client-grants/{id}", scope="read:client_grants")
def get_grant(req: SandboxRequest) -> Any:
    return find(req.tenant, req.path_params["id"])


@router.post("/api/v2/client-grants", scope="create:client_grants")
def create_grant(req: SandboxRequest) -> Reply:
    return Reply(make_client_grant(req.tenant, req.json_object()), 201)


@router.patch("/api/v2/client-grants/{id}", scope="update:client_grants")
def update_grant(req: SandboxRequest) -> Any:
    grant = find(req.tenant, req.path_params["id"])
    grant.update(req.json_object())
    return grant


@router.delete("/api/v2/client-grants/{id}", scope="delete:client_grants")
def delete_grant(req: SandboxRequest) -> Reply:
    find(req.tenant, req.path_params["id"])
    del req.tenant.collection(COLLECTION)[req.path_params["id"]]
    return Reply(None, 204)


@router.seed
def seed(tenant: SandboxTenant) -> None:
    by_name = {c.get("name"): c for c in tenant.collection("clients").values()}
    apis = {a["identifier"]: a for a in tenant.collection("resource_servers").values()}
    wanted = [("Order Sync Worker", "https://api.example-shop.com/orders"),
              ("Billing Service", "https://billing.example-shop.com/"),
              ("Analytics Exporter", "https://api.example-shop.com/catalog")]
    for name, audience in wanted:
        if name in by_name and audience in apis:
            make_client_grant(tenant, {
                "client_id": by_name[name]["client_id"], "audience": audience,
                "scope": [s["value"] for s in apis[audience].get("scopes", [])][:2]})


def prepare_replay(tenant: SandboxTenant, fixture: dict[str, Any]) -> None:
    request, response = fixture["request"], fixture["response"]
    if response["status"] >= 400:
        return
    body = request.get("body") if isinstance(request.get("body"), dict) else {}
    if request["method"] == "POST":
        client_id, audience = body.get("client_id"), body.get("audience")
        if client_id and client_id not in tenant.collection("clients"):
            tenant.collection("clients")[client_id] = {"tenant": tenant.name,
                                                       "client_id": client_id, "name": "R"}
        if audience and not any(a.get("identifier") == audience
                                for a in tenant.collection("resource_servers").values()):
            api_id = tenant.new_id("resource_server")
            tenant.collection("resource_servers")[api_id] = {"id": api_id, "name": "R",
                                                             "identifier": audience}
        for gid, g in list(tenant.collection(COLLECTION).items()):
            if g.get("client_id") == client_id and g.get("audience") == audience:
                del tenant.collection(COLLECTION)[gid]
    elif "/client-grants/" in request["path"]:
        grant_id = request["path"].rsplit("/", 1)[1]
        rbody = response.get("body") if isinstance(response.get("body"), dict) else {}
        tenant.collection(COLLECTION).setdefault(grant_id, {
            "id": grant_id, "client_id": rbody.get("client_id", "x"),
            "audience": rbody.get("audience", "https://x/"), "scope": []})
