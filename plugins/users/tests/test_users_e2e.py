"""The users tools end to end: the official MCP client, the real server, the sandbox tenant over
HTTP, in both protocol eras in-process and as a real process over stdio and Streamable HTTP.
Expectations come from the sandbox's own state (``sandbox.tenant``), and every test that
changes the shared tenant puts it back."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters

from auth0_mcp.testing import Harness, structured, text_of
from auth0_mcp.testing.processes import CLEAN_ENV, EXE, sandbox_over_http
from auth0_mcp_users import activity

ALICE = "auth0|64f1c2a9e8b7d6c5b4a30001"
BOB = "auth0|64f1c2a9e8b7d6c5b4a30002"
CAROL = "auth0|64f1c2a9e8b7d6c5b4a30003"
BILLING_ADMIN = "rol_billingAdmin0001"
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
        user = await auth0_mcp.call_ok("auth0_get_user", {"user_id": CAROL,
                                                          "include": ["organizations"]})
    assert [o["name"] for o in user["organizations"]] == ["test-org"]


async def test_activity_without_the_logs_family_says_so(auth0_mcp, sandbox, monkeypatch):
    monkeypatch.setattr(activity, "logs_family", lambda: None)
    seen = await auth0_mcp.call_ok("auth0_get_user_activity", {"user_id": ALICE})
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
    ("auth0_create_user", {"email": "a@b.co", "role": "admin"}, "role"),
    ("auth0_update_user", {"user_id": ALICE}, "nothing to change"),
    ("auth0_update_user", {"user_id": ALICE, "app_metadata": "pro"}, "app_metadata"),
    ("auth0_update_user_roles", {"user_id": ALICE}, "add and/or remove"),
    ("auth0_update_user_roles", {"user_id": ALICE, "add": ["r" * 4000]}, "at most 320"),
    ("auth0_update_user_roles", {"user_id": ALICE, "add": ["a"], "remove": ["a"]}, "both"),
    ("auth0_create_user_ticket", {"user_id": ALICE, "type": "magic_link"}, "type"),
    ("auth0_get_user_activity", {"user_id": ALICE, "since": "yesterday"}, "not a time"),
    ("auth0_block_user", {"user_id": ALICE, "unblock": "yes"}, "unblock"),
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
