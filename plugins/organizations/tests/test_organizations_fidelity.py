"""The organizations emulator against every real recording of ``/api/v2/organizations``
(statuses, envelopes, error bodies, checkpoint paging), each replayed on a tenant prepared with
what it refers to."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

import pytest

from auth0_mcp.testing.fidelity import emulated, recordings, replay
from auth0_mcp_organizations import emulator
from auth0_mcp_sandbox.routing import ensure_user
from auth0_mcp_sandbox.server import SandboxServer
from auth0_mcp_sandbox.tenant import SandboxTenant


@pytest.fixture(scope="module")
def box() -> Iterator[SandboxServer]:
    with emulated(emulator.router) as server:
        yield server


def ensure_org(tenant: SandboxTenant, org_id: str, shown: dict[str, Any]) -> None:
    orgs = tenant.collection(emulator.ORGS)
    name = shown.get("name") or org_id.lower().replace("_", "-")
    for other in [k for k, o in orgs.items() if o["name"] == name and k != org_id]:
        del orgs[other]
    orgs[org_id] = {"id": org_id, "name": name, **{k: v for k, v in shown.items()
                                                     if k not in ("id", "name")}}


def ensure_member(tenant: SandboxTenant, org_id: str, member: dict[str, Any]) -> None:
    ensure_user(tenant, member["user_id"], member.get("email", "replayed@example.com"),
                member.get("name", member["user_id"]))
    emulator.add(tenant, org_id, [member["user_id"]])
    for role in member.get("roles", []):
        roles = tenant.collection("roles")
        roles[role["id"]] = {"type": "tenant", **roles.get(role["id"], {}), **role}
        emulator.grant(tenant, org_id, member["user_id"], [role["id"]])


def ensure_connection(tenant: SandboxTenant, con_id: str, shown: dict[str, Any]) -> None:
    tenant.collection("connections").setdefault(con_id, {
        "id": con_id, "name": shown.get("name", con_id), "strategy": shown.get("strategy",
                                                                               "auth0")})


def prepare(server: SandboxServer, fx: dict[str, Any]) -> None:
    """Create (or remove) what the recorded request refers to."""
    tenant, request, response = server.tenant, fx["request"], fx["response"]
    parts = [unquote(p) for p in request["path"].split("/")[4:]]  # after /api/v2/organizations
    body = request.get("body") if isinstance(request.get("body"), dict) else {}
    recorded, status = response["body"], response["status"]
    orgs = tenant.collection(emulator.ORGS)
    if not parts:
        if request["method"] == "POST":
            for org_id in [k for k, o in orgs.items() if o["name"] == body["name"]]:
                del orgs[org_id]
        else:
            orgs.clear()  # the recorded organizations come first, as recorded
        for org in recorded.get("organizations", []) if isinstance(recorded, dict) else []:
            ensure_org(tenant, org["id"], org)
        if "take" in (request.get("query") or {}):
            ensure_org(tenant, "org_oneMoreOnNextPg", {"name": "one-more"})
        return
    if parts[0] == "name":
        ensure_org(tenant, recorded["id"], recorded)
        return
    org_id, sub = parts[0], parts[1] if len(parts) > 1 else ""
    if status == 404 and not sub:
        orgs.pop(org_id, None)
        return
    ensure_org(tenant, org_id, recorded if isinstance(recorded, dict) and not sub else {})
    if sub == "members" and len(parts) == 2:
        users = recorded.get("members", []) if isinstance(recorded, dict) else [
            {"user_id": u} for u in body["members"]]
        query = request.get("query") or {}
        if query.get("take"):
            users = [*users, {"user_id": "auth0|one-more-on-the-next-page"}]
        if query.get("from"):
            after = base64.b64decode(query["from"] + "==").decode().rsplit(",", 1)[1]
            users = [{"user_id": after}, *users]
        for member in users:
            ensure_member(tenant, org_id, member)
    elif sub == "members":
        user_id = parts[2]
        roles = recorded.get("roles", []) if isinstance(recorded, dict) else [
            {"id": r, "name": r} for r in body.get("roles", [])]
        ensure_member(tenant, org_id, {"user_id": user_id,
                                       "roles": [] if status == 404 else roles})
        if status == 404:
            for role_id in body.get("roles", []):
                tenant.collection("roles").pop(role_id, None)
    elif sub == "enabled_connections":
        links = recorded.get("enabled_connections", []) if isinstance(recorded, dict) and \
            len(parts) == 2 else []
        for link in links:
            ensure_connection(tenant, link["connection_id"], link.get("connection", {}))
            emulator.enable(tenant, org_id, {"connection_id": link["connection_id"]})
        con_id = parts[2] if len(parts) > 2 else body.get("connection_id")
        if con_id:
            shown = recorded.get("connection", {}) if isinstance(recorded, dict) else {}
            ensure_connection(tenant, con_id, shown)
            if status == 404:
                emulator._drop(tenant, emulator.CONNECTIONS, org_id, connection_id=con_id)
            elif request["method"] in ("PATCH", "DELETE"):
                emulator.enable(tenant, org_id, {"connection_id": con_id})
    elif sub == "invitations":
        invitations = tenant.collection(emulator.INVITATIONS)
        for invitation in recorded.get("invitations", []) if isinstance(recorded, dict) else []:
            invitations[invitation["id"]] = {**invitation, "organization_id": org_id}
        if body.get("client_id"):
            tenant.collection("clients").setdefault(body["client_id"], {
                "client_id": body["client_id"], "name": "Replayed"})
        if len(parts) > 2:
            if status == 404:
                invitations.pop(parts[2], None)
            else:
                invitations[parts[2]] = {"id": parts[2], "organization_id": org_id}


@pytest.mark.skipif(not recordings("organizations"), reason="the recorded fixtures are absent")
@pytest.mark.parametrize("fx", recordings("organizations"), ids=lambda fx: fx["id"])
def test_replay_matches_recording(box: SandboxServer, fx: dict[str, Any]):
    prepare(box, fx)
    assert replay(box, fx) == [], fx["operation"]


def test_demo_data_of_other_families_wins_whatever_the_seeding_order():
    """acme refers to users, a role and a connection other families own: seeding it writes
    none of them, so a users or connections family seeded later keeps its full records, and
    without those families minimal ones appear when first needed."""
    from auth0_mcp_sandbox.routing import Router

    users = Router("users-seeded-later")

    @users.seed
    def full_alice(tenant: SandboxTenant) -> None:
        tenant.collection("users").setdefault("auth0|64f1c2a9e8b7d6c5b4a30001", {
            "user_id": "auth0|64f1c2a9e8b7d6c5b4a30001", "email": "alice@example.com",
            "name": "Alice Smith", "logins_count": 42})

    with emulated(emulator.router, users) as server:
        tenant = server.tenant
        assert tenant.collection("users")["auth0|64f1c2a9e8b7d6c5b4a30001"]["logins_count"] == 42
        assert "con_Q3pLx8ZcWf2T7KbM" not in tenant.collection("connections")
        fx = {"request": {"method": "GET", "path": f"/api/v2/organizations/{emulator.ACME}"
                          "/members", "query_string": "fields=user_id,email,roles"},
              "response": {"status": 200, "body": [
                  {"user_id": "auth0|64f1c2a9e8b7d6c5b4a30001", "email": "alice@example.com",
                   "roles": [{"id": "rol_admin0000000001", "name": "admin"}]},
                  {"user_id": "auth0|64f1c2a9e8b7d6c5b4a30002", "email": "bob@example.com",
                   "roles": []}]}}
        assert replay(server, fx) == []
        assert tenant.collection("users")["auth0|64f1c2a9e8b7d6c5b4a30002"]["email"] == \
            "bob@example.com"  # made up when first needed: the users family is absent
