"""The Management API transport (http11.py) against a scripted HTTP/1.1 server on loopback:
keep-alive, servers that close, chunked and gzip answers, TLS, timeouts, the pool cap and
cancellation, each surfacing as the httpx exception the Management client already handles."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import httpx
import pytest

from auth0_mcp.http11 import Http11Transport
from auth0_mcp.management import ManagementClient, default_transport
from auth0_mcp_sandbox.tls import self_signed

Handler = Callable[[bytes, asyncio.StreamWriter, int], Awaitable[bool]]


def answer(body: bytes = b'{"ok":true}', *extra: str, status: str = "200 OK") -> bytes:
    head = "".join(f"{h}\r\n" for h in extra)
    return (f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n{head}\r\n").encode() + body


class Scripted:
    """Reads each request head (and body) and lets ``handler`` answer it; a False return
    closes the connection. Counts connections and requests."""

    def __init__(self, handler: Handler) -> None:
        self.handler, self.connections, self.requests = handler, 0, []

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        number = self.connections
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                               if line.lower().startswith(b"content-length:")), 0)
                request = head + await reader.readexactly(length)
                self.requests.append(request)
                if not await self.handler(request, writer, number):
                    break
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


@contextlib.asynccontextmanager
async def scripted(handler: Handler, tls: ssl.SSLContext | None = None
                   ) -> AsyncIterator[tuple[Scripted, str]]:
    script = Scripted(handler)
    server = await asyncio.start_server(script.serve, "127.0.0.1", 0, ssl=tls)
    port = server.sockets[0].getsockname()[1]
    try:
        yield script, f"{'https' if tls else 'http'}://127.0.0.1:{port}"
    finally:
        server.close()


def client(base: str, transport: Http11Transport | None = None, **kw: float) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=base, transport=transport or Http11Transport(
        ssl.create_default_context), timeout=httpx.Timeout(kw.get("timeout", 5.0)))


async def ok(request: bytes, writer: asyncio.StreamWriter, number: int) -> bool:
    writer.write(answer(json.dumps({"connection": number}).encode()))
    return True


async def test_connections_are_kept_alive_and_closed_when_the_server_says():
    async with scripted(ok) as (script, base), client(base) as http:
        seen = [(await http.get("/a")).json()["connection"] for _ in range(3)]
        assert seen == [1, 1, 1] and len(script.requests) == 3

    async def closing(request: bytes, writer: asyncio.StreamWriter, number: int) -> bool:
        writer.write(answer(b"{}", "Connection: close"))
        return False

    async with scripted(closing) as (script, base), client(base) as http:
        for _ in range(3):
            assert (await http.get("/b")).status_code == 200
        assert script.connections == 3


async def test_chunked_gzip_answers_and_request_bodies_arrive_whole():
    payload = json.dumps({"items": list(range(2000))}).encode()
    packed = gzip.compress(payload)

    async def chunked(request: bytes, writer: asyncio.StreamWriter, number: int) -> bool:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                     b"Content-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n")
        for start in range(0, len(packed), 700):
            piece = packed[start:start + 700]
            writer.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
        writer.write(b"0\r\n\r\n")
        return True

    async with scripted(chunked) as (script, base), client(base) as http:
        response = await http.post("/c", json={"name": "é" * 5000})
        assert response.json() == json.loads(payload)
        assert json.loads(script.requests[0].split(b"\r\n\r\n", 1)[1]) == {"name": "é" * 5000}
        again = await http.get("/c")  # the connection survived the chunked answer
        assert again.json() == json.loads(payload) and script.connections == 1


async def test_a_kept_connection_the_server_dropped_is_resent_only_when_safe():
    """The server answers once per connection, then drops the next request unanswered."""

    async def once(request: bytes, writer: asyncio.StreamWriter, number: int) -> bool:
        if request.count(b"x-first: yes"):
            writer.write(answer())
            return True
        return False

    async with scripted(once) as (script, base), client(base) as http:
        assert (await http.get("/d", headers={"x-first": "yes"})).status_code == 200
        resent = await http.get("/d", headers={"x-first": "yes"})
        assert resent.status_code == 200 and script.connections == 1  # kept, answered
        # The next GET is dropped on the kept connection, resent on a new one and dropped
        # again there (this server never answers it): a fresh connection is not resent.
        with pytest.raises(httpx.ReadError):
            await http.get("/d")
        assert script.connections == 2
        assert (await http.get("/d", headers={"x-first": "yes"})).status_code == 200
        with pytest.raises(httpx.RemoteProtocolError, match="may have arrived"):
            await http.post("/d", json={})  # it may have arrived: never sent twice
        assert sum(r.startswith(b"POST") for r in script.requests) == 1


async def test_timeouts_refusals_and_the_pool_cap_are_httpx_errors():
    async def silent(request: bytes, writer: asyncio.StreamWriter, number: int) -> bool:
        await asyncio.sleep(3)
        return False

    async with scripted(silent) as (_, base):
        async with client(base, timeout=0.2) as http:
            with pytest.raises(httpx.ReadTimeout):
                await http.get("/slow")
        one = Http11Transport(ssl.create_default_context, max_connections=1)
        async with httpx.AsyncClient(base_url=base, transport=one, timeout=httpx.Timeout(
                5.0, pool=0.2)) as http:
            held = asyncio.create_task(http.get("/slow"))
            await asyncio.sleep(0.05)
            with pytest.raises(httpx.PoolTimeout):
                await http.get("/slow")
            held.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await held
    async with scripted(ok) as (_, base):
        pass  # closed: nothing listens on its port any more
    async with client(base) as http:
        with pytest.raises(httpx.ConnectError):
            await http.get("/gone")


async def test_a_cancelled_request_does_not_leave_its_connection_for_the_next():
    async def slow_first(request: bytes, writer: asyncio.StreamWriter, number: int) -> bool:
        if b"/slow" in request.split(b"\r\n")[0]:
            await asyncio.sleep(1)
        writer.write(answer(json.dumps({"connection": number}).encode()))
        return True

    async with scripted(slow_first) as (_, base), client(base) as http:
        task = asyncio.create_task(http.get("/slow"))
        await asyncio.sleep(0.1)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        assert (await http.get("/fast")).json() == {"connection": 2}


async def test_tls_with_the_tenants_certificate(tmp_path: Path):
    cert, key = self_signed(tmp_path)
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    trusted = Http11Transport(lambda: ssl.create_default_context(cafile=str(cert)))
    async with scripted(ok, server_tls) as (_, base):
        async with client(base, trusted) as http:
            assert (await http.get("/tls")).json() == {"connection": 1}
        async with client(base) as http:  # the system's CAs do not know it
            with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
                await http.get("/tls")


def test_a_proxy_in_the_environment_is_honoured(monkeypatch: pytest.MonkeyPatch):
    """Where HTTPS_PROXY applies to the tenant, httpx's own transport (which speaks to
    proxies) carries the requests; NO_PROXY exempts a tenant."""
    for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY",
                 "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    assert isinstance(default_transport("https://t.eu.auth0.com"), Http11Transport)
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    assert isinstance(default_transport("https://t.eu.auth0.com"), httpx.AsyncHTTPTransport)
    monkeypatch.setenv("NO_PROXY", ".auth0.com")
    assert isinstance(default_transport("https://t.eu.auth0.com"), Http11Transport)


async def test_the_management_client_reports_a_dropped_write_as_unknown():
    """End to end through ManagementClient: a POST the server dropped is an upstream error
    that says the request may have arrived."""
    from auth0_mcp.errors import UpstreamUnavailable

    class Token:
        async def token(self) -> str:
            return "t"

        async def invalidate(self) -> bool:
            return False

    async def drop_posts(request: bytes, writer: asyncio.StreamWriter, number: int) -> bool:
        if request.startswith(b"POST"):
            return False
        writer.write(answer(b'[{"client_id":"abc"}]'))
        return True

    async with scripted(drop_posts) as (_, base):
        api = ManagementClient(base, Token())
        try:
            assert await api.get("/clients") == [{"client_id": "abc"}]
            with pytest.raises(UpstreamUnavailable, match="may have arrived"):
                await api.post("/clients", {"name": "x"})
        finally:
            await api.aclose()


async def test_an_idle_connection_is_not_kept_past_its_time(monkeypatch: pytest.MonkeyPatch):
    import auth0_mcp.http11 as http11

    monkeypatch.setattr(http11, "KEEPALIVE", 0.2)
    async with scripted(ok) as (_, base), client(base) as http:
        assert (await http.get("/a")).json() == {"connection": 1}
        assert (await http.get("/a")).json() == {"connection": 1}
        await asyncio.sleep(0.3)
        assert (await http.get("/a")).json() == {"connection": 2}


async def test_an_endless_answer_is_cut_off(monkeypatch: pytest.MonkeyPatch):
    import auth0_mcp.http11 as http11

    monkeypatch.setattr(http11, "MAX_ANSWER", 100_000)

    async def endless(request: bytes, writer: asyncio.StreamWriter, number: int) -> bool:
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        for _ in range(50):
            writer.write(b"1000\r\n" + b"x" * 4096 + b"\r\n")
            await writer.drain()
        return False

    async with scripted(endless) as (_, base), client(base) as http:
        with pytest.raises(httpx.RemoteProtocolError, match="exceeds"):
            await http.get("/big")


async def test_a_server_that_speaks_unasked_spoils_the_connection():
    """Bytes that arrive while no request waits (a 408 before closing, a stray answer) must
    never be read as the next request's answer."""

    async def chatty(request: bytes, writer: asyncio.StreamWriter, number: int) -> bool:
        path = request.split(b" ")[1]
        writer.write(answer(json.dumps({"path": path.decode(), "connection": number}).encode()))
        if path == b"/then-408":
            await writer.drain()
            await asyncio.sleep(0.05)
            writer.write(answer(b'{"late":true}', "Connection: close",
                                status="408 Request Timeout"))
            return False
        if path == b"/extra":
            writer.write(answer(b'{"stray":true}'))  # a second answer, nobody asked
        return True

    async with scripted(chatty) as (_, base), client(base) as http:
        assert (await http.get("/then-408")).json()["path"] == "/then-408"
        await asyncio.sleep(0.2)
        assert (await http.post("/next", json={})).json() == {"path": "/next", "connection": 2}
        assert (await http.get("/extra")).json()["path"] == "/extra"
        assert (await http.get("/after")).json() == {"path": "/after", "connection": 3}


async def test_a_slow_answer_on_a_kept_connection_is_a_timeout_not_a_resend():
    async def slow_second(request: bytes, writer: asyncio.StreamWriter, number: int) -> bool:
        if b"/slow" in request.split(b"\r\n")[0]:
            await asyncio.sleep(2)
        writer.write(answer())
        return True

    async with scripted(slow_second) as (script, base), client(base, timeout=0.3) as http:
        await http.get("/warm")
        with pytest.raises(httpx.ReadTimeout):
            await http.get("/slow")
        assert len(script.requests) == 2  # sent once


async def test_after_a_resend_the_fresh_connection_is_kept():
    async def one_per_connection(request: bytes, writer: asyncio.StreamWriter,
                                 number: int) -> bool:
        if number == 1 and len(script.requests) > 1:
            return False  # the first connection drops its second request
        writer.write(answer(json.dumps({"connection": number}).encode()))
        return True

    async with scripted(one_per_connection) as (script, base), client(base) as http:
        assert (await http.get("/a")).json() == {"connection": 1}
        assert (await http.get("/b")).json() == {"connection": 2}  # resent
        assert (await http.get("/c")).json() == {"connection": 2}  # and that one kept


async def test_a_gzip_bomb_is_cut_off_at_the_answer_limit(monkeypatch: pytest.MonkeyPatch):
    import auth0_mcp.http11 as http11

    monkeypatch.setattr(http11, "MAX_ANSWER", 1_000_000)
    bomb = gzip.compress(b"0" * 5_000_000)  # 5 KB on the wire

    async def bombing(request: bytes, writer: asyncio.StreamWriter, number: int) -> bool:
        writer.write(answer(bomb, "Content-Encoding: gzip"))
        return True

    async with scripted(bombing) as (_, base), client(base) as http:
        with pytest.raises(httpx.RemoteProtocolError, match="decodes to over"):
            await http.get("/bomb")
