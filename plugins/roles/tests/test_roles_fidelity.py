"""The roles emulator against every real recording of ``/api/v2/roles`` (statuses, envelopes,
error bodies, checkpoint paging), each replayed on a tenant prepared with what it refers to."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest

from auth0_mcp.testing.fidelity import emulated, recordings, replay
from auth0_mcp_roles import emulator
from auth0_mcp_sandbox.routing import ensure_user
from auth0_mcp_sandbox.server import SandboxServer

# Recorded behaviour Auth0 has since changed: fixture id -> why it is not replayed.
NOT_REPLAYED = {"429": "rate limiting is the sandbox's own, checked in tests/sandbox",
                "2019": "DELETE /roles/{id} answered 204 in 2019; Auth0 answers 200 {} since"}


def reason(fx: dict[str, Any]) -> str | None:
    if fx["response"]["status"] == 429:
        return NOT_REPLAYED["429"]
    if fx["operation"] == "DELETE /roles/{id}" and fx["response"]["status"] == 204:
        return NOT_REPLAYED["2019"]
    return None


@pytest.fixture(scope="module")
def box() -> Iterator[SandboxServer]:
    with emulated(emulator.router) as server:
        yield server


def ensure_api(server: SandboxServer, identifier: str, scopes: list[str]) -> None:
    apis = server.tenant.collection("resource_servers")
    api = next((a for a in apis.values() if a["identifier"] == identifier), None)
    if api is None:
        api = apis.setdefault(identifier, {"id": identifier, "name": f"Replayed {identifier}",
                                           "identifier": identifier, "scopes": []})
    known = {s["value"] for s in api["scopes"]}
    api["scopes"] += [{"value": s, "description": s} for s in scopes if s not in known]


def prepare(server: SandboxServer, fx: dict[str, Any]) -> None:
    """Create (or remove) what the recorded request refers to."""
    tenant, request, response = server.tenant, fx["request"], fx["response"]
    parts = request["path"].split("/")  # "", api, v2, roles, {id}, sub-resource
    body = request.get("body") if isinstance(request.get("body"), dict) else {}
    recorded = response["body"]
    roles = tenant.collection(emulator.ROLES)
    if len(parts) < 5:
        if request["method"] == "POST":
            for role_id in [k for k, r in roles.items() if r["name"] == body["name"]]:
                del roles[role_id]
        for role in recorded if isinstance(recorded, list) else (recorded or {}).get(
                "roles", []):
            roles.setdefault(role["id"], dict(role))
        return
    role_id = parts[4]
    if response["status"] == 404:
        roles.pop(role_id, None)
        return
    shown = recorded if isinstance(recorded, dict) and "name" in recorded else {}
    roles[role_id] = {"id": role_id, "name": shown.get("name", f"replayed {role_id}"),
                      "description": shown.get("description", "Replayed"), "type": "tenant"}
    sub = parts[5] if len(parts) > 5 else ""
    if sub == "permissions":
        items = body.get("permissions") or (
            recorded if isinstance(recorded, list) else (recorded or {}).get("permissions", []))
        for item in items:
            ensure_api(server, item["resource_server_identifier"], [item["permission_name"]])
        if request["method"] == "GET":
            emulator.grant(tenant, role_id, [(i["resource_server_identifier"],
                                              i["permission_name"]) for i in items])
    elif sub == "users":
        users = [u["user_id"] for u in recorded["users"]] \
            if isinstance(recorded, dict) and "users" in recorded else list(body["users"])
        cursor = (request.get("query") or {}).get("from")
        if cursor:
            users.insert(0, base64.b64decode(cursor + "==").decode().rsplit(",", 1)[1])
        elif (request.get("query") or {}).get("take"):
            users.append("auth0|one-more-on-the-next-page")
        for user_id in users:
            ensure_user(tenant, user_id, "replayed@example.com", user_id)
        if request["method"] == "GET":
            emulator.assign(tenant, role_id, users)


@pytest.mark.skipif(not recordings("roles"), reason="the recorded fixtures are not present")
@pytest.mark.parametrize("fx", recordings("roles"), ids=lambda fx: fx["id"])
def test_replay_matches_recording(box: SandboxServer, fx: dict[str, Any]):
    why = reason(fx)
    if why:
        pytest.skip(why)
    prepare(box, fx)
    assert replay(box, fx) == [], fx["operation"]
