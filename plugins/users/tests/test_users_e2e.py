"""The users tools end to end: the official MCP client, the real server, the sandbox tenant over
HTTP, in both protocol eras in-process and as a real process over stdio and Streamable HTTP.
Expectations come from the sandbox's own state (``sandbox.tenant``), and every test that
changes the shared tenant puts it back."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters

from auth0_mcp.testing import Harness, text_of, unfenced
from auth0_mcp.testing import structured as raw_structured
from auth0_mcp.testing.processes import CLEAN_ENV, EXE, sandbox_over_http
from auth0_mcp_users import activity, emulator


def structured(result: Any) -> Any:
    """A successful answer's data, without the fences core puts around users' text."""
    return unfenced(raw_structured(result))


async def call_ok(harness: Harness, name: str, arguments: dict[str, Any]) -> Any:
    return unfenced(await harness.call_ok(name, arguments))


ALICE = "auth0|64f1c2a9e8b7d6c5b4a30001"
BOB = "auth0|64f1c2a9e8b7d6c5b4a30002"
CAROL = "auth0|64f1c2a9e8b7d6c5b4a30003"
BILLING_ADMIN = "rol_billingAdmin0001"
PEOPLE_IDS = [person[0] for person in emulator.PEOPLE]
ERAS = ["legacy", "2026-07-28"]


@contextlib.asynccontextmanager
async def session(harness: Harness, mode: str, **kwargs: Any) -> AsyncIterator[Client]:
    async with harness.runtime(**kwargs) as runtime, Client(runtime.server, mode=mode) as client:
        yield client


async def call(client: Client, name: str, arguments: dict[str, Any]) -> Any:
    return structured(await client.call_tool(name, arguments))


def failures_of(sandbox: Any, user_id: str, days: int = 7) -> list[dict[str, Any]]:
    since = (dt.datetime.now(dt.UTC) - dt.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S")
    return [e for e in sandbox.tenant.logs if e.get("user_id") == user_id
            and e["type"] in activity.FAILURES and e["date"] >= since]


@contextlib.contextmanager
def restored(sandbox: Any, *collections: str) -> Iterator[None]:
    """Put the named collections of the shared tenant back as they were."""
    import copy

    saved = {name: copy.deepcopy(sandbox.tenant.collection(name)) for name in collections}
    try:
        yield
    finally:
        for name, content in saved.items():
            sandbox.tenant.collections[name] = content


# -- the two "done when" conversations -----------------------------------------------------------


async def block_alice_and_show_failures(client: Client, sandbox: Any) -> None:
    """"Block alice@example.com and show me her recent failed logins.\""""
    blocked = await call(client, "auth0_block_user", {"user_id": "alice@example.com"})
    assert blocked["user_id"] == ALICE and blocked["blocked"] is True
    seen = await call(client, "auth0_get_user_activity", {"user_id": "alice@example.com"})
    assert seen["user"] == ALICE
    if activity.logs_family() is None:  # only the user's newest 100 events, said so
        assert "not installed" in seen["note"]
        newest = sorted((e for e in sandbox.tenant.logs if e.get("user_id") == ALICE),
                        key=lambda e: e["log_id"], reverse=True)[:100]
        assert seen["failures"] == sum(e["type"] in activity.FAILURES for e in newest) > 0
        assert all(r["type"] in activity.FAILURES for r in seen["recent_failures"])
    else:
        expected = failures_of(sandbox, ALICE)
        assert expected, "the demo logs should hold failed logins of alice"
        assert seen["failures"] == len(expected) and seen["complete"] is True
        newest = sorted(expected, key=lambda e: e["log_id"], reverse=True)[:activity.EXAMPLES]
        assert [row[-1] for row in seen["recent_failures"]["logs"]] == [
            e["log_id"] for e in newest]
    after = await call(client, "auth0_get_user", {"user_id": ALICE})
    assert after["blocked"] is True and after["email"] == "alice@example.com"


async def give_bob_billing_admin(client: Client) -> None:
    """"Give bob@example.com the billing-admin role.\""""
    result = await call(client, "auth0_update_user_roles",
                        {"user_id": "bob@example.com", "add": ["billing-admin"]})
    assert {"id": BILLING_ADMIN, "name": "billing-admin"} in result["roles"]
    after = await call(client, "auth0_get_user", {"user_id": "bob@example.com",
                                                   "include": ["roles", "permissions"]})
    assert [r["name"] for r in after["roles"]] == ["billing-admin"]
    granted = {(p["resource_server_identifier"], p["permission_name"])
               for p in after["permissions"]}
    assert granted == {("https://billing.example-shop.com/", "read:invoices"),
                       ("https://billing.example-shop.com/", "issue:refunds")}


@pytest.mark.parametrize("mode", ERAS)
async def test_block_alice_and_show_her_recent_failed_logins(auth0_mcp, sandbox, mode):
    with restored(sandbox, "users"):
        async with session(auth0_mcp, mode) as client:
            await block_alice_and_show_failures(client, sandbox)
        assert sandbox.tenant.collection("users")[ALICE]["blocked"] is True


@pytest.mark.parametrize("mode", ERAS)
async def test_give_bob_the_billing_admin_role(auth0_mcp, sandbox, mode):
    with restored(sandbox, "role_members"):
        async with session(auth0_mcp, mode) as client:
            await give_bob_billing_admin(client)
        assert BOB in sandbox.tenant.collection("role_members")[BILLING_ADMIN]["user_ids"]


def stdio_server() -> Client:
    return Client(StdioServerParameters(command=EXE, args=["run", "--sandbox"], env=CLEAN_ENV),
                  read_timeout_seconds=60)


@pytest.fixture
def http_url() -> Iterator[str]:
    with sandbox_over_http() as url:
        yield url


async def test_both_conversations_over_stdio():
    async with stdio_server() as client:
        await give_bob_billing_admin(client)
        blocked = await call(client, "auth0_block_user", {"user_id": "alice@example.com"})
        assert blocked["blocked"] is True
        seen = await call(client, "auth0_get_user_activity", {"user_id": ALICE})
        assert seen["failures"] > 0 and seen["recent_failures"]


async def test_both_conversations_over_streamable_http(http_url):
    async with Client(http_url) as client:
        await give_bob_billing_admin(client)
        blocked = await call(client, "auth0_block_user", {"user_id": "alice@example.com"})
        assert blocked["blocked"] is True
        seen = await call(client, "auth0_get_user_activity", {"user_id": "alice@example.com"})
        assert seen["failures"] > 0 and seen["last_failure"]


# -- the other tools -------------------------------------------------------------------------------


async def test_search_by_lucene_and_by_email(auth0_mcp, sandbox):
    users = sandbox.tenant.collection("users").values()
    async with auth0_mcp.session() as client:
        busy = await call(client, "auth0_search_users", {"q": "logins_count:[40 TO *]"})
        assert {u["user_id"] for u in busy["users"]} == {
            u["user_id"] for u in users if u.get("logins_count", 0) >= 40}
        assert busy["total"] == len(busy["users"]) and busy["has_more"] is False
        social = await call(client, "auth0_search_users",
                            {"q": "identities.connection:google-oauth2"})
        assert [u["email"] for u in social["users"]] == ["erin@example.com"]
        assert social["users"][0]["connection"] == "google-oauth2"
        pro = await call(client, "auth0_search_users", {"q": 'app_metadata.plan:"pro"',
                                                        "per_page": 2})
        assert len(pro["users"]) == 2 and pro["has_more"] is True
        assert set(pro["users"][0]) <= {"user_id", "email", "name", "blocked", "last_login",
                                        "logins_count", "connection"}
        by_email = await call(client, "auth0_search_users", {"email": "carol@example.org"})
        assert [u["user_id"] for u in by_email["users"]] == [CAROL]


async def test_search_by_email_domain_and_organization(auth0_mcp, sandbox):
    """Two fields Auth0's v3 search indexes beyond the profile (its query-syntax page):
    ``email.domain`` and ``organization_id``."""
    users = sandbox.tenant.collection("users").values()
    with restored(sandbox, "organization_members"):
        sandbox.tenant.collection("organization_members")["org_test00000000002|" + CAROL] = {
            "org_id": "org_test00000000002", "user_id": CAROL, "roles": []}
        async with auth0_mcp.session() as client:
            org = await call(client, "auth0_search_users", {"q": 'email.domain:"example.org"'})
            member = await call(client, "auth0_search_users",
                                {"q": "organization_id:org_test00000000002"})
    assert sorted(u["email"] for u in org["users"]) == sorted(
        u["email"] for u in users if u.get("email", "").endswith("@example.org"))
    assert org["users"] and [u["user_id"] for u in member["users"]] == [CAROL]


async def test_create_update_and_delete_a_user(auth0_mcp, sandbox):
    password = "Tr1cky-Pa55word!"
    async with auth0_mcp.session() as client:
        weak = await client.call_tool("auth0_create_user", {"email": "new@example.com",
                                                            "password": "short"})
        assert weak.is_error and "too weak" in text_of(weak)
        nowhere = await client.call_tool("auth0_create_user", {"email": "new@example.com",
                                                               "connection": "no-such-db"})
        assert nowhere.is_error and "connection does not exist" in text_of(nowhere)
        created = await client.call_tool("auth0_create_user", {
            "email": "New@Example.com", "password": password, "name": "New Person",
            "app_metadata": {"plan": "free", "trial": True}})
        assert password not in text_of(created) and password not in str(
            created.structured_content)
        user_id = structured(created)["user_id"]
        assert user_id.startswith("auth0|")
        again = await client.call_tool("auth0_create_user", {"email": "new@example.com",
                                                             "password": password})
        assert again.is_error and "already exists" in text_of(again)
        updated = await call(client, "auth0_update_user", {
            "user_id": "new@example.com", "app_metadata": {"trial": None, "plan": "pro"},
            "user_metadata": {"theme": "dark"}})
        assert updated["app_metadata"] == {"plan": "pro"}
        assert updated["user_metadata"] == {"theme": "dark"}
        invalid = await client.call_tool("auth0_update_user", {"user_id": user_id,
                                                               "email": "not-an-email"})
        assert invalid.is_error and "format email" in text_of(invalid)
        fetched = await call(client, "auth0_get_user", {"user_id": user_id})
        assert fetched["app_metadata"] == {"plan": "pro"} and fetched["name"] == "New Person"
        assert "password" not in fetched
        deleted = await call(client, "auth0_delete_user", {"user_id": user_id})
        assert deleted == {"deleted": user_id}
        gone = await client.call_tool("auth0_get_user", {"user_id": user_id})
        assert gone.is_error and "does not exist" in text_of(gone)
    assert user_id not in sandbox.tenant.collection("users")


@pytest.mark.parametrize("body", [{"user_metadata": {"preference.color": "pink"}},
                                  {"user_metadata": {"deep": {"x$y": 1}}},
                                  {"app_metadata": {"identities": []}}])
def test_the_sandbox_refuses_metadata_auth0_refuses(sandbox, body):
    """Auth0's metadata field-name rules: no '.' or '$' in a name, and app_metadata cannot
    hold the fields it reserves (identities, email, user_id...)."""
    import httpx

    token = sandbox.mint_token(["update:users", "create:users"])
    answer = httpx.patch(f"{sandbox.base_url}/api/v2/users/{BOB}", json=body, timeout=10,
                         headers={"authorization": f"Bearer {token}"})
    created = httpx.post(f"{sandbox.base_url}/api/v2/users", timeout=10,
                         headers={"authorization": f"Bearer {token}"},
                         json={"connection": "Username-Password-Authentication",
                               "email": "meta@example.com", "password": "Correct-Horse-9!",
                               **body})
    assert answer.status_code == 400 and created.status_code == 400, answer.text
    assert "meta@example.com" not in {u.get("email") for u in
                                      sandbox.tenant.collection("users").values()}


@pytest.mark.parametrize("email", ["a@b.com/../../clients", "a@b..com", "a@-b.com",
                                   "a@b.com?x=1", "a b@c.com"])
async def test_an_email_auth0_would_refuse_is_refused(auth0_mcp, sandbox, email):
    """Auth0 validates ``format: email``: a domain with a path, empty labels or a query is
    not one (the sandbox took anything with an @ and a dot)."""
    before = set(sandbox.tenant.collection("users"))
    result = await auth0_mcp.call("auth0_create_user", {"email": email,
                                                        "password": "Correct-Horse-9!"})
    assert result.is_error and "format email" in text_of(result), text_of(result)
    assert set(sandbox.tenant.collection("users")) == before


async def test_get_user_says_when_an_included_list_is_cut(auth0_mcp, sandbox):
    """A user with more roles than one page shows the first page and the real count, not a
    silently shorter list."""
    with restored(sandbox, "roles", "role_members"):
        for i in range(120):
            role_id = f"rol_bulk{i:012d}"
            sandbox.tenant.collection("roles")[role_id] = {"id": role_id, "name": f"bulk-{i}",
                                                           "description": ""}
            sandbox.tenant.collection("role_members")[role_id] = {"role_id": role_id,
                                                                  "user_ids": [CAROL]}
        user = await call_ok(auth0_mcp, "auth0_get_user", {"user_id": CAROL,
                                                          "include": ["roles"]})
    total = len([r for r in sandbox.tenant.collection("role_members").values()
                 if CAROL in r.get("user_ids", [])]) + 120
    assert len(user["roles"]) == 100 and user["roles_total"] == total


async def test_identity_provider_tokens_never_reach_the_answer(auth0_mcp, sandbox):
    """With ``read:user_idp_tokens`` Auth0 returns each social identity's tokens; an OAuth1
    identity's ``access_token_secret`` is not a name core's redaction knows."""
    tokens = {"access_token": "ya29.idp-access-1111", "refresh_token": "1//idp-refresh-2222",
              "access_token_secret": "oauth1-secret-3333", "expires_in": 3599}
    with restored(sandbox, "users"):
        user = sandbox.tenant.collection("users")["google-oauth2|109876543210987654321"]
        user["identities"] = [{**user["identities"][0], **tokens}]
        result = await auth0_mcp.call("auth0_get_user",
                                      {"user_id": "google-oauth2|109876543210987654321"})
    text = text_of(result) + json.dumps(result.structured_content)
    assert not result.is_error and "idp-" not in text and "oauth1-secret" not in text, text
    assert structured(result)["identities"][0]["provider"] == "google-oauth2"


async def test_profiles_agree_with_the_demo_logs(auth0_mcp, sandbox):
    """A person's profile tells the same story as the log events about them: no one with a
    week of successful logins shows ``logins_count: 0`` and no last login."""
    async with auth0_mcp.session() as client:
        for person in PEOPLE_IDS:
            logins = sorted(e["date"] for e in sandbox.tenant.logs
                            if e.get("user_id") == person and e["type"] == "s")
            if not logins:
                continue
            user = await call(client, "auth0_get_user", {"user_id": person})
            assert user["logins_count"] >= len(logins), person
            assert user.get("last_login", "") >= logins[-1][:19], person


async def test_no_password_link_for_a_social_user(auth0_mcp):
    """Erin logs in with Google: Auth0 holds no password for her, so a password-change link
    is refused with why, instead of a link that cannot work."""
    async with auth0_mcp.session() as client:
        result = await client.call_tool("auth0_create_user_ticket", {
            "user_id": "erin@example.com", "type": "password_change"})
    assert result.is_error and "google-oauth2" in text_of(result), text_of(result)


def test_the_sandbox_refuses_a_password_ticket_for_a_social_user(sandbox):
    import httpx

    token = sandbox.mint_token(["create:user_tickets"])
    direct = httpx.post(f"{sandbox.base_url}/api/v2/tickets/password-change", timeout=10,
                        headers={"authorization": f"Bearer {token}"},
                        json={"user_id": "google-oauth2|109876543210987654321"})
    assert direct.status_code == 400, direct.text


async def test_an_update_answers_what_changed_not_all_metadata(auth0_mcp, sandbox):
    """A profile with thousands of metadata keys (Auth0 allows them) must not flood the
    context when one key changes: the answer holds the keys the change named."""
    with restored(sandbox, "users"):
        user = sandbox.tenant.collection("users")[BOB]
        user["user_metadata"] = {f"pref_{i}": "x" * 20 for i in range(2000)}
        result = await auth0_mcp.call("auth0_update_user", {
            "user_id": BOB, "user_metadata": {"pref_7": "y", "pref_8": None, "new": 1}})
        data = structured(result)
        stored = dict(sandbox.tenant.collection("users")[BOB]["user_metadata"])
    assert len(json.dumps(result.structured_content)) < 1000
    assert data["user_metadata"] == {"pref_7": "y", "new": 1}
    assert data["removed"] == ["user_metadata.pref_8"]
    assert data["unchanged_keys"] == {"user_metadata": 1998}
    assert len(stored) == 2000 and stored["pref_7"] == "y" and "pref_8" not in stored


async def test_a_password_policy_set_on_the_connection_applies(auth0_mcp, sandbox):
    database = next(c for c in sandbox.tenant.collection("connections").values()
                    if c["name"] == "Username-Password-Authentication")
    with restored(sandbox, "connections", "users"):
        database.setdefault("options", {})["passwordPolicy"] = "excellent"
        result = await auth0_mcp.call("auth0_create_user", {"email": "p@example.com",
                                                            "password": "Abcdefg1"})
        assert result.is_error and "too weak" in text_of(result)
        ok = await auth0_mcp.call("auth0_create_user", {"email": "p@example.com",
                                                        "password": "Abcdefghi1-x"})
        assert not ok.is_error, text_of(ok)


async def test_unblock_clears_brute_force_blocks(auth0_mcp, sandbox):
    with restored(sandbox, "users", "user_blocks"):
        async with auth0_mcp.session() as client:
            before = await call(client, "auth0_get_user", {"user_id": ALICE,
                                                           "include": ["blocks"]})
            assert before["brute_force_blocks"][0]["ip"] == "192.108.92.3"
            await call(client, "auth0_block_user", {"user_id": ALICE})
            unblocked = await call(client, "auth0_block_user", {"user_id": ALICE,
                                                                "unblock": True})
            assert unblocked["blocked"] is False
            after = await call(client, "auth0_get_user", {"user_id": ALICE,
                                                          "include": ["blocks"]})
        assert after["blocked"] is False and after["brute_force_blocks"] == []


async def test_roles_by_id_and_removal(auth0_mcp, sandbox):
    with restored(sandbox, "role_members"):
        async with auth0_mcp.session() as client:
            added = await call(client, "auth0_update_user_roles",
                               {"user_id": CAROL, "add": ["rol_admin0000000001"]})
            assert {r["name"] for r in added["roles"]} == {"admin", "support"}
            removed = await call(client, "auth0_update_user_roles",
                                 {"user_id": CAROL, "remove": ["admin", "support"]})
            assert removed["roles"] == []
            unknown = await client.call_tool("auth0_update_user_roles",
                                             {"user_id": CAROL, "add": ["billing"]})
            assert unknown.is_error and "no role is named 'billing'" in text_of(unknown)
            missing = await client.call_tool("auth0_update_user_roles",
                                             {"user_id": CAROL, "add": ["rol_nope"]})
            assert missing.is_error and "role does not exist" in text_of(missing)


async def test_mfa_list_and_reset(auth0_mcp, sandbox):
    with restored(sandbox, "authentication_methods"):
        async with auth0_mcp.session() as client:
            before = await call(client, "auth0_get_user", {"user_id": "alice@example.com",
                                                           "include": ["mfa"]})
            assert {m["type"] for m in before["mfa"]} == {"totp", "phone"}
            one = before["mfa"][0]["id"]
            await call(client, "auth0_reset_user_mfa", {"user_id": ALICE, "method_id": one})
            middle = await call(client, "auth0_get_user", {"user_id": ALICE, "include": ["mfa"]})
            assert [m["id"] for m in middle["mfa"]] == [before["mfa"][1]["id"]]
            await call(client, "auth0_reset_user_mfa", {"user_id": ALICE})
            after = await call(client, "auth0_get_user", {"user_id": ALICE, "include": ["mfa"]})
            assert after["mfa"] == []


async def test_verification_email_and_password_change_link(auth0_mcp):
    async with auth0_mcp.session() as client:
        job = await call(client, "auth0_create_user_ticket",
                         {"user_id": "frank@example.org", "type": "verification_email"})
        assert job["job_id"].startswith("job_") and job["status"] == "pending"
        verified = await client.call_tool("auth0_create_user_ticket",
                                          {"user_id": BOB, "type": "verification_email"})
        assert verified.is_error and "already verified" in text_of(verified)
        link = await call(client, "auth0_create_user_ticket",
                          {"user_id": BOB, "type": "password_change",
                           "result_url": "https://shop.example.com/"})
        assert "/lo/reset?ticket=" in link["ticket"]


async def test_organizations_of_a_user(auth0_mcp, sandbox):
    with restored(sandbox, "organizations", "organization_members"):
        sandbox.tenant.collection("organizations").setdefault(
            "org_test00000000001", {"id": "org_test00000000001", "name": "test-org",
                                    "display_name": "Test Org"})
        sandbox.tenant.collection("organization_members")["org_test00000000001|" + CAROL] = {
            "org_id": "org_test00000000001", "user_id": CAROL, "roles": []}
        user = await call_ok(auth0_mcp, "auth0_get_user", {"user_id": CAROL,
                                                          "include": ["organizations"]})
    assert [o["name"] for o in user["organizations"]] == ["test-org"]


async def test_activity_without_the_logs_family_says_so(auth0_mcp, sandbox, monkeypatch):
    monkeypatch.setattr(activity, "logs_family", lambda: None)
    seen = await call_ok(auth0_mcp, "auth0_get_user_activity", {"user_id": ALICE})
    assert "auth0-mcp-logs is not installed" in seen["note"]
    newest = sorted((e for e in sandbox.tenant.logs if e.get("user_id") == ALICE),
                    key=lambda e: e["log_id"], reverse=True)[:100]
    assert seen["failures"] == sum(e["type"] in activity.FAILURES for e in newest)
    assert seen["recent_failures"][0]["type"] in activity.FAILURES


async def test_scopes_hide_what_the_token_cannot_do(auth0_mcp):
    async with auth0_mcp.session(scopes=["read:users"]) as client:
        names = {t.name for t in (await client.list_tools()).tools if "user" in t.name}
    assert names == {"auth0_search_users", "auth0_get_user"}


@pytest.mark.parametrize(("tool", "arguments", "message"), [
    ("auth0_get_user", {"user_id": "x", "include": ["friends"]}, "include"),
    ("auth0_get_user", {}, "user_id"),
    ("auth0_get_user", {"user_id": 42}, "user_id"),
    ("auth0_get_user", {"user_id": "a" * 5000}, "Auth0 accepts at most 320"),
    ("auth0_search_users", {"q": "x", "email": "a@b.co"}, "not both"),
    ("auth0_search_users", {"per_page": 500}, "per_page"),
    ("auth0_search_users", {"page": 10, "per_page": 100}, "first 1,000"),
    ("auth0_search_users", {"q": "x" * 3000}, "at most 2000"),
    ("auth0_create_user", {"email": "nope", "password": "Abcdefg1!"}, "not an email"),
    ("auth0_create_user", {"email": "a@b.co", "name": "n" * 310}, "at most 300"),
    ("auth0_create_user", {"email": "a@b.co", "role": "admin"}, "role"),
    ("auth0_update_user", {"user_id": ALICE}, "nothing to change"),
    ("auth0_update_user", {"user_id": ALICE, "app_metadata": "pro"}, "app_metadata"),
    ("auth0_update_user", {"user_id": ALICE, "user_metadata": {"preference.color": "pink"}},
     "user_metadata.preference.color"),
    ("auth0_update_user", {"user_id": ALICE, "app_metadata": {"a": [{"$where": 1}]}},
     "'.' or '$'"),
    ("auth0_update_user", {"user_id": ALICE, "app_metadata": {"email": "x@y.z"}}, "reserves"),
    ("auth0_create_user", {"email": "a@b.co", "user_metadata": {"a.b": 1}}, "'.' or '$'"),
    ("auth0_update_user_roles", {"user_id": ALICE}, "add and/or remove"),
    ("auth0_update_user_roles", {"user_id": ALICE, "add": ["r" * 4000]}, "at most 320"),
    ("auth0_update_user_roles", {"user_id": ALICE, "add": ["a"], "remove": ["a"]}, "both"),
    ("auth0_create_user_ticket", {"user_id": ALICE, "type": "magic_link"}, "type"),
    ("auth0_get_user_activity", {"user_id": ALICE, "since": "yesterday"}, "not a time"),
    pytest.param("auth0_get_user_activity", {"user_id": ALICE, "since": "99999999d"},
                 "too far back", marks=pytest.mark.skipif(
                     activity.logs_family() is None,
                     reason="without the logs family, since is not applied")),
    ("auth0_block_user", {"user_id": ALICE, "unblock": "yes"}, "unblock"),
    ("auth0_get_user", {"user_id": "."}, "nothing was sent"),  # GET /users/. would list every user
    ("auth0_get_user", {"user_id": ".."}, "nothing was sent"),
    ("auth0_block_user", {"user_id": "..", "unblock": True}, "nothing was sent"),
])
async def test_bad_input_is_refused_before_any_request(auth0_mcp, sandbox, tool, arguments,
                                                       message):
    async with auth0_mcp.session(scopes=["read:users", "update:users", "create:users",
                                         "read:logs", "create:user_tickets"]) as client:
        before = sandbox.stats()["requests"]
        result = await client.call_tool(tool, arguments)
        after = sandbox.stats()["requests"]
    assert result.is_error and message in text_of(result), text_of(result)
    assert after == before, f"{tool} sent a request for bad input"


async def test_an_email_typed_in_another_case_still_finds_the_user(auth0_mcp, sandbox):
    """``/users-by-email`` is case-sensitive (the Management API reference says so) and Auth0
    stores database emails lowercased: "Alice@Example.COM" as typed would find nobody."""
    async with auth0_mcp.session() as client:
        found = await call(client, "auth0_search_users", {"email": "Alice@Example.COM"})
        got = await call(client, "auth0_get_user", {"user_id": "Alice@Example.COM"})
    assert [u["user_id"] for u in found["users"]] == [ALICE] and got["user_id"] == ALICE


async def test_an_unknown_email_is_an_actionable_error(auth0_mcp):
    result = await auth0_mcp.call("auth0_block_user", {"user_id": "nobody@example.com"})
    assert result.is_error and "no user has the email nobody@example.com" in text_of(result)


async def test_passwords_and_ticket_links_never_reach_the_logs(auth0_mcp, sandbox, caplog):
    import logging

    password = "Never-Logged-42!"
    caplog.set_level(logging.DEBUG)
    with restored(sandbox, "users"):
        async with auth0_mcp.session() as client:
            created = await call(client, "auth0_create_user", {"email": "quiet@example.com",
                                                               "password": password})
            changed = await client.call_tool("auth0_update_user", {
                "user_id": created["user_id"], "password": password + "x"})
            assert password not in text_of(changed)
            link = await call(client, "auth0_create_user_ticket",
                              {"user_id": created["user_id"], "type": "password_change"})
    assert password not in caplog.text and link["ticket"] not in caplog.text
