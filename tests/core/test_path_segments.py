"""Ids never change which URL a request goes to: ``.``, ``..``, empty, slashes and their
percent-encoded forms are refused before a URL is built (issue 12 §7)."""

from __future__ import annotations

import httpx
import pytest

from auth0_mcp.errors import InvalidArguments
from auth0_mcp.management import ManagementClient
from auth0_mcp.shaping import segment
from auth0_mcp.testing import Harness, text_of

PATH_CHANGING = [".", "..", "%2e", "%2E%2e", "%252e%252e", "", "/", "%2F", "\\", "../clients",
                 "a/../b", "..%2f", "./", "%5c"]


@pytest.mark.parametrize("value", PATH_CHANGING)
def test_segment_refuses_ids_that_change_the_path(value):
    with pytest.raises(InvalidArguments, match="nothing was sent"):
        segment(value)


@pytest.mark.parametrize("value, encoded", [
    ("auth0|123", "auth0%7C123"),
    ("https://api.example.com/orders", "https%3A%2F%2Fapi.example.com%2Forders"),
    ("con_.abc", "con_.abc"),
    ("...", "..."),
])
def test_segment_keeps_real_ids(value, encoded):
    assert segment(value) == encoded


@pytest.mark.parametrize("path", ["/clients/.", "/clients/..", "/clients/", "/clients//x",
                                  "/clients/%2e%2e", "/a/./b"])
async def test_client_refuses_paths_that_normalize_elsewhere(path):
    sent: list[httpx.Request] = []

    class Tokens:
        async def token(self) -> str:
            return "t"

        async def invalidate(self) -> bool:
            return False

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={})

    api = ManagementClient("t.eu.auth0.com", Tokens(), transport=httpx.MockTransport(handler))
    try:
        with pytest.raises(InvalidArguments, match="nothing was sent"):
            await api.delete(path)
    finally:
        await api.aclose()
    assert sent == []


ALL = ["read:actions", "update:actions", "delete:actions", "read:clients", "update:clients",
       "delete:clients", "read:resource_servers", "delete:resource_servers", "read:forms",
       "read:logs"]


@pytest.mark.parametrize("tool, args", [
    ("auth0_get_action", {"id": "."}),
    ("auth0_get_action", {"id": "%2e%2e"}),
    ("auth0_update_application", {"client_id": ".", "set": {"name": "x"}}),
    ("auth0_delete_application", {"client_id": ".."}),
    ("auth0_delete_resource_server", {"id": "/"}),
    ("auth0_get_log", {"id": ".."}),
    ("auth0_get_form", {"id": "\\"}),
])
async def test_tools_send_nothing_for_path_changing_ids(auth0_mcp: Harness, tool, args):
    before = auth0_mcp.sandbox.stats()["requests"]
    result = await auth0_mcp.call(tool, args, scopes=ALL)
    assert result.is_error
    assert "nothing was sent" in text_of(result)
    assert auth0_mcp.sandbox.stats()["requests"] == before
