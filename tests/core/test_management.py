"""The Management API client against scripted upstream faults (in-process transport)."""

from __future__ import annotations

import time

import anyio
import httpx
import pytest

from auth0_mcp.errors import Auth0ApiError, ReadOnlyViolation, ToolError, UpstreamUnavailable
from auth0_mcp.management import ManagementClient, base_url_for


class Tokens:
    def __init__(self) -> None:
        self.minted = 0

    async def token(self) -> str:
        return f"tok-{self.minted}"

    async def invalidate(self) -> bool:
        self.minted += 1
        return True


SENT_AUTH: list[str | None] = []


def client(responses, **kwargs) -> tuple[ManagementClient, list[httpx.Request]]:
    seen: list[httpx.Request] = []
    script = iter(responses)

    async def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        SENT_AUTH.append(request.headers.get("authorization"))
        item = next(script)
        if isinstance(item, Exception):
            raise item
        if callable(item):
            return await item(request)
        return item

    api = ManagementClient("t.eu.auth0.com", Tokens(), transport=httpx.MockTransport(handler),
                           **kwargs)
    return api, seen


def test_base_url_rules():
    assert base_url_for("tenant") == "https://tenant.us.auth0.com"
    assert base_url_for("https://t.eu.auth0.com/") == "https://t.eu.auth0.com"
    assert base_url_for("http://127.0.0.1:8484") == "http://127.0.0.1:8484"
    assert base_url_for("http://[::1]:9") == "http://[::1]:9"
    with pytest.raises(ValueError, match="only loopback"):
        base_url_for("http://evil.example.com")


async def test_429_with_reset_header_waits_then_succeeds():
    reset = str(int(time.time()) + 1)
    api, seen = client([
        httpx.Response(429, headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": reset},
                       json={"statusCode": 429, "message": "Global limit has been reached"}),
        httpx.Response(200, json={"ok": True}),
    ])
    assert await api.get("/clients") == {"ok": True}
    assert len(seen) == 2


async def test_429_beyond_the_budget_says_when_to_retry():
    reset = int(time.time()) + 120
    api, seen = client([httpx.Response(
        429, headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(reset)},
        json={"statusCode": 429, "error": "Too Many Requests",
              "message": "Global limit has been reached", "errorCode": "too_many_requests"})],
        rate_limit_budget=2)
    with pytest.raises(Auth0ApiError) as info:
        await api.get("/clients")
    assert info.value.status == 429 and "retry in 1" in str(info.value)
    assert len(seen) == 1


async def test_429_without_headers_is_bounded():
    api, seen = client([httpx.Response(429, json={"message": "slow down"})] * 20,
                       rate_limit_budget=2.5)
    started = time.monotonic()
    with pytest.raises(Auth0ApiError, match="Rate limited"):
        await api.get("/clients")
    assert time.monotonic() - started < 10 and 1 < len(seen) < 5


async def test_5xx_is_retried_only_for_idempotent_requests():
    api, seen = client([httpx.Response(500, json={"message": "boom"}),
                        httpx.Response(200, json=[])])
    assert await api.get("/clients") == []
    api, seen = client([httpx.Response(500, json={"message": "boom"})])
    with pytest.raises(Auth0ApiError, match="server error"):
        await api.post("/clients", {"name": "x"})
    assert len(seen) == 1


async def test_503_with_an_html_body_gives_a_readable_error():
    page = httpx.Response(503, text="<html><body>Service Unavailable</body></html>")
    api, _ = client([page, page, page])
    with pytest.raises(Auth0ApiError) as info:
        await api.get("/clients")
    assert "503" in str(info.value) and "Service Unavailable" in str(info.value)


async def test_401_refreshes_the_token_once():
    SENT_AUTH.clear()
    api, _ = client([httpx.Response(401, json={"message": "Expired token"}),
                     httpx.Response(200, json={"ok": 1})])
    assert await api.get("/clients") == {"ok": 1}
    assert SENT_AUTH == ["Bearer tok-0", "Bearer tok-1"]


async def test_403_names_the_missing_scope():
    api, _ = client([httpx.Response(403, json={
        "statusCode": 403, "error": "Forbidden", "errorCode": "insufficient_scope",
        "message": "Insufficient scope, expected any of: delete:clients"})])
    with pytest.raises(Auth0ApiError, match=r"delete:clients.*Grant the missing scope"):
        await api.delete("/clients/x")


async def test_malformed_json_and_timeouts_are_clear():
    api, _ = client([httpx.Response(200, text="{not json")])
    with pytest.raises(UpstreamUnavailable, match="not valid JSON"):
        await api.get("/clients")

    async def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    api, seen = client([slow, slow, slow])
    with pytest.raises(UpstreamUnavailable, match="did not answer"):
        await api.get("/clients")
    assert len(seen) == 3
    api, seen = client([slow])
    with pytest.raises(UpstreamUnavailable, match="may or may not have been applied"):
        await api.post("/clients", {})
    assert len(seen) == 1


async def test_read_only_client_never_sends_a_write():
    api, seen = client([], read_only=True)
    for method in ("POST", "PATCH", "PUT", "DELETE"):
        with pytest.raises(ReadOnlyViolation):
            await api.request(method, "/clients")
    # even bypassing request()'s own check, the transport refuses
    with pytest.raises(ReadOnlyViolation):
        await api._send("POST", "/clients", None, {})
    assert seen == []


async def test_offset_and_checkpoint_iteration():
    pages = [httpx.Response(200, json={"total": 5, "start": 0, "limit": 2, "clients": [1, 2]}),
             httpx.Response(200, json={"total": 5, "start": 2, "limit": 2, "clients": [3, 4]}),
             httpx.Response(200, json={"total": 5, "start": 4, "limit": 2, "clients": [5]})]
    api, seen = client(pages)
    items = [i async for i in api.iterate_pages("/clients", "clients", per_page=2)]
    assert items == [1, 2, 3, 4, 5]
    assert [r.url.params["page"] for r in seen] == ["0", "1", "2"]
    api, seen = client([httpx.Response(200, json={"client_grants": [1], "next": "abc"}),
                        httpx.Response(200, json={"client_grants": [2]})])
    items = [i async for i in api.iterate_checkpoint("/client-grants", "client_grants", take=1)]
    assert items == [1, 2] and seen[1].url.params["from"] == "abc"
    with anyio.fail_after(5):
        await api.aclose()


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (404, {"statusCode": 404, "error": "Not Found", "message": "The client does not exist",
               "errorCode": "inexistent_client"}, "list the resources to find the right one"),
        (409, {"statusCode": 409, "message": "already exists"}, "It already exists"),
        (422, {"statusCode": 422, "message": "Unprocessable"}, "Fix the arguments"),
        (401, {"statusCode": 401, "message": "Invalid token"}, "auth0-mcp init"),
        (403, {"statusCode": 403, "message": "Please upgrade", "errorCode":
               "feature_not_enabled"}, "does not allow this operation"),
    ],
)
async def test_auth0_errors_become_actionable_messages(status, body, expected):
    api, _ = client([httpx.Response(status, json=body)] * 2)  # a 401 is retried once
    api.retries = 0
    with pytest.raises(Auth0ApiError) as info:
        await api.post("/clients", {})
    assert expected in str(info.value) and str(status) in str(info.value)


async def test_an_absurdly_long_id_is_a_clear_error_and_nothing_is_sent():
    api, seen = client([])
    with pytest.raises(ToolError, match="far longer than any Auth0 accepts") as caught:
        await api.get(f"/clients/{'x' * 100_000}")
    assert seen == [] and len(str(caught.value)) < 300


async def test_checkpoint_iteration_over_bare_arrays_follows_the_named_field():
    """Endpoints that answer a bare array page by the last item's id; logs call it log_id."""
    api, seen = client([httpx.Response(200, json=[{"id": "a"}, {"id": "b"}]),
                        httpx.Response(200, json=[{"id": "c"}])])
    items = [i["id"] async for i in api.iterate_checkpoint("/things", None, take=2)]
    assert items == ["a", "b", "c"] and seen[1].url.params["from"] == "b"
    api, seen = client([httpx.Response(200, json=[{"log_id": "1"}, {"log_id": "2"}]),
                        httpx.Response(200, json=[])])
    items = [i async for i in api.iterate_checkpoint("/logs", None, take=2, cursor="log_id")]
    assert len(items) == 2 and seen[1].url.params["from"] == "2"
    await api.aclose()


async def test_offset_paging_without_include_totals_for_endpoints_that_refuse_it():
    """Actions endpoints take page/per_page only (and always answer with total)."""
    pages = [httpx.Response(200, json={"total": 3, "bindings": [1, 2]}),
             httpx.Response(200, json={"total": 3, "bindings": [3]})]
    api, seen = client(pages)
    items = [i async for i in api.iterate_pages("/b", "bindings", per_page=2, totals=False)]
    assert items == [1, 2, 3]
    assert all("include_totals" not in r.url.params for r in seen)
    await api.aclose()
