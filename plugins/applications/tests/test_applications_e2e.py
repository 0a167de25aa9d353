"""Applications and client grants end to end: an MCP client session -> the server -> the
sandbox tenant over real HTTP."""

from __future__ import annotations

import json
import uuid

import pytest

import auth0_mcp_applications.applications as applications
import auth0_mcp_applications.plugin as plugin_module
from auth0_mcp.testing import Harness, structured, text_of
from auth0_mcp.testing.contract import ToolFamilyContract

SKIP_FLAG = "skip_non_verifiable_callback_uri_confirmation_prompt"
ALL_SCOPES = ["read:clients", "create:clients", "update:clients", "delete:clients",
              "read:client_grants", "create:client_grants", "update:client_grants",
              "delete:client_grants"]


class TestContract(ToolFamilyContract):
    plugin = plugin_module


def unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:8]}"


def stored(harness: Harness, client_id: str) -> dict:
    return harness.sandbox.tenant.collection("clients")[client_id]


def requests_seen(harness: Harness) -> int:
    return harness.sandbox.stats()["requests"]


def make_api(harness: Harness, scopes: list[str]) -> str:
    """A fresh API (resource server) put straight into the sandbox tenant: these tests run
    where the resource-servers family (and its emulator) is not installed."""
    identifier = f"https://api.example.com/{uuid.uuid4().hex[:10]}"

    def add(tenant):
        api_id = tenant.new_id("resource_server")
        tenant.collection("resource_servers")[api_id] = {
            "id": api_id, "name": "Grants test API", "identifier": identifier,
            "scopes": [{"value": s, "description": s} for s in scopes]}

    harness.sandbox.with_tenant(add)
    return identifier


# -- create ---------------------------------------------------------------------------------


async def test_create_applies_safe_defaults_and_answers_client_id_and_domain(
        auth0_mcp: Harness):
    result = await auth0_mcp.call("auth0_create_application", {
        "name": unique("Storefront"), "app_type": "spa",
        "callbacks": ["http://localhost:3000/callback"],
        "settings": {"web_origins": ["http://localhost:3000"]}})
    data = structured(result)
    client = stored(auth0_mcp, data["client_id"])
    assert data["domain"] == auth0_mcp.sandbox.domain
    assert data["client_id"] in text_of(result) and auth0_mcp.sandbox.domain in text_of(result)
    assert client["oidc_conformant"] is True
    assert client["jwt_configuration"]["alg"] == "RS256"
    assert client["token_endpoint_auth_method"] == "none"
    assert client[SKIP_FLAG] is True
    assert client["web_origins"] == ["http://localhost:3000"]
    assert data["defaults_applied"] == {
        "oidc_conformant": True, "jwt_configuration": {"alg": "RS256",
                                                       "lifetime_in_seconds": 36000},
        "token_endpoint_auth_method": "none", SKIP_FLAG: True}
    assert client["client_secret"] not in json.dumps(data) + text_of(result)
    assert data["secret_access"].startswith("not used by this public client")


async def test_create_tells_where_a_person_finds_the_secret(auth0_mcp: Harness):
    data = await auth0_mcp.call_ok("auth0_create_application",
                                   {"name": unique("Partner site"), "app_type": "regular_web",
                                    "callbacks": ["https://partners.example.com/cb"]})
    client = stored(auth0_mcp, data["client_id"])
    assert client["token_endpoint_auth_method"] == "client_secret_post"
    assert SKIP_FLAG not in data["defaults_applied"] and SKIP_FLAG not in client
    # the sandbox has no dashboard: the answer points at the API with the right scope, over
    # the scheme the sandbox really serves (plain http)
    url = f"GET {auth0_mcp.sandbox.base_url}/api/v2/clients/{data['client_id']}"
    assert auth0_mcp.sandbox.base_url.startswith("http://")
    assert url in data["secret_access"] and "read:client_keys" in data["secret_access"]
    assert "redacted" in data["secret_access"]
    assert client["client_secret"] not in json.dumps(data)


async def test_create_points_out_an_application_with_the_same_name(auth0_mcp: Harness):
    """Auth0 allows duplicate names; an admin rarely wants one, so the answer says so."""
    existing = sorted(c["client_id"] for c in auth0_mcp.sandbox.tenant.collection(
        "clients").values() if c["name"] == "Storefront")
    assert existing  # seeded
    result = await auth0_mcp.call("auth0_create_application",
                                  {"name": "Storefront", "app_type": "spa"})
    data = structured(result)
    assert sorted(data["same_name"]) == existing
    assert existing[0] in text_of(result) and "same name" in text_of(result)
    fresh = await auth0_mcp.call_ok("auth0_create_application",
                                    {"name": unique("Unique shop"), "app_type": "spa"})
    assert "same_name" not in fresh


async def test_create_keeps_what_the_user_asked_for(auth0_mcp: Harness):
    data = await auth0_mcp.call_ok("auth0_create_application", {
        "name": unique("Legacy"), "app_type": "native",
        "callbacks": ["com.example.legacy://callback"],
        "settings": {"oidc_conformant": False, "token_endpoint_auth_method":
                     "client_secret_basic", "jwt_configuration": {"alg": "HS256"},
                     SKIP_FLAG: False, "description": "Kept as asked"}})
    client = stored(auth0_mcp, data["client_id"])
    assert client["oidc_conformant"] is False
    assert client["token_endpoint_auth_method"] == "client_secret_basic"
    assert client["jwt_configuration"]["alg"] == "HS256"
    assert client[SKIP_FLAG] is False
    assert data["defaults_applied"] == {}

    partial = await auth0_mcp.call_ok("auth0_create_application", {
        "name": unique("Short tokens"), "settings": {"jwt_configuration":
                                                     {"lifetime_in_seconds": 600}}})
    client = stored(auth0_mcp, partial["client_id"])
    assert client["jwt_configuration"]["lifetime_in_seconds"] == 600
    assert client["jwt_configuration"]["alg"] == "RS256"
    assert "token_endpoint_auth_method" not in partial["defaults_applied"]  # no app_type given


async def test_create_refuses_high_risk_fields_without_sending_anything(auth0_mcp: Harness):
    async with auth0_mcp.session() as client:
        before = requests_seen(auth0_mcp)
        for settings in ({"addons": {"aws": {}}}, {"client_secret": "chosen"},
                         {"custom_login_page": "<html/>"}, {"callbacks": ["https://x.example"]},
                         {"web_origins": "https://not-a-list.example"}):
            result = await client.call_tool("auth0_create_application",
                                            {"name": unique("Risky"), "settings": settings})
            assert result.is_error, settings
            assert "settings" in text_of(result)
        assert requests_seen(auth0_mcp) == before
    assert "allowed:" in text_of(result) or "list of strings" in text_of(result)


# -- get ------------------------------------------------------------------------------------


async def test_get_returns_everything_but_the_secret(auth0_mcp: Harness):
    created = await auth0_mcp.call_ok("auth0_create_application",
                                      {"name": unique("Secretive"), "app_type": "regular_web"})
    secret = stored(auth0_mcp, created["client_id"])["client_secret"]
    result = await auth0_mcp.call("auth0_get_application", {"client_id": created["client_id"]})
    got = structured(result)
    assert got["client_id"] == created["client_id"]
    assert got["client_secret"] == "[REDACTED]"  # the admin token may read it; the core hides it
    assert secret not in text_of(result)
    # configuration is not over-masked (the reference hid the refresh_token settings)
    assert got["refresh_token"]["rotation_type"] == "non-rotating"
    assert got["jwt_configuration"]["alg"] == "RS256"
    assert got["grant_types"]


# -- update ---------------------------------------------------------------------------------


async def test_update_adds_and_removes_callbacks_in_place(auth0_mcp: Harness):
    created = await auth0_mcp.call_ok("auth0_create_application", {
        "name": unique("Editable"), "app_type": "spa",
        "callbacks": ["https://a.example.com/cb", "https://b.example.com/cb"]})
    cid = created["client_id"]
    async with auth0_mcp.session() as client:
        updated = structured(await client.call_tool("auth0_update_application", {
            "client_id": cid, "add": {"callbacks": ["https://c.example.com/cb"],
                                      "allowed_logout_urls": ["https://c.example.com"]},
            "remove": {"callbacks": ["https://a.example.com/cb"]}}))
        assert updated["changed"]["callbacks"] == ["https://b.example.com/cb",
                                                   "https://c.example.com/cb"]
        assert "defaults_applied" not in updated
        assert stored(auth0_mcp, cid)["allowed_logout_urls"] == ["https://c.example.com"]

        # a loopback callback gets the skip flag, unless the caller chose it
        updated = structured(await client.call_tool("auth0_update_application", {
            "client_id": cid, "add": {"callbacks": ["http://127.0.0.1:8080/cb"]}}))
        assert updated["defaults_applied"] == {SKIP_FLAG: True}
        assert stored(auth0_mcp, cid)[SKIP_FLAG] is True
        updated = structured(await client.call_tool("auth0_update_application", {
            "client_id": cid, "set": {"name": "Renamed", SKIP_FLAG: False},
            "add": {"callbacks": ["myapp://callback"]}}))
        assert updated["name"] == "Renamed" and "defaults_applied" not in updated
        assert stored(auth0_mcp, cid)[SKIP_FLAG] is False
        assert stored(auth0_mcp, cid)["callbacks"][-1] == "myapp://callback"

        # replacing a list is still possible
        structured(await client.call_tool("auth0_update_application", {
            "client_id": cid, "set": {"callbacks": ["https://only.example.com/cb"]}}))
        assert stored(auth0_mcp, cid)["callbacks"] == ["https://only.example.com/cb"]


async def test_update_rejects_bad_edits_without_sending_anything(auth0_mcp: Harness):
    created = await auth0_mcp.call_ok("auth0_create_application", {"name": unique("Strict")})
    cid = created["client_id"]
    async with auth0_mcp.session() as client:
        before = requests_seen(auth0_mcp)
        cases = [({"add": {"name": ["x"]}}, "add does not accept name"),
                 ({"add": {"callbacks": "https://x.example/cb"}}, "list of strings"),
                 ({"remove": {"addons": ["x"]}}, "remove does not accept addons"),
                 ({"set": {"client_secret": "mine"}}, "set does not accept client_secret"),
                 ({}, "nothing to change")]
        for extra, message in cases:
            result = await client.call_tool("auth0_update_application",
                                            {"client_id": cid, **extra})
            assert result.is_error and message in text_of(result), (extra, text_of(result))
        assert requests_seen(auth0_mcp) == before


# -- list -----------------------------------------------------------------------------------


async def test_list_pages_with_offsets_filters_by_type_and_stays_compact(auth0_mcp: Harness):
    tag = uuid.uuid4().hex[:6]
    for i in range(4):
        await auth0_mcp.call_ok("auth0_create_application", {
            "name": f"Paged {tag} {i}", "app_type": "non_interactive",
            "settings": {"description": "A long description that goes on and on " * 3}})
    async with auth0_mcp.session() as client:
        seen, page = [], 0
        while True:
            data = structured(await client.call_tool("auth0_list_applications",
                                                     {"page": page, "per_page": 3}))
            assert len(data["applications"]) <= 3 and data["page"] == page
            seen += [a["client_id"] for a in data["applications"]]
            if not data["has_more"]:
                break
            page += 1
        assert len(seen) == len(set(seen)) == data["total"] and page >= 4
        assert set(seen) >= set(auth0_mcp.sandbox.tenant.collection("clients"))

        m2m = structured(await client.call_tool("auth0_list_applications",
                                                {"app_type": "non_interactive",
                                                 "per_page": 100}))
        assert {a["app_type"] for a in m2m["applications"]} == {"non_interactive"}
        kinds = {c.get("app_type") for c in auth0_mcp.sandbox.tenant.collection(
            "clients").values()}
        assert len(kinds) > 1  # the filter really removed something
        for app in m2m["applications"]:
            assert set(app) <= {"client_id", "name", "app_type", "global", "description"}
            assert len(json.dumps(app, ensure_ascii=False)) <= 182, app  # 2: the fence
        assert any(a["description"].endswith("...\u203a") for a in m2m["applications"]
                   if a["name"].startswith(f"Paged {tag}"))

        more = structured(await client.call_tool("auth0_list_applications",
                                                 {"fields": ["callbacks", "grant_types"],
                                                  "app_type": "spa"}))
        assert all("grant_types" in a for a in more["applications"])
        refused = await client.call_tool("auth0_list_applications",
                                         {"fields": ["client_secret"]})
        assert refused.is_error and "never shown" in text_of(refused)


async def test_name_search_reads_every_page(auth0_mcp: Harness,
                                            monkeypatch: pytest.MonkeyPatch):
    tag = uuid.uuid4().hex[:6]
    for i in range(5):
        await auth0_mcp.call_ok("auth0_create_application", {"name": f"Needle {tag} {i}"})
    monkeypatch.setattr(applications, "SEARCH_PAGE", 4)  # force many small Auth0 pages
    total_apps = len(auth0_mcp.sandbox.tenant.collection("clients"))
    async with auth0_mcp.session() as client:
        before = requests_seen(auth0_mcp)
        found = structured(await client.call_tool("auth0_list_applications",
                                                  {"name": f"NEEDLE {tag.upper()}",
                                                   "per_page": 3}))
        assert requests_seen(auth0_mcp) - before >= total_apps // 4
        assert found["total"] == 5 and len(found["applications"]) == 3 and found["has_more"]
        rest = structured(await client.call_tool("auth0_list_applications",
                                                 {"name": f"needle {tag}", "per_page": 3,
                                                  "page": 1}))
        assert len(rest["applications"]) == 2 and not rest["has_more"]
        names = [a["name"] for a in found["applications"] + rest["applications"]]
        assert sorted(names) == [f"Needle {tag} {i}" for i in range(5)]
        none = structured(await client.call_tool("auth0_list_applications",
                                                 {"name": f"absent {tag}"}))
        assert none["applications"] == [] and none["total"] == 0


# -- delete ---------------------------------------------------------------------------------


async def test_delete_then_get_is_a_404_with_a_next_step(auth0_mcp: Harness):
    created = await auth0_mcp.call_ok("auth0_create_application", {"name": unique("Gone")})
    cid = created["client_id"]
    async with auth0_mcp.session() as client:
        deleted = structured(await client.call_tool("auth0_delete_application",
                                                    {"client_id": cid}))
        assert deleted == {"deleted": cid}
        assert cid not in auth0_mcp.sandbox.tenant.collection("clients")
        gone = await client.call_tool("auth0_get_application", {"client_id": cid})
        assert gone.is_error
        assert "404" in text_of(gone) and "The client does not exist" in text_of(gone)
        assert "Check the id" in text_of(gone)
        again = await client.call_tool("auth0_delete_application", {"client_id": cid})
        assert again.is_error and "404" in text_of(again)


# -- client grants --------------------------------------------------------------------------


async def test_grants_create_conflict_update_list_and_delete(auth0_mcp: Harness):
    audience = make_api(auth0_mcp, ["read:orders", "create:orders", "cancel:orders"])
    app = await auth0_mcp.call_ok("auth0_create_application",
                                  {"name": unique("Worker"), "app_type": "non_interactive"})
    args = {"client_id": app["client_id"], "audience": audience, "scope": ["read:orders"]}
    async with auth0_mcp.session() as client:
        grant = structured(await client.call_tool("auth0_create_application_grant", args))
        assert grant["id"].startswith("cgr_") and grant["scope"] == ["read:orders"]

        again = await client.call_tool("auth0_create_application_grant", args)
        assert again.is_error and "409" in text_of(again)
        assert "already exists" in text_of(again)

        updated = structured(await client.call_tool("auth0_update_application_grant", {
            "id": grant["id"], "add_scope": ["create:orders", "cancel:orders"],
            "remove_scope": ["read:orders"]}))
        assert updated["scope"] == ["create:orders", "cancel:orders"]
        updated = structured(await client.call_tool("auth0_update_application_grant", {
            "id": grant["id"], "scope": ["read:orders"]}))
        assert updated["scope"] == ["read:orders"]

        by_client = structured(await client.call_tool("auth0_list_application_grants",
                                                      {"client_id": app["client_id"]}))
        assert by_client["grants"] == [{"id": grant["id"], "client_id": app["client_id"],
                                        "audience": audience, "scope": ["read:orders"]}]
        by_audience = structured(await client.call_tool("auth0_list_application_grants",
                                                        {"audience": audience}))
        assert [g["id"] for g in by_audience["grants"]] == [grant["id"]]

        assert structured(await client.call_tool("auth0_delete_application_grant",
                                                 {"id": grant["id"]})) == {"deleted": grant["id"]}
        listed = structured(await client.call_tool("auth0_list_application_grants",
                                                   {"client_id": app["client_id"]}))
        assert listed["grants"] == [] and listed["total"] == 0
        gone = await client.call_tool("auth0_update_application_grant",
                                      {"id": grant["id"], "add_scope": ["read:orders"]})
        assert gone.is_error and "The grant does not exist" in text_of(gone)

        unknown_api = await client.call_tool("auth0_create_application_grant", {
            **args, "audience": "https://nowhere.example.com/"})
        assert unknown_api.is_error and "404" in text_of(unknown_api)


async def test_grant_listing_pages_and_shortens_huge_scope_lists(auth0_mcp: Harness):
    audience = make_api(auth0_mcp, ["read:stock"])
    app = await auth0_mcp.call_ok("auth0_create_application",
                                  {"name": unique("Stock"), "app_type": "non_interactive"})
    await auth0_mcp.call_ok("auth0_create_application_grant", {
        "client_id": app["client_id"], "audience": audience, "scope": ["read:stock"]})
    async with auth0_mcp.session() as client:
        seen, page = [], 0
        while True:
            data = structured(await client.call_tool("auth0_list_application_grants",
                                                     {"page": page, "per_page": 1}))
            seen += [g["id"] for g in data["grants"]]
            if not data["has_more"]:
                break
            page += 1
        assert len(seen) == len(set(seen)) == data["total"] >= 2
        management = structured(await client.call_tool(
            "auth0_list_application_grants",
            {"audience": auth0_mcp.sandbox.tenant.management_audience}))
    admin = management["grants"][0]
    full = auth0_mcp.sandbox.tenant.collection("client_grants")[admin["id"]]["scope"]
    assert len(full) > 20
    assert admin["scope"] == full[:20] and admin["more_scopes"] == len(full) - 20


# -- scopes, read-only mode and bad input ---------------------------------------------------


async def test_a_token_without_a_scope_does_not_see_the_tool(auth0_mcp: Harness):
    async with auth0_mcp.session(scopes=["read:clients"]) as client:
        names = {t.name for t in (await client.list_tools()).tools
                 if t.name in {s.name for s in plugin_module.auth0_mcp_register_tools()}}
        assert names == {"auth0_list_applications", "auth0_get_application"}
        before = requests_seen(auth0_mcp)
        hidden = await client.call_tool("auth0_create_application", {"name": "Nope"})
        assert hidden.is_error and "restricted" in text_of(hidden)
        assert requests_seen(auth0_mcp) == before


async def test_auth0_403_names_the_missing_scope(auth0_mcp: Harness):
    created = await auth0_mcp.call_ok("auth0_create_application", {"name": unique("Scoped")})
    # add/remove read the current list first: the token can update but not read
    async with auth0_mcp.session(scopes=["update:clients"]) as client:
        plain = await client.call_tool("auth0_update_application", {
            "client_id": created["client_id"], "set": {"name": "Scoped, renamed"}})
        assert not plain.is_error, text_of(plain)
        denied = await client.call_tool("auth0_update_application", {
            "client_id": created["client_id"], "add": {"callbacks": ["https://x.example/cb"]}})
    assert denied.is_error and "403" in text_of(denied) and "read:clients" in text_of(denied)
    assert "Grant the missing scope" in text_of(denied)

    grants = auth0_mcp.sandbox.tenant.collection("client_grants")
    grant_id = next(iter(grants))
    async with auth0_mcp.session(scopes=["update:client_grants"]) as client:
        denied = await client.call_tool("auth0_update_application_grant",
                                        {"id": grant_id, "add_scope": ["x:y"]})
    assert denied.is_error and "403" in text_of(denied)
    assert "read:client_grants" in text_of(denied)


async def test_auth0_400_for_values_the_schema_allows(auth0_mcp: Harness):
    async with auth0_mcp.session() as client:
        for args, needle in [
                ({"name": "bad <name>"}, "name"),
                ({"name": unique("Long"), "settings": {"description": "x" * 141}},
                 "description"),
                ({"name": unique("Typed"), "settings": {"logo_uri": 5}}, "logo_uri")]:
            result = await client.call_tool("auth0_create_application", args)
            assert result.is_error, args
            text = text_of(result)
            assert "400" in text and needle in text and "Fix the arguments" in text, text


async def test_read_only_mode_hides_every_write_tool(auth0_mcp: Harness):
    ours = {s.name: s for s in plugin_module.auth0_mcp_register_tools()}
    async with auth0_mcp.session(read_only=True) as client:
        names = {t.name for t in (await client.list_tools()).tools} & set(ours)
        assert names == {n for n, s in ours.items() if s.read_only} == {
            "auth0_list_applications", "auth0_get_application", "auth0_list_application_grants"}
        refused = await client.call_tool("auth0_delete_application",
                                         {"client_id": "AbCdEfGhIjKlMnOpQrStUvWxYz012345"})
        assert refused.is_error and "restricted" in text_of(refused)


async def test_invalid_arguments_never_reach_auth0(auth0_mcp: Harness):
    cases = [("auth0_create_application", {"name": "x", "app_type": "tv"}, "app_type"),
             ("auth0_create_application", {"app_type": "spa"}, "name"),
             ("auth0_create_application", {"name": ""}, "name"),
             ("auth0_create_application", {"name": "x", "addons": {}}, "unknown argument"),
             ("auth0_list_applications", {"per_page": 500}, "per_page"),
             ("auth0_list_applications", {"page": -1}, "page"),
             ("auth0_get_application", {"client_id": ""}, "client_id"),
             ("auth0_update_application", {"client_id": "x", "add": ["callbacks"]}, "add"),
             ("auth0_create_application_grant",
              {"client_id": "x", "audience": "https://a.example/", "scope": []}, "scope"),
             ("auth0_update_application_grant", {"id": "cgr_x", "add_scope": "a:b"},
              "add_scope"),
             ("auth0_update_application_grant", {"id": "cgr_x"}, "nothing to change"),
             ("auth0_delete_application_grant", {}, "id")]
    async with auth0_mcp.session(scopes=ALL_SCOPES) as client:
        before = requests_seen(auth0_mcp)
        for name, args, needle in cases:
            result = await client.call_tool(name, args)
            assert result.is_error and needle in text_of(result), (name, args, text_of(result))
        assert requests_seen(auth0_mcp) == before
