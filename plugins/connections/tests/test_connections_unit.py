"""The options merge that keeps Auth0's whole-object PATCH from wiping a connection's settings,
and the masking of connection secrets."""

from __future__ import annotations

import pytest

from auth0_mcp import ToolError
from auth0_mcp.redaction import REDACTED
from auth0_mcp_connections.options import mask, merge, touched, unmasked
from auth0_mcp_connections.tools import recreate

CURRENT = {"passwordPolicy": "good", "mfa": {"active": True, "return_enroll_settings": True},
           "client_secret": "s3cret", "scope": ["email", "profile"],
           "decryptionKey": {"key": "-----BEGIN PRIVATE KEY-----x", "cert": "public"}}


def test_merge_keeps_what_the_change_does_not_name():
    merged = merge(CURRENT, {"passwordPolicy": "excellent", "mfa": {"active": False}})
    assert merged == {**CURRENT, "passwordPolicy": "excellent",
                      "mfa": {"active": False, "return_enroll_settings": True}}
    assert touched(CURRENT, merged) == ["mfa", "passwordPolicy"]


def test_null_removes_and_lists_replace():
    merged = merge(CURRENT, {"mfa": None, "scope": ["email"], "missing": None})
    assert "mfa" not in merged and merged["scope"] == ["email"]
    assert touched(CURRENT, merged) == ["mfa", "scope"]


def test_a_mask_given_back_keeps_the_secret_at_any_depth():
    merged = merge(CURRENT, {"client_secret": REDACTED,
                             "decryptionKey": {"key": REDACTED, "cert": "new"}})
    assert merged["client_secret"] == "s3cret"
    assert merged["decryptionKey"] == {"key": "-----BEGIN PRIVATE KEY-----x", "cert": "new"}


@pytest.mark.parametrize("change", [{"app_secret": REDACTED}, {"mfa": {"token": REDACTED}},
                                    {"new": {"deep": [REDACTED]}}])
def test_a_mask_with_no_secret_behind_it_is_refused(change):
    with pytest.raises(ToolError, match="mask"):
        merge(CURRENT, change)


def test_mask_covers_the_connection_secrets_core_does_not_name():
    options = {"consumer_secret": "a", "app_secret": "b", "twilio_token": "c",
               "signing_key": {"key": "d", "cert": "e"}, "twilio_sid": "AC1",
               "custom_headers": {"X-Auth0-Client-Secret": "f"},
               "authentication_methods": {"password": {"enabled": True}}, "empty_secret": ""}
    assert mask(options) == {
        "consumer_secret": REDACTED, "app_secret": REDACTED, "twilio_token": REDACTED,
        "signing_key": {"key": REDACTED, "cert": "e"}, "twilio_sid": "AC1",
        "custom_headers": {"X-Auth0-Client-Secret": REDACTED},
        "authentication_methods": {"password": {"enabled": True}}, "empty_secret": ""}


def test_undo_of_a_delete_recreates_without_writing_masks():
    prior = {"id": "con_1", "name": "google-oauth2", "strategy": "google-oauth2",
             "options": {"client_id": "x", "client_secret": REDACTED, "scope": ["email"]},
             "enabled_clients": ["abc"], "realms": ["google-oauth2"]}
    path, body = recreate(prior)
    assert path == "/connections"
    assert body == {"name": "google-oauth2", "strategy": "google-oauth2",
                    "options": {"client_id": "x", "scope": ["email"]},
                    "realms": ["google-oauth2"]}
    assert unmasked([REDACTED, "a"]) == ["a"]


def test_custom_database_settings_and_authorization_headers_are_masked():
    """A custom database's ``configuration`` holds its scripts' secrets (DB passwords, API
    keys) whatever they are called; an ``Authorization`` header carries a credential."""
    options = {"configuration": {"DB_PASSWORD": "p", "API_URL": "u"},
               "customHeaders": {"Authorization": "Bearer t", "Accept": "json"},
               "decryptionKey": {"key": "k", "cert": "public"}}
    assert mask(options) == {"configuration": {"DB_PASSWORD": REDACTED, "API_URL": REDACTED},
                             "customHeaders": {"Authorization": REDACTED, "Accept": "json"},
                             "decryptionKey": {"key": REDACTED, "cert": "public"}}
    changed = merge({**options, "configuration": {"DB_PASSWORD": "p", "API_URL": "u"}},
                    mask(options))
    assert changed == options


@pytest.mark.parametrize("masked", ["********", "*****", "[REDACTED]"])
def test_auth0_style_asterisk_masks_never_replace_a_secret(masked):
    """Auth0 itself masks with asterisks (log streams, log bodies): a model that copied one
    back must not turn it into the connection's client secret."""
    assert merge(CURRENT, {"client_secret": masked})["client_secret"] == "s3cret"
    with pytest.raises(ToolError, match="mask"):
        merge(CURRENT, {"app_secret": masked})
