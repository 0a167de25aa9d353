"""Redactor.clean, the shortcut the pipeline takes for answers with nothing to mask: it must
never call clean a value that data() would change."""

from __future__ import annotations

import json

import pytest

from auth0_mcp.redaction import Redactor

SECRET = 'abc"def\\ghi-known'  # a known secret with characters JSON escapes
JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
PEM = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----"


def dumped(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)


@pytest.mark.parametrize("value", [
    {"client_secret": "s3cr3t-value"},
    {"Client_Secret": "s3cr3t-value"},
    {"recovery_code": [["one-code"]]},
    {"app": {"signing_keys": [{"private_key": "x"}]}},
    {"encryption_key": {"pub": "k"}},
    {"secrets": [{"name": "API", "value": "v"}]},
    {"note": f"token {JWT} inside"},
    {"cert": PEM},
    {"description": f"has {SECRET} in it"},
    ["list", {"nested": {"password": "hunter22"}}],
])
def test_anything_data_would_mask_is_not_clean(value):
    redactor = Redactor([SECRET])
    assert redactor.data(value) != value  # the case is a real one
    assert not redactor.clean(dumped(value))


@pytest.mark.parametrize("value", [
    {"clients": [{"name": "Storefront", "client_id": "AbC", "refresh_token": {"leeway": 0}}]},
    {"logs": [["2026-01-01T00:00:00Z", "s", "", "alice@example.com", "App", "1.2.3.4", "9"]]},
    {"description": "ünïcødé, quotes \" and \\ back", "count": 3, "ok": True, "none": None},
])
def test_clean_answers_are_left_as_they_are(value):
    redactor = Redactor([SECRET])
    assert redactor.clean(dumped(value))
    assert redactor.data(value) == value
