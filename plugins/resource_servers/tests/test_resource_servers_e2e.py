"""APIs (resource servers) end to end: an MCP client session against the sandbox tenant."""

from __future__ import annotations

import uuid

import auth0_mcp_resource_servers.plugin as plugin_module
from auth0_mcp.testing import Harness, structured, text_of
from auth0_mcp.testing.contract import ToolFamilyContract


class TestContract(ToolFamilyContract):
    plugin = plugin_module


def identifier() -> str:
    return f"https://api.example.com/{uuid.uuid4().hex[:12]}"


async def test_create_get_by_identifier_update_scopes_and_delete(auth0_mcp: Harness):
    ident = identifier()
    async with auth0_mcp.session() as client:
        created = structured(await client.call_tool("auth0_create_resource_server", {
            "name": "Orders", "identifier": ident,
            "scopes": [{"value": "read:orders", "description": "Read"}]}))
        rs_id = created["id"]
        by_ident = structured(await client.call_tool("auth0_get_resource_server", {"id": ident}))
        assert by_ident["id"] == rs_id

        updated = structured(await client.call_tool("auth0_update_resource_server", {
            "id": rs_id, "add_scopes": [{"value": "write:orders", "description": "Write"}]}))
        assert [s["value"] for s in updated["scopes"]] == ["read:orders", "write:orders"]
        updated = structured(await client.call_tool("auth0_update_resource_server", {
            "id": rs_id, "remove_scopes": ["read:orders"]}))
        assert [s["value"] for s in updated["scopes"]] == ["write:orders"]

        duplicate = await client.call_tool("auth0_create_resource_server",
                                           {"name": "Again", "identifier": ident})
        assert duplicate.is_error and "409" in text_of(duplicate)

        assert structured(await client.call_tool("auth0_delete_resource_server",
                                                 {"id": rs_id})) == {"deleted": rs_id}
        gone = await client.call_tool("auth0_get_resource_server", {"id": rs_id})
        assert gone.is_error and "404" in text_of(gone)


async def test_signing_secret_is_redacted(auth0_mcp: Harness):
    created = await auth0_mcp.call_ok("auth0_create_resource_server", {
        "name": "Legacy HS256", "identifier": identifier(), "signing_alg": "HS256"})
    assert created.get("signing_secret") == "[REDACTED]"
    fetched = await auth0_mcp.call_ok("auth0_get_resource_server", {"id": created["id"]})
    assert fetched.get("signing_secret") == "[REDACTED]"


async def test_pagination_across_pages(auth0_mcp: Harness):
    for _ in range(5):
        await auth0_mcp.call_ok("auth0_create_resource_server",
                                {"name": "Paged", "identifier": identifier()})
    seen: list[str] = []
    page = 0
    async with auth0_mcp.session() as client:
        while True:
            data = structured(await client.call_tool("auth0_list_resource_servers",
                                                     {"page": page, "per_page": 2}))
            assert len(data["resource_servers"]) <= 2
            seen += [r["id"] for r in data["resource_servers"]]
            if not data["has_more"]:
                break
            page += 1
    assert len(seen) == len(set(seen)) == data["total"] and page >= 3


async def test_missing_scope_hides_the_tool_and_auth0_403_names_the_scope(auth0_mcp: Harness):
    created = await auth0_mcp.call_ok("auth0_create_resource_server",
                                      {"name": "Scoped", "identifier": identifier()})
    async with auth0_mcp.session(scopes=["update:resource_servers"]) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        assert names == {"auth0_update_resource_server", "auth0_undo"}
        hidden = await client.call_tool("auth0_list_resource_servers", {})
        assert hidden.is_error and "restricted" in text_of(hidden)
        # add_scopes reads the current list first: Auth0 answers 403 for the read scope
        denied = await client.call_tool("auth0_update_resource_server", {
            "id": created["id"], "add_scopes": [{"value": "x:y"}]})
        assert denied.is_error
        assert "403" in text_of(denied) and "read:resource_servers" in text_of(denied)


async def test_invalid_values_and_auth0_validation(auth0_mcp: Harness):
    before = len(auth0_mcp.sandbox.tenant.logs)
    bad = await auth0_mcp.call("auth0_create_resource_server",
                               {"name": "x", "identifier": identifier(), "signing_alg": "XX"})
    assert bad.is_error and "signing_alg" in text_of(bad)
    assert len(auth0_mcp.sandbox.tenant.logs) == before  # nothing reached the tenant
