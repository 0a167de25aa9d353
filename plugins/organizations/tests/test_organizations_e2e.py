"""Organizations end to end: MCP client sessions (every transport and protocol era) against the
sandbox tenant, the contract every family passes, the context budget, and bad input."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from mcp import Client

import auth0_mcp_organizations.plugin as plugin_module
from auth0_mcp.testing import Harness, call_confirmed, structured, text_of, unfenced
from auth0_mcp.testing.contract import ToolFamilyContract
from auth0_mcp.testing.sessions import TRANSPORTS, session_over

BUDGET = 3600  # bytes of tools/list this family may spend (issue #14)
ACME = "org_acme000000000001"
ALICE, BOB = "auth0|64f1c2a9e8b7d6c5b4a30001", "auth0|64f1c2a9e8b7d6c5b4a30002"
CAROL = "auth0|64f1c2a9e8b7d6c5b4a30003"
ADMIN = "rol_admin0000000001"
DATABASE, GOOGLE = "con_Q3pLx8ZcWf2T7KbM", "con_GoogleOAuth20001"  # the demo ids


@pytest.fixture(autouse=True)
def _leave_the_tenant_as_it_was(auth0_mcp: Harness) -> Iterator[None]:
    """The in-memory sessions share one tenant with other families' tests."""
    with auth0_mcp.restored("users", "roles", "organizations", "organization_members",
                           "organization_connections", "organization_invitations"):
        yield


class TestContract(ToolFamilyContract):
    plugin = plugin_module
    family_budget = BUDGET


def plain(result: Any) -> Any:
    """A successful answer's data, without the fences around users' text."""
    return unfenced(structured(result))


plain_ok = plain


async def user_id_of(client: Client, email: str, known: str) -> str:
    """The user's id found by email, as the conversation does, when the users family is
    installed; else the id the demo tenant gives that person."""
    tools = {t.name for t in (await client.list_tools()).tools}
    if "auth0_search_users" not in tools:
        return known
    found = plain(await client.call_tool("auth0_search_users", {"email": email}))
    [user] = found["users"]
    assert user["user_id"] == known
    return user["user_id"]


def roles_by_member(org: dict) -> dict[str, list[str]]:
    return {m["user_id"]: m["roles"] for m in org["members"]}


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_add_carol_to_acme_as_an_admin_and_show_its_members(auth0_mcp: Harness,
                                                                  transport: str):
    async with session_over(transport, auth0_mcp) as client:
        org = plain(await client.call_tool("auth0_get_organization",
                                                {"id": "acme"}))
        assert org["id"] == ACME and org["display_name"] == "Acme"
        assert CAROL not in roles_by_member(org)
        carol = await user_id_of(client, "carol@example.org", CAROL)
        added = await call_confirmed(client, "auth0_update_organization_members", {
            "id": org["id"], "users": [carol], "roles": [ADMIN]})
        assert not added.is_error, text_of(added)
        after = plain(await client.call_tool("auth0_get_organization",
                                                  {"id": org["id"]}))
        members = roles_by_member(after)
        assert members[CAROL] == ["admin"] and members[ALICE] == ["admin"]
        assert members[BOB] == []
        carol = next(m for m in after["members"] if m["user_id"] == CAROL)
        assert carol["email"] == "carol@example.org"


async def test_seeded_acme_tells_the_demo_story(auth0_mcp: Harness):
    acme = plain_ok(await auth0_mcp.call("auth0_get_organization", {"id": ACME}))
    assert acme["name"] == "acme" and acme["metadata"]["plan"] == "enterprise"
    [database] = acme["connections"]  # its id is the connections (or users) family's
    assert database["name"] == "Username-Password-Authentication"
    assert (database["strategy"], database["assign_membership_on_login"]) == ("auth0", False)
    assert [i["email"] for i in acme["invitations"]] == ["frank@example.org"]
    listed = plain_ok(await auth0_mcp.call("auth0_list_organizations", {}))
    assert {"id": ACME, "name": "acme", "display_name": "Acme"} in listed["organizations"]


async def test_lifecycle_connections_invitations_roles_and_removal(auth0_mcp: Harness):
    name = f"globex-{uuid.uuid4().hex[:8]}"
    async with auth0_mcp.session() as client:
        acme = plain(await client.call_tool("auth0_get_organization", {"id": ACME}))
        database = acme["connections"][0]["connection_id"]
        org = plain(await client.call_tool("auth0_create_organization", {
            "name": name, "display_name": "Globex", "metadata": {"tier": "gold"}}))
        clash = await client.call_tool("auth0_create_organization", {"name": name})
        assert clash.is_error and "409" in text_of(clash)
        updated = plain(await call_confirmed(client, "auth0_update_organization", {
            "id": org["id"], "display_name": "Globex Corp",
            "connections": [{"connection_id": database},
                            {"connection_id": GOOGLE, "assign_membership_on_login": True}]}))
        assert updated["display_name"] == "Globex Corp"
        assert {c["connection_id"]: c["assign_membership_on_login"]
                for c in updated["connections"]} == {database: False, GOOGLE: True}
        changed = plain(await call_confirmed(client, "auth0_update_organization", {
            "id": org["id"], "connections": [{"connection_id": database,
                                              "assign_membership_on_login": True}],
            "remove_connections": [GOOGLE]}))
        assert [(c["connection_id"], c["assign_membership_on_login"])
                for c in changed["connections"]] == [(database, True)]

        invited = plain(await client.call_tool("auth0_create_organization_invitation", {
            "id": org["id"], "email": "heidi@example.net", "inviter": "Alice",
            "client_id": auth0_mcp.sandbox.admin_credentials[0], "roles": [ADMIN]}))
        assert invited["invitation_url"].startswith("http") and invited["roles"] == [ADMIN]
        shown = plain(await client.call_tool("auth0_get_organization", {"id": name}))
        assert [(i["id"], i["email"]) for i in shown["invitations"]] == [
            (invited["id"], "heidi@example.net")]
        revoked = plain(await call_confirmed(client, "auth0_update_organization", {
            "id": org["id"], "revoke_invitations": [invited["id"]]}))
        assert revoked["invitations"] == []

        for args in ({"users": [ALICE, BOB], "roles": [ADMIN]},
                     {"users": [BOB], "roles": [ADMIN], "remove": True},
                     {"users": [ALICE], "remove": True}):
            result = await call_confirmed(client, "auth0_update_organization_members",
                                            {"id": org["id"], **args})
            assert not result.is_error, text_of(result)
        final = plain(await client.call_tool("auth0_get_organization", {"id": org["id"]}))
        assert roles_by_member(final) == {BOB: []}

        assert plain(await call_confirmed(client, "auth0_delete_organization",
                                                 {"id": org["id"]})) == {"deleted": org["id"]}
        gone = await client.call_tool("auth0_get_organization", {"id": org["id"]})
        assert gone.is_error and "No organization found" in text_of(gone)


async def test_members_page_by_checkpoint(auth0_mcp: Harness):
    from auth0_mcp_sandbox.routing import ensure_user

    org = plain_ok(await auth0_mcp.call("auth0_create_organization",
                                  {"name": f"crowd-{uuid.uuid4().hex[:10]}"}))
    ids = [f"auth0|{org['id']}{i:03d}" for i in range(55)]
    for user_id in ids:
        ensure_user(auth0_mcp.sandbox.tenant, user_id, f"{user_id[6:]}@example.com", user_id)
    for start in range(0, 55, 20):
        plain_ok(await auth0_mcp.call("auth0_update_organization_members",
                                {"id": org["id"], "users": ids[start:start + 20]}))
    first = plain_ok(await auth0_mcp.call("auth0_get_organization", {"id": org["id"]}))
    assert len(first["members"]) == 50 and first["members_next"]
    rest = plain_ok(await auth0_mcp.call("auth0_get_organization",
                                    {"id": org["id"], "from": first["members_next"]}))
    assert "members_next" not in rest
    assert [m["user_id"] for m in first["members"] + rest["members"]] == ids


async def test_a_token_without_the_sub_resource_scopes_still_gets_the_organization(
        auth0_mcp: Harness):
    async with auth0_mcp.session(scopes=["read:organizations"]) as client:
        org = plain(await client.call_tool("auth0_get_organization", {"id": "acme"}))
    assert org["id"] == ACME
    assert org["members"] == ("not shown: needs read:organization_members and "
                              "read:organization_member_roles")
    assert "read:organization_connections" in org["connections"]


async def test_auth0_errors_are_actionable(auth0_mcp: Harness):
    async with auth0_mcp.session() as client:
        missing = await client.call_tool("auth0_get_organization", {"id": "no-such-org"})
        assert missing.is_error and "404" in text_of(missing)
        no_role = await call_confirmed(client, "auth0_update_organization_members", {
            "id": ACME, "users": [BOB], "roles": ["rol_doesNotExist0001"]})
        assert no_role.is_error and "No such role with id: rol_doesNotExist0001" in \
            text_of(no_role)
        signup = await call_confirmed(client, "auth0_update_organization", {
            "id": ACME, "connections": [{"connection_id": "con_doesNotExist0001"}]})
        assert signup.is_error and "connection does not exist" in text_of(signup)


@pytest.mark.parametrize(("tool", "arguments", "message"), [
    ("auth0_create_organization", {"name": "Acme Corp"}, "not a valid organization name"),
    ("auth0_create_organization", {"name": "a" * 51}, "not a valid organization name"),
    ("auth0_create_organization", {"name": "ok", "display_name": "x" * 300}, "255"),
    ("auth0_create_organization", {"name": "ok", "metadata": {"n": 1}}, "metadata"),
    ("auth0_update_organization", {"id": ACME}, "Nothing to change"),
    ("auth0_update_organization", {"id": ACME, "colour": "red"}, "colour"),
    ("auth0_update_organization", {"id": "acme", "display_name": "A"}, "org_"),
    ("auth0_update_organization", {"id": ACME, "connections": [{"id": DATABASE}]},
     "connection_id"),
    ("auth0_update_organization_members", {"id": ACME, "users": []}, "users"),
    ("auth0_update_organization_members", {"id": ACME, "users": "bob"}, "users"),
    ("auth0_update_organization_members", {"id": ACME, "users": ["carol@example.org"]},
     "not emails"),
    ("auth0_create_organization_invitation", {"id": ACME, "email": "not-an-email",
                                              "client_id": "x", "inviter": "A"}, "email"),
    ("auth0_get_organization", {"id": "org_" + "x" * 300_000}, "bytes"),
    ("auth0_delete_organization", {}, "id"),
])
async def test_bad_input_is_refused_with_nothing_sent(auth0_mcp: Harness, tool: str,
                                                      arguments: dict, message: str):
    assert message in await auth0_mcp.refused(tool, arguments)


async def test_scopes_and_read_only_decide_which_tools_are_offered(auth0_mcp: Harness):
    reads = {"auth0_list_organizations", "auth0_get_organization"}
    for options in ({"scopes": ["read:organizations"]}, {"read_only": True}):
        async with auth0_mcp.session(**options) as client:
            names = {t.name for t in (await client.list_tools()).tools
                     if "_organization" in t.name}
        assert names == reads, options
