"""Streamable HTTP: read calls answered straight from the pipeline.

For every POST the SDK's transport builds a Request, validates the body with pydantic, spawns
a task, opens memory streams and an SSE response, and routes the answer back through its
dispatcher: about half the server's CPU per call, measured (benchmarks/http_throughput.py).
A read never asks the user anything mid-call, so it needs none of that. This ASGI layer sits
where the SDK's session manager handles a request (inside authentication and the body-size
limit) and answers a read call of a live session, or of any request in stateless mode, with
one JSON response, after the same checks the SDK makes: Host and Origin (DNS rebinding),
Content-Type, Accept, the session and the credential that opened it, the protocol era. The
session stays busy while the call runs, as the SDK keeps it, so it does not idle out, and
``notifications/cancelled`` stops such a call as it would stop the SDK's (answered
"Request cancelled", the 2025 era's rule).

Everything else, anything these checks doubt (the SDK then answers with its own error), and
the 2026 era (whose requests the SDK already serves one per POST) go to the SDK untouched:
it stays the authority on the protocol, and a test compares the two answers. The layer reads
a few private attributes of the SDK's session manager; where they are missing (another SDK
version) it steps aside and says so once.
"""

from __future__ import annotations

import contextlib
import logging
import math
from collections.abc import Iterator
from typing import Any

import anyio
from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser, authorization_context
from mcp.server.streamable_http import REQUEST_CANCELLED, check_accept_headers
from mcp.server.transport_security import TransportSecurityMiddleware
from mcp_types.version import HANDSHAKE_PROTOCOL_VERSIONS
from starlette.requests import Request
from starlette.types import Message, Receive, Scope, Send

from ..handshake import encode, parse_plain
from ..readcalls import answer_read, cancelled, handshake_era, read_call, request_key

log = logging.getLogger("auth0_mcp.remote")

HANDSHAKE_ERA = frozenset(HANDSHAKE_PROTOCOL_VERSIONS)
SESSION_HEADER = "mcp-session-id"


class ReadCalls:
    """ASGI: answers read calls itself and hands every other request to ``app`` (the SDK's
    session manager)."""

    def __init__(self, app: Any, manager: Any, pipeline: Any, policy: Any) -> None:
        self.app = app
        self.manager = manager
        self.pipeline = pipeline
        self.policy = policy
        self.security = TransportSecurityMiddleware(manager.security_settings)
        self.inflight: dict[tuple[str | None, tuple[type, Any]], anyio.CancelScope] = {}
        self.enabled = manager.stateless or all(
            hasattr(manager, name) for name in ("_server_instances", "_session_owners"))
        if not self.enabled:
            log.warning("HTTP fast path off: this MCP SDK's session manager has another shape")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self.enabled or scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        session = self._session(request)
        if session is False or not await self._acceptable(request):
            await self.app(scope, receive, send)
            return
        body = await request.body()
        message = parse_plain(body)
        # Stateless, a session id means nothing (and cannot tie a cancellation to its caller).
        sid = None if self.manager.stateless else request.headers.get(SESSION_HEADER)
        if self._cancels(sid, message):
            await _respond(send, 202, b"", sid)
            return
        call = read_call(message, self.pipeline.tools)
        if call is None or (sid is not None and (sid, request_key(call.id)) in self.inflight):
            await self.app(scope, _replay(body, receive), send)
            return
        with _busy(session):
            await self._answer(send, sid, call)

    def _session(self, request: Request) -> Any:
        """The SDK transport of the request's live session (None when stateless), or False
        when the SDK must judge the request: another era, no or an unknown session, another
        credential than the one that opened it, a session ending."""
        era = request.headers.get("mcp-protocol-version")
        if era is not None and era not in HANDSHAKE_ERA:
            return False
        if self.manager.stateless:
            return None
        sid = request.headers.get(SESSION_HEADER)
        transport = self.manager._server_instances.get(sid) if sid else None
        if transport is None or transport.is_terminated:
            return False
        idle = getattr(transport, "idle_scope", None)
        if idle is not None and idle.cancel_called:
            return False
        user = request.scope.get("user")
        owner = authorization_context(user) if isinstance(user, AuthenticatedUser) else None
        if owner != self.manager._session_owners.get(sid):
            return False
        return transport

    async def _acceptable(self, request: Request) -> bool:
        """What the SDK checks before it reads a POST body, passed."""
        if await self.security.validate_request(request, is_post=True) is not None:
            return False
        content_type = request.headers.get("content-type", "").split(";")[0]
        if "application/json" not in (part.strip() for part in content_type.split(",")):
            return False
        has_json, has_sse = check_accept_headers(request)
        return has_json and (has_sse or self.manager.json_response)

    def _cancels(self, sid: str | None, message: Any) -> bool:
        """``message`` cancels a call of this session in flight here: cancel it. (Without a
        session, as in the SDK, a cancellation has no call to name.)"""
        if sid is None or not handshake_era(message) or "id" in message:
            return False
        key = cancelled(message.get("method"), message.get("params") or {})
        scope = self.inflight.get((sid, key)) if key is not None else None
        if scope is None:
            return False
        scope.cancel()
        return True

    async def _answer(self, send: Send, sid: str | None, call: Any) -> None:
        key = (sid, request_key(call.id))
        cancel = anyio.CancelScope()
        if sid is not None:
            self.inflight[key] = cancel
        try:
            answer = await answer_read(
                lambda: self.policy.call(self.pipeline, call.name, call.arguments), cancel,
                call.name)
        finally:
            self.inflight.pop(key, None)
        if answer is None:  # the 2025 era ends a cancelled request's stream with this
            answer = {"error": {"code": REQUEST_CANCELLED, "message": "Request cancelled"}}
        await _respond(send, 200, encode({"jsonrpc": "2.0", "id": call.id, **answer}), sid)


@contextlib.contextmanager
def _busy(transport: Any) -> Iterator[None]:
    """As the SDK's transport does around each request: a session with a request in flight
    does not idle out, and its idle countdown restarts when the last one ends."""
    timeout = getattr(transport, "_idle_timeout", None)
    idle = getattr(transport, "idle_scope", None)
    if idle is None or timeout is None or not hasattr(transport, "_requests_in_flight"):
        yield
        return
    transport._requests_in_flight += 1
    idle.deadline = math.inf
    try:
        yield
    finally:
        transport._requests_in_flight -= 1
        if not transport._requests_in_flight:
            idle.deadline = anyio.current_time() + timeout


def _replay(body: bytes, receive: Receive) -> Receive:
    """``receive`` with the body, already read, given again first."""
    pending = [{"type": "http.request", "body": body, "more_body": False}]

    async def again() -> Message:
        return pending.pop() if pending else await receive()

    return again


async def _respond(send: Send, status: int, body: bytes, sid: str | None) -> None:
    headers = [(b"content-type", b"application/json"),
               (b"content-length", str(len(body)).encode())]
    if sid:
        headers.append((b"mcp-session-id", sid.encode("latin-1")))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def install(server: Any, pipeline: Any, policy: Any) -> None:
    """Put the fast path in front of the SDK's request handling, once
    ``server.streamable_http_app`` has built it: inside the body-size limit, which it keeps."""
    manager = server.session_manager
    limit = manager.asgi_app  # RequestBodyLimitMiddleware around the manager's handler
    limit.app = ReadCalls(limit.app, manager, pipeline, policy)
