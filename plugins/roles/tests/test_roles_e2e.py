"""Roles end to end: MCP client sessions (every transport and protocol era) against the
sandbox tenant, the contract every family passes, the context budget, and bad input."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

import auth0_mcp_roles.plugin as plugin_module
from auth0_mcp.testing import Harness, call_confirmed, text_of, unfenced
from auth0_mcp.testing import structured as raw_structured
from auth0_mcp.testing.contract import ToolFamilyContract
from auth0_mcp.testing.sessions import TRANSPORTS, session_over


def structured(result: Any) -> Any:
    """A successful answer's data, without the fences core puts around users' text."""
    return unfenced(raw_structured(result))


async def call_ok(harness: Harness, name: str, arguments: dict[str, Any]) -> Any:
    return unfenced(await harness.call_ok(name, arguments))


BUDGET = 2200  # bytes of tools/list this family may spend (issue #14)
ORDERS = "https://api.example-shop.com/orders"
BOB = "auth0|64f1c2a9e8b7d6c5b4a30002"


@pytest.fixture(autouse=True)
def _leave_the_tenant_as_it_was(auth0_mcp: Harness) -> Iterator[None]:
    """The in-memory sessions share one tenant with other families' tests."""
    with auth0_mcp.restored("users", "roles", "role_members", "role_permissions"):
        yield


class TestContract(ToolFamilyContract):
    plugin = plugin_module
    family_budget = BUDGET


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_create_a_role_grant_api_scopes_give_it_to_a_user_and_list_its_users(
        auth0_mcp: Harness, transport: str):
    name = f"order-desk-{uuid.uuid4().hex[:6]}"
    async with session_over(transport, auth0_mcp) as client:
        created = structured(await client.call_tool("auth0_create_role", {
            "name": name, "description": "Takes phone orders"}))
        updated = structured(await call_confirmed(client, "auth0_update_role", {
            "id": created["id"], "api": ORDERS,
            "add": ["read:orders", "create:orders"], "users": [BOB]}))
        assert updated["permissions"] == {ORDERS: ["read:orders", "create:orders"]}
        role = structured(await client.call_tool("auth0_get_role",
                                                 {"id": created["id"]}))
        assert role["name"] == name and role["permissions"] == updated["permissions"]
        assert [u["user_id"] for u in role["users"]] == [BOB]
        assert role["users"][0]["email"] == "bob@example.com"
        listed = structured(await client.call_tool("auth0_list_roles", {"name": name}))
        assert [r["id"] for r in listed["roles"]] == [created["id"]]


async def test_a_scope_the_api_does_not_define_is_refused_before_sending(auth0_mcp: Harness):
    granted = auth0_mcp.sandbox.tenant.collection("role_permissions")["rol_support00000001"]
    before = list(granted["permissions"])
    refused = await auth0_mcp.call("auth0_update_role", {
        "id": "rol_support00000001", "api": ORDERS, "add": ["cancel:orders", "read:ordres"]})
    assert refused.is_error
    message = text_of(refused)
    assert "read:ordres" in message and "read:orders, create:orders, cancel:orders" in message
    assert granted["permissions"] == before
    role = await call_ok(auth0_mcp, "auth0_get_role", {"id": "rol_support00000001"})
    assert "cancel:orders" not in role["permissions"].get(ORDERS, [])


async def test_seeded_roles_tell_the_demo_story(auth0_mcp: Harness):
    admin = await call_ok(auth0_mcp, "auth0_get_role", {"id": "rol_admin0000000001"})
    assert admin["name"] == "admin" and "cancel:orders" in admin["permissions"][ORDERS]
    assert "auth0|64f1c2a9e8b7d6c5b4a30001" in [u["user_id"] for u in admin["users"]]
    billing = await call_ok(auth0_mcp, "auth0_list_roles", {"name": "billing"})
    assert [r["id"] for r in billing["roles"]] == ["rol_billingAdmin0001"]


async def test_users_page_by_checkpoint(auth0_mcp: Harness):
    from auth0_mcp_sandbox.routing import ensure_user

    role = await call_ok(auth0_mcp, "auth0_create_role", {"name": f"crowd-{uuid.uuid4().hex}"})
    ids = [f"auth0|crowd{role['id']}{i:03d}" for i in range(60)]
    for user_id in ids:
        ensure_user(auth0_mcp.sandbox.tenant, user_id, f"{user_id[6:]}@example.com", user_id)
    for start in range(0, 60, 20):
        await call_ok(auth0_mcp, "auth0_update_role", {"id": role["id"],
                                                      "users": ids[start:start + 20]})
    first = await call_ok(auth0_mcp, "auth0_get_role", {"id": role["id"]})
    assert len(first["users"]) == 50 and first["users_next"]
    rest = await call_ok(auth0_mcp, "auth0_get_role", {"id": role["id"],
                                                      "from": first["users_next"]})
    assert "users_next" not in rest
    assert [u["user_id"] for u in first["users"] + rest["users"]] == ids


async def test_rename_duplicate_and_delete(auth0_mcp: Harness):
    async with auth0_mcp.session() as client:
        role = structured(await client.call_tool("auth0_create_role",
                                                 {"name": f"temp-{uuid.uuid4().hex}"}))
        clash = await client.call_tool("auth0_create_role", {"name": "admin"})
        assert clash.is_error and "409" in text_of(clash)
        renamed = structured(await call_confirmed(client, "auth0_update_role", {
            "id": role["id"], "name": role["name"] + "-x", "description": "Short-lived"}))
        assert renamed["description"] == "Short-lived"
        assert structured(await client.call_tool("auth0_delete_role", {"id": role["id"]})) \
            == {"deleted": role["id"]}
        gone = await client.call_tool("auth0_get_role", {"id": role["id"]})
        assert gone.is_error and "404" in text_of(gone) and "role does not exist" in \
            text_of(gone)


@pytest.mark.parametrize(("tool", "arguments", "message"), [
    ("auth0_update_role", {"id": "rol_admin0000000001", "colour": "red"}, "colour"),
    ("auth0_update_role", {"id": "rol_admin0000000001", "add": "read:orders"}, "add"),
    ("auth0_update_role", {"id": "rol_admin0000000001", "add": ["read:orders"]}, "api="),
    ("auth0_update_role", {"id": "rol_admin0000000001"}, "Nothing to change"),
    ("auth0_update_role", {"id": "rol_admin0000000001", "users": ["u"] * 21}, "users"),
    ("auth0_update_role", {"id": "rol_admin0000000001", "users": ["bob@example.com"]},
     "not emails"),
    ("auth0_create_role", {"name": ""}, "name"),
    ("auth0_create_role", {"name": 7}, "name"),
    ("auth0_get_role", {}, "id"),
    ("auth0_get_role", {"id": "x" * 100_000}, "id"),
    ("auth0_delete_role", {"id": "rol_" + "x" * 300_000}, "bytes"),
])
async def test_bad_input_is_refused_with_nothing_sent(auth0_mcp: Harness, tool: str,
                                                      arguments: dict, message: str):
    assert message in await auth0_mcp.refused(tool, arguments)


async def test_scopes_and_read_only_decide_which_tools_are_offered(auth0_mcp: Harness):
    reads = {"auth0_list_roles", "auth0_get_role"}
    for options in ({"scopes": ["read:roles"]}, {"read_only": True}):
        async with auth0_mcp.session(**options) as client:
            names = {t.name for t in (await client.list_tools()).tools if "_role" in t.name}
        assert names == reads, options
    async with auth0_mcp.session(scopes=["read:roles", "update:roles"]) as client:
        names = {t.name for t in (await client.list_tools()).tools if "_role" in t.name}
    assert names == reads  # validating permissions needs read:resource_servers too
