"""Connections end to end: MCP client session -> server -> sandbox tenant over real HTTP.

The two "done when" conversations run in-process (state checked in the tenant) and again over
stdio and Streamable HTTP against ``auth0-mcp run --sandbox`` in both protocol eras.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters

from auth0_mcp.redaction import REDACTED
from auth0_mcp.testing import Harness, call_confirmed, structured, text_of
from auth0_mcp.testing.processes import CLEAN_ENV, EXE, sandbox_over_http

DATABASE = "con_Q3pLx8ZcWf2T7KbM"
GOOGLE = "con_GoogleOAuth20001"
STOREFRONT = "AbCdEfGhIjKlMnOpQrStUvWxYz012345"
ERAS = {"legacy": "2025-11-25", "2026-07-28": "2026-07-28"}


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def requests_seen(harness: Harness) -> int:
    return harness.sandbox.stats()["requests"]


def stored_all(harness: Harness) -> dict[str, dict[str, Any]]:
    return harness.sandbox.tenant.collection("connections")


def stored(harness: Harness, connection_id: str) -> dict[str, Any]:
    return stored_all(harness)[connection_id]


def storefront_in(harness: Harness) -> str:
    """Storefront's client_id in the tenant. Where the applications family (whose demo data
    has it) is not installed, the test puts it there itself, using the database like the demo
    Storefront does."""
    clients = harness.sandbox.tenant.collection("clients")
    found = [cid for cid, c in clients.items() if c.get("name") == "Storefront"]
    if found:
        return found[0]
    clients[STOREFRONT] = {"client_id": STOREFRONT, "name": "Storefront", "app_type": "spa"}
    stored(harness, DATABASE)["enabled_clients"].append(STOREFRONT)
    return STOREFRONT


async def storefront_of(client: Client) -> str:
    """Storefront's client_id, the way a model finds it: through the applications family
    (without it, a person would paste the id; the test then has no way to ask)."""
    if "auth0_list_applications" not in {t.name for t in (await client.list_tools()).tools}:
        pytest.skip("the applications family (auth0_list_applications) is not installed")
    apps = structured(await client.call_tool("auth0_list_applications",
                                             {"name": "Storefront"}))["applications"]
    return next(a["client_id"] for a in apps if a["name"] == "Storefront")


async def enable_google_for_storefront(client: Client, storefront: str) -> None:
    """"Enable Google login for the Storefront application without touching its other
    connections." Then Storefront's other connections (and Google's other apps) are shown
    unchanged."""
    before = structured(await client.call_tool("auth0_list_connections",
                                               {"client_id": storefront}))["connections"]
    assert GOOGLE not in [c["id"] for c in before] and DATABASE in [c["id"] for c in before]
    google = structured(await client.call_tool("auth0_get_connection", {"id": GOOGLE}))
    assert google["options"]["client_secret"] == REDACTED
    done = await call_confirmed(client, "auth0_update_connection_clients",
                                {"id": GOOGLE, "enable": [storefront]})
    assert structured(done)["enabled"] == [storefront] and "other apps unchanged" in text_of(done)
    after = structured(await client.call_tool("auth0_list_connections",
                                              {"client_id": storefront}))["connections"]
    assert [c for c in after if c["id"] != GOOGLE] == before
    assert GOOGLE in [c["id"] for c in after]
    now = structured(await client.call_tool("auth0_get_connection", {"id": GOOGLE}))
    assert now["enabled_clients"] == [*google["enabled_clients"], storefront]


async def require_excellent_passwords(client: Client) -> None:
    """"Require an excellent password policy on the database connection": every other option
    still there afterwards, checked by a get."""
    found = structured(await client.call_tool("auth0_list_connections",
                                              {"strategy": ["auth0"]}))["connections"]
    database = next(c["id"] for c in found if c["name"] == "Username-Password-Authentication")
    before = structured(await client.call_tool("auth0_get_connection", {"id": database}))
    assert before["options"]["passwordPolicy"] == "good"
    result = await call_confirmed(client, "auth0_update_connection", {
        "id": database, "options": {"passwordPolicy": "excellent"}})
    data = structured(result)
    assert data["changed"] == {"options": {"passwordPolicy": "excellent"}}
    assert data["options_kept"] == len(before["options"]) - 1
    after = structured(await client.call_tool("auth0_get_connection", {"id": database}))
    assert after["options"] == {**before["options"], "passwordPolicy": "excellent"}
    assert {k: v for k, v in after.items() if k != "options"} == {
        k: v for k, v in before.items() if k != "options"}


async def test_enable_google_login_for_the_storefront(auth0_mcp: Harness):
    async with auth0_mcp.session() as client:
        await enable_google_for_storefront(client, storefront_in(auth0_mcp))
    assert stored(auth0_mcp, DATABASE)["enabled_clients"]  # the database was not touched


async def test_require_an_excellent_password_policy(auth0_mcp: Harness):
    before = dict(stored(auth0_mcp, DATABASE)["options"])
    async with auth0_mcp.session() as client:
        await require_excellent_passwords(client)
    assert stored(auth0_mcp, DATABASE)["options"] == {**before, "passwordPolicy": "excellent"}


# --- over the real transports, both protocol eras -----------------------------------------------


@pytest.fixture(scope="module")
def http_url() -> Iterator[str]:
    """``auth0-mcp run --sandbox --transport http`` in a subprocess; yields the /mcp URL."""
    with sandbox_over_http() as url:
        yield url


def stdio() -> StdioServerParameters:
    return StdioServerParameters(command=EXE, args=["run", "--sandbox"], env=CLEAN_ENV)


@pytest.mark.parametrize("mode", list(ERAS))
async def test_both_conversations_over_stdio(mode: str):
    """A fresh ``run --sandbox`` per session: each starts from the demo tenant."""
    async with Client(stdio(), mode=mode, read_timeout_seconds=60) as client:
        assert client.protocol_version == ERAS[mode]
        await enable_google_for_storefront(client, await storefront_of(client))
        await require_excellent_passwords(client)


async def test_both_conversations_over_http_in_both_eras(http_url: str):
    """One server, two sessions: the first (2025-11-25) changes the tenant, the second
    (2026-07-28) sees those changes and undoes/redoes them through the same tools."""
    async with Client(http_url, mode="legacy", read_timeout_seconds=60) as client:
        assert client.protocol_version == ERAS["legacy"]
        await enable_google_for_storefront(client, await storefront_of(client))
        await require_excellent_passwords(client)
    async with Client(http_url, mode="2026-07-28", read_timeout_seconds=60) as client:
        assert client.protocol_version == ERAS["2026-07-28"]
        storefront = await storefront_of(client)
        structured(await call_confirmed(client, "auth0_update_connection_clients",
                                        {"id": GOOGLE, "disable": [storefront]}))
        structured(await call_confirmed(client, "auth0_update_connection", {
            "id": DATABASE, "options": {"passwordPolicy": "good"}}))
        await enable_google_for_storefront(client, storefront)
        await require_excellent_passwords(client)


# --- create, delete, secrets and bad input --------------------------------------------------------


async def test_create_database_social_and_enterprise_connections(auth0_mcp: Harness):
    samlp = {"signInEndpoint": "https://idp.example.com/saml", "signingCert": "MIIC..."}
    async with auth0_mcp.session() as client:
        for strategy, options in (("auth0", {"passwordPolicy": "fair"}),
                                  ("google-oauth2", {"email": True, "scope": ["email"]}),
                                  ("samlp", samlp),
                                  ("waad", {"tenant_domain": "example.onmicrosoft.com",
                                            "client_id": "abc", "client_secret": "s3cr3t-v4lue"})):
            name = unique(strategy.replace("-", ""))
            created = structured(await client.call_tool("auth0_create_connection", {
                "name": name, "strategy": strategy, "options": options}))
            assert created["name"] == name and created["id"].startswith("con_")
            assert stored(auth0_mcp, created["id"])["options"].items() >= options.items()
        got = structured(await client.call_tool("auth0_get_connection", {"id": created["id"]}))
        assert got["options"]["client_secret"] == REDACTED and got["enabled_clients"] == []
        duplicate = await client.call_tool("auth0_create_connection",
                                           {"name": name, "strategy": "waad"})
        assert duplicate.is_error and "already exists" in text_of(duplicate)


async def test_delete_then_get_says_it_is_gone(auth0_mcp: Harness):
    name = unique("doomed")
    async with auth0_mcp.session() as client:
        created = structured(await client.call_tool("auth0_create_connection",
                                                    {"name": name, "strategy": "auth0"}))
        deleted = structured(await client.call_tool("auth0_delete_connection",
                                                    {"id": created["id"]}))
        assert deleted == {"deleted": created["id"]}
        gone = await client.call_tool("auth0_get_connection", {"id": created["id"]})
        assert gone.is_error and "connection does not exist" in text_of(gone)
        # Auth0 answers 204 to a second DELETE; core reads the target first (plan, journal),
        # so a delete of what is already gone says so and sends no DELETE.
        again = await client.call_tool("auth0_delete_connection", {"id": created["id"]})
        assert again.is_error and "does not exist" in text_of(again)


async def test_enable_for_more_apps_than_one_request_takes(auth0_mcp: Harness):
    """Auth0 takes at most 50 applications per PATCH of a connection's clients: the tool
    sends them in batches, and every one ends up enabled."""
    clients = auth0_mcp.sandbox.tenant.collection("clients")
    apps = [uuid.uuid4().hex for _ in range(120)]
    for client_id in apps:
        clients[client_id] = {"client_id": client_id, "name": f"bulk {client_id[:6]}"}
    async with auth0_mcp.session() as client:
        created = structured(await client.call_tool("auth0_create_connection", {
            "name": unique("bulk"), "strategy": "oauth2", "options": {"scope": "openid"}}))
        result = await client.call_tool("auth0_update_connection_clients",
                                        {"id": created["id"], "enable": apps})
        assert not result.is_error, text_of(result)
        enabled = list(stored(auth0_mcp, created["id"])["enabled_clients"])
        # a later batch refused (an unknown app): the answer says what was applied
        late = await client.call_tool("auth0_update_connection_clients", {
            "id": created["id"], "disable": [*apps[:60], "NoSuchApp0000000000000000000000"]})
    for client_id in apps:
        clients.pop(client_id, None)
    assert enabled == apps
    assert late.is_error and "first 50 changes were applied" in text_of(late), text_of(late)
    assert stored(auth0_mcp, created["id"])["enabled_clients"] == apps[50:]


async def test_options_equal_to_the_current_ones_write_nothing(auth0_mcp: Harness):
    """A change that changes nothing (the current value, or a mask given back) is said to be
    one, and no PATCH goes out (it would still rewrite the whole options)."""
    async with auth0_mcp.session() as client:
        for options in ({"passwordPolicy": stored(auth0_mcp, DATABASE)["options"][
                "passwordPolicy"]}, {"client_secret": "********"}):
            target = DATABASE if "passwordPolicy" in options else GOOGLE
            before = auth0_mcp.sandbox.stats()["by_api"]["management"]
            result = await client.call_tool("auth0_update_connection",
                                            {"id": target, "options": options})
            assert not result.is_error and "Nothing to change" in text_of(result), text_of(
                result)
            assert structured(result)["changed"] == {}
            # one GET of the connection, no PATCH
            assert auth0_mcp.sandbox.stats()["by_api"]["management"] == before + 1


async def test_an_options_change_keeps_the_display_name(auth0_mcp: Harness):
    """Auth0 overwrites ``display_name`` with the name when a PATCH leaves it out: changing
    one SAML option must not rename "Acme SSO" to "acme-saml" on the login page."""
    async with auth0_mcp.session() as client:
        created = structured(await client.call_tool("auth0_create_connection", {
            "name": unique("sso"), "strategy": "samlp", "display_name": "Acme SSO",
            "options": {"signInEndpoint": "https://sso.example.com/login"}}))
        for change in ({"options": {"signatureAlgorithm": "rsa-sha256"}},
                       {"set": {"show_as_button": True}}):
            result = await client.call_tool("auth0_update_connection",
                                             {"id": created["id"], **change})
            assert not result.is_error, text_of(result)
            assert stored(auth0_mcp, created["id"])["display_name"] == "Acme SSO"
        renamed = structured(await client.call_tool("auth0_update_connection", {
            "id": created["id"], "set": {"display_name": "Acme Login"}}))
    assert renamed["changed"] == {"display_name": "Acme Login"}
    assert stored(auth0_mcp, created["id"])["display_name"] == "Acme Login"


async def test_custom_database_settings_and_header_credentials_are_never_shown(
        auth0_mcp: Harness):
    options = {"enabledDatabaseCustomization": True,
               "configuration": {"DB_PASSWORD": "db-pass-9876", "API_KEY": "key-5432"},
               "customHeaders": {"Authorization": "Bearer hdr-token-1357"}}
    async with auth0_mcp.session() as client:
        created = structured(await client.call_tool("auth0_create_connection", {
            "name": unique("legacy-db"), "strategy": "auth0", "options": options}))
        seen = await client.call_tool("auth0_get_connection", {"id": created["id"]})
        changed = await client.call_tool("auth0_update_connection", {
            "id": created["id"], "options": {"configuration": {"API_KEY": "key-2468",
                                                               "DB_PASSWORD": "db-pass-9876"}}})
    for result in (seen, changed):
        text = text_of(result)
        assert not result.is_error and "db-pass" not in text and "key-" not in text, text
        assert "hdr-token" not in text, text
    assert stored(auth0_mcp, created["id"])["options"]["configuration"] == {
        "DB_PASSWORD": "db-pass-9876", "API_KEY": "key-2468"}


async def test_a_custom_database_configuration_is_never_written_back_encrypted(
        auth0_mcp: Harness):
    """Auth0 returns a custom database's ``options.configuration`` values only encrypted;
    writing them back stores the ciphertext as the new value and breaks the scripts (Auth0's
    deploy-cli, PR #111). Since a PATCH replaces ``options`` whole, an options change must give
    the real values, or it is refused with what to give."""
    configuration = {"DB_PASSWORD": "db-pass-9876", "API_KEY": "key-5432"}
    async with auth0_mcp.session() as client:
        created = structured(await client.call_tool("auth0_create_connection", {
            "name": unique("legacy-db"), "strategy": "auth0", "options": {
                "enabledDatabaseCustomization": True, "configuration": configuration}}))
        refused = await client.call_tool("auth0_update_connection", {
            "id": created["id"], "options": {"passwordPolicy": "excellent"}})
        assert refused.is_error and "API_KEY, DB_PASSWORD" in text_of(refused), text_of(
            refused)
        assert stored(auth0_mcp, created["id"])["options"]["configuration"] == configuration
        for partial in ({"API_KEY": "key-1"}, {"API_KEY": "key-1", "DB_PASSWORD": REDACTED}):
            refused = await client.call_tool("auth0_update_connection", {
                "id": created["id"], "options": {"configuration": partial}})
            assert refused.is_error and "value of DB_PASSWORD" in text_of(refused)
        done = await client.call_tool("auth0_update_connection", {
            "id": created["id"], "options": {"passwordPolicy": "excellent", "configuration": {
                "API_KEY": "key-1", "DB_PASSWORD": None}}})
        assert not done.is_error, text_of(done)
    options = stored(auth0_mcp, created["id"])["options"]
    assert options["configuration"] == {"API_KEY": "key-1"}
    assert options["passwordPolicy"] == "excellent"


async def test_secrets_survive_an_options_merge_unseen(auth0_mcp: Harness):
    name = unique("oidc")
    options = {"client_id": "app", "client_secret": "the-real-secret-1234",
               "discovery_url": "https://idp.example.com/.well-known/openid-configuration",
               "upstream_params": {"screen_name": {"alias": "login_hint"}},
               "custom_headers": {"X-Auth0-Client-Secret": "header-secret-5678"}}
    async with auth0_mcp.session() as client:
        created = structured(await client.call_tool("auth0_create_connection", {
            "name": name, "strategy": "oidc", "options": options}))
        seen = structured(await client.call_tool("auth0_get_connection", {"id": created["id"]}))
        assert seen["options"]["client_secret"] == REDACTED
        assert seen["options"]["custom_headers"]["X-Auth0-Client-Secret"] == REDACTED
        # the model sends back what it saw, plus one change, and removes a key with null
        result = await client.call_tool("auth0_update_connection", {
            "id": created["id"], "options": {**seen["options"], "scope": "openid email",
                                             "upstream_params": None}})
        assert "the-real-secret" not in text_of(result) and not result.is_error
        masked = await client.call_tool("auth0_update_connection", {
            "id": created["id"], "options": {"new_secret": REDACTED}})
        assert masked.is_error and "mask" in text_of(masked)
        asterisks = await client.call_tool("auth0_update_connection", {
            "id": created["id"], "options": {"client_secret": "********"}})
        assert not asterisks.is_error, text_of(asterisks)
    expected = {k: v for k, v in options.items() if k != "upstream_params"}
    kept = stored(auth0_mcp, created["id"])["options"]
    assert kept.items() >= {**expected, "scope": "openid email"}.items()
    assert "upstream_params" not in kept


@pytest.mark.parametrize(("tool", "args", "message"), [
    ("auth0_get_connection", {}, "id"),
    ("auth0_get_connection", {"id": 42}, "string"),
    ("auth0_get_connection", {"id": DATABASE, "fields": "x"}, "fields"),
    ("auth0_list_connections", {"strategy": "auth0"}, "array"),
    ("auth0_create_connection", {"name": "x" * 5000, "strategy": "auth0"}, "long"),
    ("auth0_create_connection", {"name": "has spaces", "strategy": "auth0"}, "hyphens"),
    ("auth0_create_connection", {"name": "acme-okta", "strategy": "okta"}, "options.domain"),
    ("auth0_create_connection", {"name": "x-y", "strategy": "auth0",
                                 "options": {"client_secret": REDACTED}}, "mask"),
    ("auth0_update_connection", {"id": DATABASE}, "nothing to change"),
    ("auth0_update_connection", {"id": DATABASE, "set": {"strategy": "samlp"}},
     "does not accept strategy"),
    ("auth0_update_connection", {"id": DATABASE, "options": "excellent"}, "object"),
    ("auth0_update_connection_clients", {"id": GOOGLE}, "nothing to change"),
    ("auth0_update_connection_clients", {"id": GOOGLE, "enable": ["a"], "disable": ["a"]},
     "both"),
    ("auth0_update_connection_clients", {"id": GOOGLE, "enable": ["Storefront app"]},
     "not a client_id"),
    ("auth0_delete_connection", {"id": DATABASE, "force": True}, "force"),
    ("auth0_get_connection", {"id": "."}, "nothing was sent"),  # GET /connections/. lists them all
    ("auth0_delete_connection", {"id": ".."}, "nothing was sent"),  # DELETE /api/v2/
    ("auth0_update_connection", {"id": ".", "set": {"display_name": "x"}}, "nothing was sent"),
])
async def test_bad_input_is_refused_before_any_request(auth0_mcp: Harness, tool: str,
                                                       args: dict[str, Any], message: str):
    async with auth0_mcp.session() as client:
        before = requests_seen(auth0_mcp)
        result = await client.call_tool(tool, args)
        assert result.is_error and message in text_of(result), text_of(result)
        assert requests_seen(auth0_mcp) == before


async def test_auth0_errors_come_back_actionable_and_change_nothing(auth0_mcp: Harness):
    connections = stored_all(auth0_mcp)
    before = {k: dict(v) for k, v in connections.items()}
    async with auth0_mcp.session() as client:
        missing = await client.call_tool("auth0_update_connection", {
            "id": "con_DoesNotExist0001", "options": {"passwordPolicy": "fair"}})
        assert missing.is_error and "connection does not exist" in text_of(missing)
        unknown_app = await client.call_tool("auth0_update_connection_clients", {
            "id": GOOGLE, "enable": ["NoSuchClient000000000000000000000"]})
        assert unknown_app.is_error and "client does not exist" in text_of(unknown_app)
        rule = await client.call_tool("auth0_update_connection", {
            "id": DATABASE, "options": {"attributes": {"email": {"identifier": {
                "active": True}, "signup": {"status": "required"}}}}})
        assert rule.is_error and "Cannot set both options.attributes" in text_of(rule)
    after = connections
    assert {k: after[k] for k in before} == before


async def test_scopes_hide_what_a_token_cannot_do(auth0_mcp: Harness):
    async with auth0_mcp.session(scopes=["read:connections"]) as client:
        names = {t.name for t in (await client.list_tools()).tools
                 if "connection" in t.name}
    assert names == {"auth0_list_connections", "auth0_get_connection"}
