"""Applications and grants end to end: MCP client session -> server -> sandbox over HTTP."""

from __future__ import annotations

import glob
import json
import uuid

import auth0_mcp_applications.plugin as plugin_module
from auth0_mcp.testing import Harness, structured, text_of
from auth0_mcp.testing.contract import ToolFamilyContract
from auth0_mcp_applications.applications import non_verifiable, summary


class TestContract(ToolFamilyContract):
    plugin = plugin_module


def unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:8]}"


async def test_seed_prompt_create_an_application_and_get_domain_and_client_id(
        auth0_mcp: Harness):
    data = await auth0_mcp.call_ok("auth0_create_application", {
        "name": unique("Storefront"), "app_type": "spa",
        "callbacks": ["http://localhost:3000/callback"]})
    assert data["domain"] == auth0_mcp.sandbox.domain
    stored = auth0_mcp.sandbox.tenant.collection("clients")[data["client_id"]]
    assert stored["token_endpoint_auth_method"] == "none"
    assert stored["oidc_conformant"] is True
    assert stored["jwt_configuration"]["alg"] == "RS256"
    assert stored["skip_non_verifiable_callback_uri_confirmation_prompt"] is True
    assert "never shown" in data["secret_access"]
    assert stored["client_secret"] not in json.dumps(data)
    assert set(data["defaults_applied"]) >= {"oidc_conformant", "jwt_configuration"}


async def test_user_choices_are_not_overridden(auth0_mcp: Harness):
    data = await auth0_mcp.call_ok("auth0_create_application", {
        "name": unique("Legacy"), "app_type": "regular_web", "oidc_conformant": False,
        "jwt_configuration": {"alg": "HS256", "lifetime_in_seconds": 600}})
    stored = auth0_mcp.sandbox.tenant.collection("clients")[data["client_id"]]
    assert stored["oidc_conformant"] is False
    assert stored["jwt_configuration"]["alg"] == "HS256"
    assert "oidc_conformant" not in data["defaults_applied"]


async def test_get_redacts_the_secret_but_not_refresh_token_settings(auth0_mcp: Harness):
    created = await auth0_mcp.call_ok("auth0_create_application",
                                      {"name": unique("Secretive"), "app_type": "regular_web"})
    got = await auth0_mcp.call_ok("auth0_get_application", {"client_id": created["client_id"]})
    assert got["client_secret"] == "[REDACTED]"
    assert got["refresh_token"]["rotation_type"] == "non-rotating"


async def test_update_adds_and_removes_callbacks_without_replacing(auth0_mcp: Harness):
    created = await auth0_mcp.call_ok("auth0_create_application", {
        "name": unique("Editable"), "app_type": "spa",
        "callbacks": ["https://a.example.com/cb", "https://b.example.com/cb"]})
    cid = created["client_id"]
    async with auth0_mcp.session() as client:
        updated = structured(await client.call_tool("auth0_update_application", {
            "client_id": cid, "add": {"callbacks": ["https://c.example.com/cb"]},
            "remove": {"callbacks": ["https://a.example.com/cb"]}}))
        assert updated["callbacks"] == ["https://b.example.com/cb", "https://c.example.com/cb"]
        bad = await client.call_tool("auth0_update_application",
                                     {"client_id": cid, "add": {"name": ["x"]}})
        assert bad.is_error and "not a list field" in text_of(bad)


async def test_list_pagination_type_filter_and_name_search(auth0_mcp: Harness):
    tag = uuid.uuid4().hex[:6]
    for i in range(7):
        await auth0_mcp.call_ok("auth0_create_application",
                                {"name": f"Paged {tag} {i}", "app_type": "non_interactive"})
    async with auth0_mcp.session() as client:
        seen, page = [], 0
        while True:
            data = structured(await client.call_tool("auth0_list_applications",
                                                     {"page": page, "per_page": 3}))
            seen += [a["client_id"] for a in data["applications"]]
            if not data["has_more"]:
                break
            page += 1
        assert len(seen) == len(set(seen)) == data["total"] and page >= 3
        spas = structured(await client.call_tool("auth0_list_applications",
                                                 {"app_type": "spa", "per_page": 100}))
        assert spas["applications"] and {a["app_type"] for a in spas["applications"]} == {"spa"}
        found = structured(await client.call_tool("auth0_list_applications",
                                                  {"name": f"paged {tag}", "per_page": 5}))
        assert found["total"] == 7 and len(found["applications"]) == 5 and found["has_more"]
        for app in found["applications"]:
            assert len(json.dumps(app)) <= 180


async def test_delete_then_404(auth0_mcp: Harness):
    created = await auth0_mcp.call_ok("auth0_create_application", {"name": unique("Gone")})
    async with auth0_mcp.session() as client:
        await client.call_tool("auth0_delete_application", {"client_id": created["client_id"]})
        gone = await client.call_tool("auth0_get_application",
                                      {"client_id": created["client_id"]})
        assert gone.is_error and "404" in text_of(gone) and "does not exist" in text_of(gone)


async def test_grants_crud_and_409(auth0_mcp: Harness):
    app = await auth0_mcp.call_ok("auth0_create_application",
                                  {"name": unique("Worker"), "app_type": "non_interactive"})
    audience = "https://api.example-shop.com/orders"
    args = {"client_id": app["client_id"], "audience": audience, "scope": ["read:orders"]}
    async with auth0_mcp.session() as client:
        grant = structured(await client.call_tool("auth0_create_application_grant", args))
        again = await client.call_tool("auth0_create_application_grant", args)
        assert again.is_error and "409" in text_of(again)
        updated = structured(await client.call_tool("auth0_update_application_grant", {
            "id": grant["id"], "add_scope": ["create:orders"]}))
        assert updated["scope"] == ["read:orders", "create:orders"]
        listed = structured(await client.call_tool("auth0_list_application_grants",
                                                   {"client_id": app["client_id"]}))
        assert [g["id"] for g in listed["grants"]] == [grant["id"]]
        await client.call_tool("auth0_delete_application_grant", {"id": grant["id"]})
        listed = structured(await client.call_tool("auth0_list_application_grants",
                                                   {"client_id": app["client_id"]}))
        assert listed["grants"] == []


async def test_403_names_the_missing_scope(auth0_mcp: Harness):
    created = await auth0_mcp.call_ok("auth0_create_application", {"name": unique("Scoped")})
    # update needs only update:clients, but add/remove first reads the current list
    async with auth0_mcp.session(scopes=["update:clients"]) as client:
        result = await client.call_tool("auth0_update_application", {
            "client_id": created["client_id"], "add": {"callbacks": ["https://x.example/cb"]}})
    assert result.is_error and "403" in text_of(result) and "read:clients" in text_of(result)


async def test_auth0_400_for_values_the_schema_allows(auth0_mcp: Harness):
    result = await auth0_mcp.call("auth0_create_application", {"name": "bad <name>"})
    assert result.is_error and "400" in text_of(result) and "Fix the arguments" in text_of(result)


async def test_read_only_hides_writes_and_bad_arguments_send_nothing(auth0_mcp: Harness):
    before = len(auth0_mcp.sandbox.tenant.logs)
    async with auth0_mcp.session(read_only=True) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        assert "auth0_create_application" not in names and "auth0_list_applications" in names
    bad = await auth0_mcp.call("auth0_create_application", {"name": "x", "app_type": "tv"})
    assert bad.is_error and "app_type" in text_of(bad)
    assert len(auth0_mcp.sandbox.tenant.logs) == before


def test_recorded_clients_parse_through_the_summary():
    for path in glob.glob("/work/shared/fixtures/auth0/clients__*200*.json") + glob.glob(
            "../shared/fixtures/auth0/clients__*200*.json"):
        body = json.load(open(path))["response"]["body"]
        items = body if isinstance(body, list) else body.get("clients", [body])
        for client in items:
            out = summary(client)
            assert set(out) <= {"client_id", "name", "app_type", "callbacks"}


def test_non_verifiable_callbacks():
    assert non_verifiable("com.example.app://callback")
    assert non_verifiable("http://localhost:3000/cb") and non_verifiable("http://127.0.0.1/cb")
    assert not non_verifiable("https://shop.example.com/cb")
