"""``/api/v2/forms``: Forms for Actions. List items are summaries (``flow_count``, dates);
the envelope's key order is ``limit, start, total, forms`` and a missing form is a 404 without
``errorCode``, as recorded."""

from __future__ import annotations

from typing import Any

from auth0_mcp_sandbox.routing import (
    Reply,
    Router,
    SandboxRequest,
    offset_page,
    stored,
)
from auth0_mcp_sandbox.tenant import SandboxTenant, iso_now

router = Router("forms")
COLLECTION = "forms"


def make_form(tenant: SandboxTenant, body: dict[str, Any]) -> dict[str, Any]:
    now = iso_now()
    form = {"id": tenant.new_id("form"), "name": body["name"]}
    form.update({k: v for k, v in body.items() if k != "name"})
    form.setdefault("languages", {"primary": "en"})
    form.setdefault("ending", {"resume_flow": True})
    form.update({"created_at": now, "updated_at": now})
    tenant.collection(COLLECTION)[form["id"]] = form
    return form


def find(tenant: SandboxTenant, form_id: str) -> dict[str, Any]:
    return stored(tenant, COLLECTION, form_id, "Form not found")


def summary(form: dict[str, Any], _req: SandboxRequest) -> dict[str, Any]:
    flows = sum(1 for n in form.get("nodes") or [] if n.get("type") == "FLOW")
    return {"id": form["id"], "name": form["name"], "description": form.get("description"),
            "flow_count": flows, "created_at": form["created_at"],
            "updated_at": form["updated_at"], "embedded_at": form.get("embedded_at"),
            "submitted_at": form.get("submitted_at")}


@router.get("/api/v2/forms", scope="read:forms")
def list_forms(req: SandboxRequest) -> Any:
    items = list(req.tenant.collection(COLLECTION).values())
    return offset_page(req, items, "forms", order=("limit", "start", "total"), render=summary)


@router.get("/api/v2/forms/{id}", scope="read:forms")
def get_form(req: SandboxRequest) -> Any:
    return find(req.tenant, req.path_params["id"])


@router.post("/api/v2/forms", scope="create:forms")
def create_form(req: SandboxRequest) -> Reply:
    return Reply(make_form(req.tenant, req.json_object()), 201)


@router.patch("/api/v2/forms/{id}", scope="update:forms")
def update_form(req: SandboxRequest) -> Any:
    form = find(req.tenant, req.path_params["id"])
    body = req.json_object()
    form.update(body)
    form["updated_at"] = iso_now()
    return form


@router.delete("/api/v2/forms/{id}", scope="delete:forms")
def delete_form(req: SandboxRequest) -> Reply:
    find(req.tenant, req.path_params["id"])
    del req.tenant.collection(COLLECTION)[req.path_params["id"]]
    return Reply(None, 204)


def _field(fid: str, label: str, kind: str = "TEXT", required: bool = True) -> dict[str, Any]:
    return {"id": fid, "category": "FIELD", "type": kind, "label": label, "required": required,
            "sensitive": False, "config": {}}


DEMO = [
    {"name": "Progressive profiling", "description": "Ask for company and role after signup",
     "start": {"next_node": "step_profile", "coordinates": {"x": 0, "y": 0}},
     "nodes": [
         {"id": "step_profile", "type": "STEP", "alias": "Profile",
          "coordinates": {"x": 300, "y": 0},
          "config": {"components": [_field("company", "Company"), _field("role", "Role")],
                     "next_node": "flow_save"}},
         {"id": "flow_save", "type": "FLOW", "alias": "Save to metadata",
          "coordinates": {"x": 600, "y": 0},
          "config": {"flow_id": "af_2bQx9SdLmYk4PzR7wVt1Nc", "next_node": "$ending"}}],
     "ending": {"resume_flow": True, "coordinates": {"x": 900, "y": 0}}},
    {"name": "Terms acceptance", "description": "Require the current terms of service",
     "start": {"next_node": "step_terms"},
     "nodes": [{"id": "step_terms", "type": "STEP", "alias": "Terms",
                "config": {"components": [_field("accept", "I accept the terms", "LEGAL")],
                           "next_node": "$ending"}}],
     "ending": {"resume_flow": True}},
    {"name": "Risk check", "description": "Route risky logins to extra verification",
     "start": {"next_node": "router_risk"},
     "nodes": [
         {"id": "router_risk", "type": "ROUTER", "alias": "Risky?",
          "config": {"rules": [{"id": "rule_high", "alias": "High risk",
                                "condition": {"operator": "EQ", "operands": ["{{vars.risk}}",
                                                                             "high"]},
                                "next_node": "step_verify"}],
                     "fallback": "$ending"}},
         {"id": "step_verify", "type": "STEP", "alias": "Verify",
          "config": {"components": [_field("code", "Code we sent you")],
                     "next_node": "$ending"}}],
     "ending": {"resume_flow": True}},
]


@router.seed
def seed(tenant: SandboxTenant) -> None:
    for body in DEMO:
        make_form(tenant, body)


def prepare_replay(tenant: SandboxTenant, fixture: dict[str, Any]) -> None:
    request, response = fixture["request"], fixture["response"]
    if response["status"] >= 400 or "/forms/" not in request["path"]:
        return
    form_id = request["path"].rsplit("/", 1)[1]
    body = response.get("body") if isinstance(response.get("body"), dict) else {}
    if form_id not in tenant.collection(COLLECTION):
        now = iso_now()
        tenant.collection(COLLECTION)[form_id] = {
            "id": form_id, "name": body.get("name", "Replayed"),
            "languages": {"primary": "en"}, "created_at": now, "updated_at": now}
