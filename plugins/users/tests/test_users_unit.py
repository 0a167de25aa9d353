"""The subtle parts on their own: password policies, Auth0's metadata merge, and what Lucene
sees of a user."""

import pytest

from auth0_mcp_sandbox.lucene import compile_query
from auth0_mcp_users import emulator, metadata


@pytest.mark.parametrize(("password", "policy", "ok"), [
    ("x", "none", True),
    ("abcde", "low", False), ("abcdef", "low", True),
    ("abcdefgh", "fair", False), ("Abcdefg1", "fair", True),
    ("abcdefgh", "good", False), ("abcdefg1", "good", False), ("Abcdefg1", "good", True),
    ("abcdef1!", "good", True),
    ("Abcdefg1", "excellent", False), ("Abcdefghi1", "excellent", True),
    ("Abbbcdefg1", "excellent", False),  # three identical characters in a row
])
def test_password_policies(password, policy, ok):
    assert emulator.password_ok(password, policy) is ok


def test_a_minimum_length_option_raises_the_bar():
    assert emulator.password_ok("Abcdefg1", "good") is True
    assert emulator.password_ok("Abcdefg1", "good", min_length=12) is False


def test_metadata_merges_top_level_keys_and_null_removes():
    current = {"plan": "pro", "prefs": {"theme": "dark", "lang": "en"}, "old": 1}
    merged = metadata.merge(current, {"prefs": {"theme": "light"}, "old": None, "new": True})
    assert merged == {"plan": "pro", "prefs": {"theme": "light"}, "new": True}
    assert metadata.merge(current, {}) == {}
    assert current["old"] == 1  # the input is not changed


def test_after_patch_is_the_user_auth0_will_hold():
    user = {"user_id": "auth0|1", "name": "A", "app_metadata": {"plan": "pro"}}
    after = metadata.after_patch(user, {"app_metadata": {"plan": None}, "name": "B",
                                        "password": "Secret-123"})
    assert after == {"user_id": "auth0|1", "name": "B"}


USER = {"user_id": "google-oauth2|1", "email": "erin@example.com", "name": "Erin Green",
        "logins_count": 25, "last_login": "2026-11-30T10:00:00.000Z",
        "app_metadata": {"plan": "pro"},
        "identities": [{"connection": "google-oauth2", "provider": "google-oauth2",
                        "user_id": "1", "isSocial": True}]}


@pytest.mark.parametrize(("q", "hit"), [
    ("logins_count:[10 TO *]", True), ("logins_count:[30 TO *]", False),
    ("logins_count:{24 TO 26}", True), ("logins_count:25", True), ("logins_count:[2 TO 9]", False),
    ("identities.connection:google-oauth2", True), ("identities.connection:\"github\"", False),
    ('app_metadata.plan:"pro"', True), ("email:*@example.com", True), ("name:erin*", True),
    ("last_login:[2026-11-01 TO 2026-11-30]", True), ("last_login:[* TO 2026-11-29]", False),
    ("erin", True), ("_exists_:app_metadata.plan", True),
])
def test_search_over_the_fields_auth0_indexes(q, hit):
    assert compile_query(emulator._pad_counts(q))(emulator.search_document(USER)) is hit


def test_the_demo_story_holds_with_or_without_the_logs_family():
    from auth0_mcp_sandbox.tenant import SandboxTenant

    alone = SandboxTenant()
    emulator.seed(alone)
    emulator.seed(alone)  # idempotent
    alice = "auth0|64f1c2a9e8b7d6c5b4a30001"
    kinds = [e["type"] for e in alone.logs if e.get("user_id") == alice]
    assert kinds.count("fp") + kinds.count("f") == 8 and kinds.count("limit_wc") == 1
    assert len(alone.collection("users")) == 8 and len(alone.collection("roles")) == 3
    busy = SandboxTenant()
    busy.record("s", "Success Login", user_id=alice)
    emulator.seed(busy)
    assert len(busy.logs) == 1  # the logs family told the story already
