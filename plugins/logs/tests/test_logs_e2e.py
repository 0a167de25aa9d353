"""The logs tools end to end: an MCP client session, the real server, the sandbox tenant over
HTTP. Expectations are computed from the sandbox's own log (``sandbox.tenant.logs``)."""

from __future__ import annotations

import contextlib
import logging
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from mcp import Client

from auth0_mcp.context import Tenant, ToolContext
from auth0_mcp.converter import make_converter
from auth0_mcp.pipeline import Pipeline
from auth0_mcp.redaction import Redactor
from auth0_mcp.runtime import RunOptions, build_runtime
from auth0_mcp.safety.fence import fence
from auth0_mcp.testing import structured, text_of

IP = "192.108.92.3"
LOGINS = {"s", "f", "fp", "fu"}


class Recording(httpx.AsyncBaseTransport):
    """Passes Management API requests through and remembers them (method, path, params)."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.requests: list[tuple[str, str, dict[str, str]]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append((request.method, request.url.path, dict(request.url.params)))
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@contextlib.asynccontextmanager
async def recorded_session(harness: Any, scopes: list[str] | None = None
                           ) -> AsyncIterator[tuple[Client, list]]:
    transport = Recording()
    options = RunOptions()
    runtime = await build_runtime(options, harness.credentials(scopes), env={},
                                  catalog=harness.catalog(options), transport=transport)
    try:
        async with Client(runtime.server, mode="legacy") as client:
            yield client, transport.requests
    finally:
        await runtime.aclose()


def events(sandbox: Any, **match: Any) -> list[dict[str, Any]]:
    return [dict(e) for e in list(sandbox.tenant.logs)
            if all(e.get(k) == v for k, v in match.items())]


def newest_first(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(items, key=lambda e: (e["date"], e["log_id"]), reverse=True)


def ids(data: dict[str, Any]) -> list[str]:
    assert data["columns"][-1] == "log_id"
    return [row[-1] for row in data["logs"]]


async def test_seed_prompt_find_the_logins_from_an_ip(sandbox, auth0_mcp):
    """"find the logins from 192.108.92.3": successful and failed logins, counted exactly."""
    expected = [e for e in events(sandbox, ip=IP) if e["type"] in LOGINS]
    by_type = Counter(e["type"] for e in expected)
    assert by_type["s"] and (by_type["f"] + by_type["fp"] + by_type["fu"]), \
        "the sandbox should seed successful and failed logins from the seed prompt's IP"
    async with recorded_session(auth0_mcp, ["read:logs"]) as (client, requests):
        result = await client.call_tool("auth0_search_logs", {"ip": IP, "types": ["login"]})
    data = structured(result)
    assert data["query"] == f'ip:"{IP}" AND (type:"s" OR type:"f" OR type:"fp" OR type:"fu")'
    assert data["total"] == len(expected) and data["complete"] is True
    assert {t["type"]: t["count"] for t in data["by_type"]} == dict(by_type)
    assert {t["type"]: t["meaning"] for t in data["by_type"]}.get("s") == "Success login"
    assert data["by_ip"] == {IP: len(expected)}
    users = Counter(e.get("user_name") or e.get("user_id") for e in expected
                    if e.get("user_name") or e.get("user_id"))
    assert sum(data["by_user"].values()) == sum(users.values())
    newest = newest_first(expected)[:5]
    assert ids(data["examples"]) == [e["log_id"] for e in newest]
    assert all(params.get("q") == data["query"] and params.get("sort") == "date:-1"
               for _, path, params in requests if path.endswith("/logs"))
    assert f"{len(expected)} events match" in text_of(result)


async def test_search_by_user_type_and_window(sandbox, auth0_mcp):
    seeded = [e for e in events(sandbox) if e.get("user_name") and e["type"] in LOGINS]
    assert seeded, "the sandbox should seed logins with user names"
    user = Counter(e["user_name"] for e in seeded).most_common(1)[0][0]
    mine = sorted((e for e in events(sandbox) if user in (e.get("user_name"), e.get("user_id"))
                   and e["type"] in LOGINS), key=lambda e: e["date"])
    since = mine[len(mine) // 2]["date"]  # Auth0's own format: the bound is inclusive
    expected = [e for e in mine if e["date"] >= since]
    data = await auth0_mcp.call_ok("auth0_search_logs", {
        "user": user, "types": ["login"], "since": since, "examples": 2})
    assert f'user_name:"{user}"' in data["query"] and f"date:[{since} TO *]" in data["query"]
    assert data["total"] == len(expected) and data["complete"] is True
    assert sum(data["by_user"].values()) == len(expected)
    assert ids(data["examples"]) == [e["log_id"] for e in newest_first(expected)[:2]]


async def test_search_bound_reports_incomplete_counts(sandbox, auth0_mcp):
    total = len(events(sandbox))
    data = await auth0_mcp.call_ok("auth0_search_logs", {"limit": 7, "examples": 0})
    assert total > 7
    assert data["total"] == 7 and data["complete"] is False and "newest 7" in data["note"]
    assert data["examples"]["logs"] == []


async def test_list_with_q_pages_through_every_match(sandbox, auth0_mcp):
    expected = newest_first(events(sandbox, ip=IP))
    per_page = max(2, len(expected) // 3)
    seen: list[str] = []
    page = 0
    async with recorded_session(auth0_mcp, ["read:logs"]) as (client, requests):
        while True:
            data = structured(await client.call_tool("auth0_list_logs", {
                "q": f'ip:"{IP}"', "page": page, "per_page": per_page}))
            assert data["mode"] == "page" and data["page"] == page
            assert len(data["logs"]) <= per_page
            seen += ids(data)
            if not data["has_more"]:
                assert "next" not in data
                break
            assert data["next"] == {"page": page + 1}
            page += 1
    assert page >= 2, "expected several pages"
    assert seen == [e["log_id"] for e in expected]
    assert all(r[2]["sort"] == "date:-1" and "include_totals" not in r[2] for r in requests
               if r[1].endswith("/logs"))
    row = data["logs"][-1] if data["logs"] else None
    if row:
        event = next(e for e in expected if e["log_id"] == row[-1])
        assert row[1] == event["type"] and row[5] == IP
        assert data["types"][event["type"]]


async def test_list_sorted_oldest_first(sandbox, auth0_mcp):
    expected = sorted(events(sandbox, ip=IP), key=lambda e: (e["date"], e["log_id"]))
    data = await auth0_mcp.call_ok("auth0_list_logs", {"q": f"ip:{IP}", "sort": "date:1",
                                                       "per_page": 5})
    dates = [row[0] for row in data["logs"]]
    assert dates == sorted(dates)
    assert ids(data) == [e["log_id"] for e in expected[:5]]


async def test_checkpoint_mode_follows_the_cursor_to_the_end(sandbox, auth0_mcp):
    log = sorted(events(sandbox), key=lambda e: e["log_id"])
    start = log[-12]["log_id"]
    expected = [e["log_id"] for e in log if e["log_id"] > start]
    seen: list[str] = []
    cursor = {"from": start, "take": 5}
    async with recorded_session(auth0_mcp, ["read:logs"]) as (client, requests):
        for _ in range(10):
            data = structured(await client.call_tool("auth0_list_logs", cursor))
            assert data["mode"] == "checkpoint" and "ignores q, sort and page" in data["note"]
            seen += ids(data)
            cursor = data["next"]
            if not data["has_more"]:
                break
    assert seen == expected
    assert cursor["from"] == expected[-1]
    sent = [params for _, path, params in requests if path.endswith("/logs")]
    assert sent[0] == {"from": start, "take": "5"}
    assert all(set(params) == {"from", "take"} for params in sent)


async def test_fields_projection(sandbox, auth0_mcp):
    async with recorded_session(auth0_mcp, ["read:logs"]) as (client, requests):
        data = structured(await client.call_tool("auth0_list_logs", {
            "q": f'ip:"{IP}"', "fields": ["type", "ip", "details"], "per_page": 3}))
    assert data["columns"] == ["type", "ip", "details", "log_id"]
    by_id = {e["log_id"]: e for e in events(sandbox)}
    for row in data["logs"]:
        event = by_id[row[-1]]
        assert row[:3] == [event.get("type"), event.get("ip"), event.get("details")]
    params = requests[-1][2]
    assert params["fields"] == "type,ip,details" and params["include_fields"] == "true"


async def test_get_log_and_404(sandbox, auth0_mcp):
    event = events(sandbox, ip=IP)[0]
    data = await auth0_mcp.call_ok("auth0_get_log", {"id": event["log_id"]})
    assert data["meaning"]
    assert {k: v for k, v in data.items() if k != "meaning"} == fence(event)  # users' text
    missing = await auth0_mcp.call("auth0_get_log", {"id": "9" * 56})
    assert missing.is_error and "404" in text_of(missing) and "Check the id" in text_of(missing)


async def test_bad_lucene_query_gives_auth0s_400(auth0_mcp):
    result = await auth0_mcp.call("auth0_list_logs", {"q": "type:(s OR"})
    text = text_of(result)
    assert result.is_error and "400" in text and "Fix the arguments" in text


async def test_without_read_logs_the_tools_are_hidden_and_auth0_says_403(auth0_mcp):
    async with auth0_mcp.session(scopes=["read:forms"]) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        assert not names & {"auth0_list_logs", "auth0_get_log", "auth0_search_logs"}
        hidden = await client.call_tool("auth0_list_logs", {})
        assert hidden.is_error and "restricted" in text_of(hidden)
    # A token whose scopes cannot be read (opaque) is not filtered: Auth0's 403 must explain.
    async with auth0_mcp.runtime(scopes=["read:forms"]) as runtime:
        tools = [t for t in runtime.catalog.tools if t.plugin == "logs"]
        context = ToolContext(runtime.api, Tenant(runtime.api.domain), None, make_converter(),
                              logging.getLogger("test"))
        pipeline = Pipeline(tools, lambda: context, Redactor([]))
        outcome = await pipeline.call("auth0_search_logs", {"ip": IP})
    assert outcome.is_error and "403" in outcome.text and "read:logs" in outcome.text
    assert "Grant the missing scope" in outcome.text


@pytest.mark.parametrize(("tool", "arguments", "message"), [
    ("auth0_list_logs", {"per_page": 500}, "per_page"),
    ("auth0_list_logs", {"take": 0, "from": "1"}, "take"),
    ("auth0_list_logs", {"sort": "date"}, "sort"),
    ("auth0_list_logs", {"limit": 5}, "unknown argument"),
    ("auth0_list_logs", {"take": 10}, "take works only with from"),
    ("auth0_list_logs", {"from": "900", "q": "type:s", "page": 1}, "q, page cannot be used"),
    ("auth0_list_logs", {"page": 10, "per_page": 100}, "at most 1000"),
    ("auth0_list_logs", {"fields": ["date", "password"]}, "unknown field(s) password"),
    ("auth0_get_log", {"id": ""}, "id"),
    ("auth0_search_logs", {"since": "yesterday"}, "since"),
    ("auth0_search_logs", {"since": "2025-02-30"}, "not a valid date"),
    ("auth0_search_logs", {"types": ["failed_logins"]}, "unknown log type"),
    ("auth0_search_logs", {"types": []}, "types"),
    ("auth0_search_logs", {"limit": 1001}, "limit"),
])
async def test_invalid_arguments_never_reach_the_sandbox(auth0_mcp, tool, arguments, message):
    async with recorded_session(auth0_mcp, ["read:logs"]) as (client, requests):
        result = await client.call_tool(tool, arguments)
    assert result.is_error and message in text_of(result), text_of(result)
    assert requests == []
