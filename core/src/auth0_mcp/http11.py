"""The Management API's transport: HTTP/1.1 over asyncio streams, framed by h11.

httpx's default transport (httpcore) runs every request through anyio streams, a TLS layer
of its own over memory BIOs, a connection pool that probes each idle socket with a syscall
per request, and locks: about 420 µs of CPU per request to a fast tenant, against about 230
µs here, and 580 µs through httpx's AsyncClient on top (benchmarks/upstream.py). Behind the
Streamable HTTP fast path that was a third of the server's whole cost per call. This transport
does what one tenant needs and no more: keep-alive connections per origin (LIFO, closed after
``KEEPALIVE`` idle seconds, when the server ends them or when it sends what nobody asked
for), a cap on connections in use, httpx's timeouts (connect, read, write, pool) from the
request, a cap on an answer's size (on the wire and decoded), and httpx's own exceptions, so
the client above retries and reports exactly as before. h11 (already installed with httpx)
does the HTTP framing: chunked bodies, Connection: close, 1xx, HEAD and 204 answers.

A request sent on a kept-alive connection the server had just closed fails before a byte of
answer comes back; a GET, HEAD, PUT or DELETE is then sent once more on a new connection (as
browsers do); a POST or PATCH is not, since it may have arrived.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import time
import zlib
from collections.abc import Callable, Iterator
from typing import Any

import h11
import httpx

KEEPALIVE = 5.0  # seconds an idle connection is kept (httpx's default)
RESEND = frozenset({b"GET", b"HEAD", b"PUT", b"DELETE"})
READ_SIZE = 64 * 1024
MAX_ANSWER = 32 * 1024 * 1024  # bytes: Auth0's largest pages are a few MB; more is a fault

Origin = tuple[str, str, int]


class _Gone(Exception):
    """The server closed a kept-alive connection before answering."""


@contextlib.contextmanager
def _mapped(timeout_error: type[httpx.TimeoutException], error: type[httpx.TransportError],
            request: httpx.Request) -> Iterator[None]:
    """Socket, TLS and timeout errors as httpx's, which the Management client handles."""
    try:
        yield
    except TimeoutError as exc:
        raise timeout_error(str(exc) or timeout_error.__name__, request=request) from exc
    except (OSError, EOFError) as exc:
        raise error(str(exc) or type(exc).__name__, request=request) from exc
    except h11.ProtocolError as exc:
        raise httpx.RemoteProtocolError(str(exc), request=request) from exc


class _Reader(asyncio.StreamReader):
    """Notes bytes that arrive while no request waits for an answer: a server that speaks
    unasked (a 408 before it closes, a stray second answer) has spoiled the connection, since
    those bytes would be read as the next request's answer."""

    waiting = True
    spoiled = False

    def feed_data(self, data: Any) -> None:
        if not self.waiting:
            self.spoiled = True
        super().feed_data(data)


def _inflate(body: bytes, coding: bytes, request: httpx.Request) -> bytes:
    """A gzip or deflate body decoded, never to more than MAX_ANSWER bytes (httpx would
    decode a few KB of gzip into gigabytes)."""
    attempts = [zlib.MAX_WBITS | 16] if coding != b"deflate" else [zlib.MAX_WBITS,
                                                                   -zlib.MAX_WBITS]
    for wbits in attempts:  # deflate: zlib-wrapped, as specified, or raw, as some send
        inflater = zlib.decompressobj(wbits)
        try:
            out = inflater.decompress(body, MAX_ANSWER + 1)
        except zlib.error:
            continue
        if len(out) > MAX_ANSWER or inflater.unconsumed_tail:
            raise httpx.RemoteProtocolError(
                f"the answer decodes to over {MAX_ANSWER // 2**20} MiB", request=request)
        return out
    raise httpx.RemoteProtocolError(f"the answer's {coding.decode()} encoding is corrupt",
                                    request=request)


class _Connection:
    def __init__(self, reader: _Reader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.h11 = h11.Connection(h11.CLIENT)
        self.idle_since = time.monotonic()
        self.used = False

    def reusable(self, now: float) -> bool:
        return (self.h11.our_state is h11.IDLE and not self.h11.trailing_data[0]
                and not self.reader.spoiled and not self.reader.at_eof()
                and not self.writer.is_closing() and now - self.idle_since < KEEPALIVE)

    def close(self) -> None:
        self.writer.close()

    async def exchange(self, request: httpx.Request, timeouts: dict[str, float | None]
                       ) -> httpx.Response:
        self.reader.waiting = True
        try:
            answered, body = await self._exchange(request, timeouts)
        except (OSError, EOFError) as exc:
            # Reset or closed on a kept-alive connection before any answer: it was stale.
            # (Not a timeout: a server that is slow to answer may be working on it.)
            if (self.used and not isinstance(exc, TimeoutError)
                    and self.h11.their_state is h11.SEND_RESPONSE):
                raise _Gone from exc
            raise
        self.reader.waiting = False
        self.used = True
        if self.h11.our_state is h11.DONE and self.h11.their_state is h11.DONE:
            self.h11.start_next_cycle()
            self.idle_since = time.monotonic()
        headers: list[tuple[bytes, bytes]] = list(answered.headers)
        coding = next((v.strip().lower() for k, v in headers if k == b"content-encoding"), b"")
        if coding in (b"gzip", b"x-gzip", b"deflate"):
            body = _inflate(body, coding, request)
            headers = [(k, v) for k, v in headers
                       if k not in (b"content-encoding", b"content-length")]
        return httpx.Response(
            answered.status_code, headers=headers, content=body, request=request,
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": answered.reason})

    async def _exchange(self, request: httpx.Request, timeouts: dict[str, float | None]
                        ) -> tuple[h11.Response, bytes]:
        content = request.content
        out = self.h11.send(h11.Request(method=request.method, target=request.url.raw_path,
                                        headers=request.headers.raw))
        out += (self.h11.send(h11.Data(data=content)) if content else b"") + \
            self.h11.send(h11.EndOfMessage())
        self.writer.write(out)
        async with asyncio.timeout(timeouts.get("write")):
            await self.writer.drain()
        answered, chunks, size = None, [], 0
        while True:
            event = self.h11.next_event()
            if event is h11.NEED_DATA:
                async with asyncio.timeout(timeouts.get("read")):
                    data = await self.reader.read(READ_SIZE)
                if not data and answered is None:
                    raise EOFError("the server closed the connection without an answer")
                self.h11.receive_data(data)
            elif isinstance(event, h11.Response):
                answered = event
            elif isinstance(event, h11.Data):
                size += len(event.data)
                if size > MAX_ANSWER:
                    raise httpx.RemoteProtocolError(
                        f"the answer exceeds {MAX_ANSWER // 2**20} MiB", request=request)
                chunks.append(event.data)
            elif isinstance(event, h11.EndOfMessage):
                assert answered is not None
                return answered, b"".join(chunks)
            elif isinstance(event, h11.ConnectionClosed):
                raise EOFError("the server closed the connection mid-answer")
            elif not isinstance(event, h11.InformationalResponse):  # 100 Continue, 103
                raise httpx.RemoteProtocolError(f"unexpected from the server: {event!r}",
                                                request=request)


class Http11Transport(httpx.AsyncBaseTransport):
    """Keep-alive HTTP/1.1 to the tenant; at most ``max_connections`` requests at once (the
    rest wait, up to the pool timeout)."""

    def __init__(self, ssl_context: Callable[[], ssl.SSLContext],
                 max_connections: int = 32) -> None:
        self._ssl_context = ssl_context
        self._idle: dict[Origin, list[_Connection]] = {}
        self._slots = asyncio.Semaphore(max_connections)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not isinstance(request.stream, httpx.ByteStream):  # a streamed upload
            await request.aread()
        timeouts: dict[str, float | None] = request.extensions.get("timeout", {})
        url = request.url
        origin = (url.scheme, url.host, url.port or (443 if url.scheme == "https" else 80))
        with _mapped(httpx.PoolTimeout, httpx.PoolTimeout, request):
            async with asyncio.timeout(timeouts.get("pool")):
                await self._slots.acquire()
        try:
            connection = self._kept(origin) or await self._connect(origin, request, timeouts)
            try:
                response = await self._send_on(connection, request, timeouts)
            except _Gone:
                if request.method.encode() not in RESEND:
                    raise httpx.RemoteProtocolError(
                        "the server closed a kept-alive connection before answering; the "
                        "request may have arrived", request=request) from None
                connection = await self._connect(origin, request, timeouts)
                response = await self._send_on(connection, request, timeouts)
            if connection.reusable(time.monotonic()):
                self._idle.setdefault(origin, []).append(connection)
            else:
                connection.close()
            return response
        finally:
            self._slots.release()

    @staticmethod
    async def _send_on(connection: _Connection, request: httpx.Request,
                       timeouts: dict[str, float | None]) -> httpx.Response:
        """The exchange on ``connection``, which is closed if it fails."""
        try:
            with _mapped(httpx.ReadTimeout, httpx.ReadError, request):
                return await connection.exchange(request, timeouts)
        except BaseException:
            connection.close()
            raise

    def _kept(self, origin: Origin) -> _Connection | None:
        idle, now = self._idle.get(origin), time.monotonic()
        while idle:
            connection = idle.pop()
            if connection.reusable(now):
                return connection
            connection.close()
        return None

    async def _connect(self, origin: Origin, request: httpx.Request,
                       timeouts: dict[str, float | None]) -> _Connection:
        scheme, host, port = origin
        if scheme not in ("http", "https"):
            raise httpx.UnsupportedProtocol(f"{scheme}:// is not HTTP", request=request)
        secure: dict[str, Any] = ({"ssl": self._ssl_context(), "server_hostname": host}
                                  if scheme == "https" else {})
        loop = asyncio.get_running_loop()
        reader = _Reader(limit=READ_SIZE, loop=loop)
        protocol = asyncio.StreamReaderProtocol(reader, loop=loop)
        with _mapped(httpx.ConnectTimeout, httpx.ConnectError, request):
            async with asyncio.timeout(timeouts.get("connect")):
                transport, _ = await loop.create_connection(lambda: protocol, host, port,
                                                            **secure)
        return _Connection(reader, asyncio.StreamWriter(transport, protocol, reader, loop))

    async def aclose(self) -> None:
        for connections in self._idle.values():
            for connection in connections:
                connection.close()
        self._idle.clear()
