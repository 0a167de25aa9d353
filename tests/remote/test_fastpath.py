"""The HTTP fast path (remote/fastpath.py) over real HTTP: a read call is answered as the SDK
answers it, every check the SDK makes still holds, cancellation and the idle timer behave as
the SDK's do, and anything that is not a plain read of a live session goes to the SDK.

The app is served by uvicorn on loopback in the test's own event loop (the runtime's
Management API client lives there); ``served`` stops it when the test ends."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import anyio
import httpx
import uvicorn
from mcp import Client

from auth0_mcp.callers import CallPolicy
from auth0_mcp.remote.app import RemoteSettings, build_http_app
from auth0_mcp.remote.fastpath import install
from auth0_mcp.safety.journal import CALL_ID
from auth0_mcp.server import build_server
from auth0_mcp.testing.processes import free_port

ERA = "2025-11-25"
ACCEPT = "application/json, text/event-stream"
INIT = {"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
    "protocolVersion": ERA, "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}}


def call(rid: Any, name: str, arguments: Any = None) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": rid, "method": "tools/call",
            "params": {"name": name, "arguments": arguments if arguments is not None else {}}}


@contextlib.asynccontextmanager
async def served(app: Any) -> AsyncIterator[str]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="on"))
    async with anyio.create_task_group() as tg:
        tg.start_soon(server.serve)
        while not server.started:  # noqa: ASYNC110 (uvicorn offers no event to wait on)
            await anyio.sleep(0.01)
        try:
            yield f"http://127.0.0.1:{port}/mcp"
        finally:
            server.should_exit = True


def app_for(runtime: Any, *, fast: bool = True, stateless: bool = False) -> Any:
    server = build_server(runtime.tools, runtime.pipeline, runtime.policy)
    return build_http_app(server, RemoteSettings(stateless=stateless), "127.0.0.1", 0,
                          runtime=runtime if fast else None)


class Raw:
    """Plain POSTs to /mcp, so the tests see status codes and content types."""

    def __init__(self, http: httpx.AsyncClient, url: str) -> None:
        self.http, self.url, self.session = http, url, None

    async def open(self) -> Raw:
        opened = await self.post(INIT)
        self.session = opened.headers.get("mcp-session-id")
        await self.post({"jsonrpc": "2.0", "method": "notifications/initialized"})
        return self

    def headers(self, **extra: str) -> dict[str, str]:
        base = {"Accept": ACCEPT, "Content-Type": "application/json",
                "MCP-Protocol-Version": ERA}
        if self.session:
            base["Mcp-Session-Id"] = self.session
        return {**base, **extra}

    async def post(self, message: Any, **headers: str) -> httpx.Response:
        return await self.http.post(self.url, content=json.dumps(message),
                                    headers=self.headers(**headers))


def answer(response: httpx.Response) -> dict[str, Any]:
    """The JSON-RPC answer, whether sent as JSON or as an SSE event."""
    if response.headers["content-type"].startswith("text/event-stream"):
        data = [line[5:] for line in response.text.splitlines() if line.startswith("data:")]
        return json.loads(data[-1])
    return response.json()


async def test_a_read_is_answered_here_exactly_as_the_sdk_answers_it(auth0_mcp):
    cases = [("auth0_list_applications", {"per_page": 2}),
             ("auth0_get_application", {"client_id": "no-such-client"}),
             ("auth0_list_logs", {"per_page": 3, "take": 2}),  # an argument error
             ("auth0_list_applications", {"per_page": "lots"})]
    async with auth0_mcp.runtime() as runtime, served(app_for(runtime)) as fast, \
            served(app_for(runtime, fast=False)) as sdk, httpx.AsyncClient() as http:
        got = {}
        for url in (fast, sdk):
            raw = await Raw(http, url).open()
            got[url] = [await raw.post(call(n, *case)) for n, case in enumerate(cases)]
            async with Client(url, mode="legacy") as client:  # and what a client makes of it
                results = [await client.call_tool(*case) for case in cases]
            assert [r.is_error for r in results] == [False, True, True, True]
        for ours, theirs in zip(got[fast], got[sdk], strict=True):
            assert ours.status_code == theirs.status_code == 200
            assert ours.headers["content-type"] == "application/json"  # answered here
            assert theirs.headers["content-type"].startswith("text/event-stream")  # by the SDK
            mine, sdks = answer(ours), answer(theirs)
            assert mine["result"]["_meta"].keys() == sdks["result"]["_meta"].keys() == {CALL_ID}
            del mine["result"]["_meta"], sdks["result"]["_meta"]  # call ids differ
            assert mine == sdks


async def test_every_check_the_sdk_makes_still_holds(auth0_mcp):
    read = call(1, "auth0_list_applications")
    async with auth0_mcp.runtime() as runtime, served(app_for(runtime)) as url, \
            httpx.AsyncClient() as http:
        raw = await Raw(http, url).open()
        refused = {
            "host": await raw.post(read, Host="evil.example"),
            "origin": await raw.post(read, Origin="http://evil.example"),
            "accept": await raw.post(read, Accept="application/json"),
            "content type": await raw.post(read, **{"Content-Type": "text/plain"}),
            "unknown session": await raw.post(read, **{"Mcp-Session-Id": "f" * 32}),
        }
        assert {k: r.status_code for k, r in refused.items()} == {
            "host": 421, "origin": 403, "accept": 406, "content type": 400,
            "unknown session": 404}
        no_session = await Raw(http, url).post(read)
        assert no_session.status_code == 400 and "Missing session ID" in no_session.text
        # not a read: the SDK answers (its SSE stream), as it does a shape it must judge
        write = await raw.post(call(2, "auth0_create_application", {"name": "Via SDK"}))
        odd = await raw.post(call(3, "auth0_list_applications", ["not", "an", "object"]))
        for response in (write, odd):
            assert response.headers["content-type"].startswith("text/event-stream")
        assert not answer(write)["result"]["isError"]
        assert "error" in answer(odd) or answer(odd)["result"]["isError"]
        ended = await http.delete(url, headers=raw.headers())
        assert ended.status_code == 200
        assert (await raw.post(read)).status_code == 404  # a session that ended is gone


async def test_another_era_and_stateless_mode(auth0_mcp):
    async with auth0_mcp.runtime() as runtime, httpx.AsyncClient() as http:
        async with served(app_for(runtime, stateless=True)) as url:
            lone = await Raw(http, url).post(call(7, "auth0_list_applications", {"per_page": 1}))
            assert lone.headers["content-type"] == "application/json"
            assert "mcp-session-id" not in lone.headers
            assert answer(lone)["id"] == 7 and not answer(lone)["result"]["isError"]
        async with served(app_for(runtime)) as url, Client(url, mode="2026-07-28") as client:
            listed = await client.call_tool("auth0_list_applications", {"per_page": 1})
            assert not listed.is_error  # the 2026 era, served by the SDK


class Held:
    """The runtime's pipeline, with each call held until ``release`` is set."""

    def __init__(self, pipeline: Any) -> None:
        self.pipeline, self.tools = pipeline, pipeline.tools
        self.started = anyio.Event()
        self.release = anyio.Event()

    async def call(self, *args: Any, **kwargs: Any) -> Any:
        self.started.set()
        await self.release.wait()
        return await self.pipeline.call(*args, **kwargs)


async def test_a_cancelled_read_is_answered_request_cancelled(auth0_mcp):
    async with auth0_mcp.runtime() as runtime, httpx.AsyncClient() as http:
        server = build_server(runtime.tools, runtime.pipeline)
        app = build_http_app(server, RemoteSettings(), "127.0.0.1", 0)
        held = Held(runtime.pipeline)
        install(server, held, CallPolicy())
        async with served(app) as url:
            raw = await Raw(http, url).open()
            answers: list[httpx.Response] = []

            async def slow_read() -> None:
                answers.append(await raw.post(call("r1", "auth0_list_applications")))

            async with anyio.create_task_group() as tg:
                tg.start_soon(slow_read)
                await held.started.wait()
                other = await raw.post({"jsonrpc": "2.0", "method": "notifications/cancelled",
                                        "params": {"requestId": "someone-else"}})
                cancelled = await raw.post({"jsonrpc": "2.0", "method":
                                            "notifications/cancelled",
                                            "params": {"requestId": "r1", "reason": "user"}})
            assert other.status_code == cancelled.status_code == 202
            assert answer(answers[0]) == {"jsonrpc": "2.0", "id": "r1", "error": {
                "code": -32800, "message": "Request cancelled"}}
            held.release.set()
            again = await raw.post(call("r1", "auth0_list_applications"))
            assert not answer(again)["result"]["isError"]  # the id is free again


async def test_a_session_busy_with_reads_does_not_idle_out(auth0_mcp):
    """With a 0.4 s idle timeout, reads every 0.1 s for 0.8 s keep the session: the SDK
    never sees them, so without the fast path's bookkeeping it would end at 0.4 s."""
    async with auth0_mcp.runtime() as runtime, httpx.AsyncClient() as http:
        server = build_server(runtime.tools, runtime.pipeline)
        app = server.streamable_http_app(session_idle_timeout=0.4)
        install(server, runtime.pipeline, CallPolicy())
        async with served(app) as url:
            raw = await Raw(http, url).open()
            statuses = []
            for n in range(8):
                await anyio.sleep(0.1)
                statuses.append((await raw.post(call(n, "auth0_list_applications"))).status_code)
            assert statuses == [200] * 8
            await anyio.sleep(0.8)  # and idle, it ends as the SDK ends it
            assert (await raw.post(call(99, "auth0_list_applications"))).status_code == 404


async def test_a_2026_call_does_not_list_every_tool_to_check_its_headers(auth0_mcp):
    """The SDK checks a 2026-era call's Mcp-Param-* headers against the tool's schema; given
    no lookup it runs tools/list for that, for every call. Each listing asks the policy which
    tools the caller sees, so the count tells: one question per call, not two."""
    asked: list[None] = []

    def everything() -> None:
        asked.append(None)

    async with auth0_mcp.runtime() as runtime:
        server = build_server(runtime.tools, runtime.pipeline, CallPolicy(everything))
        assert server.get_tool_input_schema("auth0_list_applications") == next(
            t.listing["inputSchema"] for t in runtime.tools
            if t.name == "auth0_list_applications")
        app = build_http_app(server, RemoteSettings(), "127.0.0.1", 0)
        async with served(app) as url, Client(url, mode="2026-07-28") as client:
            await client.call_tool("auth0_list_applications", {"per_page": 1})
            asked.clear()  # (the client lists the tools once, for their output schemas)
            for _ in range(3):
                listed = await client.call_tool("auth0_list_applications", {"per_page": 1})
                assert not listed.is_error
    assert len(asked) == 3


ODD_BODIES = {
    "cancel naming a list": b'{"jsonrpc":"2.0","method":"notifications/cancelled",'
                            b'"params":{"requestId":[1]}}',
    "lone surrogate id": b'{"jsonrpc":"2.0","id":"\\ud800","method":"tools/call",'
                         b'"params":{"name":"auth0_list_applications","arguments":{}}}',
    "lone surrogate argument": b'{"jsonrpc":"2.0","id":1,"method":"tools/call","params":'
                               b'{"name":"auth0_list_applications","arguments":{"q":"\\udfff"}}}',
    "byte order mark": b'\xef\xbb\xbf{"jsonrpc":"2.0","id":1,"method":"tools/call","params":'
                       b'{"name":"auth0_list_applications","arguments":{}}}',
    "utf-16": '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":'
              '"auth0_list_applications","arguments":{}}}'.encode("utf-16"),
    "deep nesting": b'{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":'
                    b'"auth0_list_applications","arguments":{"a":' + b"[" * 50_000 + b"}}}",
    "a request that is also an error": b'{"jsonrpc":"2.0","id":1,"method":"tools/call",'
                                       b'"error":{"code":1,"message":"x"},"params":{"name":'
                                       b'"auth0_list_applications","arguments":{}}}',
    "progress token of no type": b'{"jsonrpc":"2.0","id":1,"method":"tools/call","params":'
                                 b'{"name":"auth0_list_applications","arguments":{},'
                                 b'"_meta":{"progressToken":[1]}}}',
}


async def test_what_json_reads_unlike_the_sdk_is_the_sdks_to_answer(auth0_mcp):
    """Bodies Python's json and the SDK's parser or models read differently: the fast path
    leaves each to the SDK, so both apps answer alike (and stay up)."""
    async with auth0_mcp.runtime() as runtime, served(app_for(runtime)) as fast, \
            served(app_for(runtime, fast=False)) as sdk, httpx.AsyncClient() as http:
        raws = {url: await Raw(http, url).open() for url in (fast, sdk)}
        for case, body in ODD_BODIES.items():
            got = []
            for url, raw in raws.items():
                response = await http.post(url, content=body, headers=raw.headers())
                got.append((response.status_code, response.headers["content-type"]
                            if response.content else None))
            assert got[0] == got[1], case
        for raw in raws.values():  # and both still serve
            assert not answer(await raw.post(call(9, "auth0_list_applications")))[
                "result"]["isError"]


async def test_stateless_a_session_header_ties_nothing_together(auth0_mcp):
    """Stateless, a client-chosen Mcp-Session-Id is no session: it is not echoed, and a
    cancellation sent with it cannot reach anyone's call."""
    async with auth0_mcp.runtime() as runtime, httpx.AsyncClient() as http:
        server = build_server(runtime.tools, runtime.pipeline)
        app = build_http_app(server, RemoteSettings(stateless=True), "127.0.0.1", 0)
        held = Held(runtime.pipeline)
        install(server, held, CallPolicy())
        async with served(app) as url:
            raw = Raw(http, url)
            raw.session = "shared"
            answers: list[httpx.Response] = []

            async def victim() -> None:
                answers.append(await raw.post(call(1, "auth0_list_applications")))

            async with anyio.create_task_group() as tg:
                tg.start_soon(victim)
                await held.started.wait()
                await raw.post({"jsonrpc": "2.0", "method": "notifications/cancelled",
                                "params": {"requestId": 1}})
                held.release.set()
            assert "mcp-session-id" not in answers[0].headers
            assert not answer(answers[0])["result"]["isError"]  # not cancelled
