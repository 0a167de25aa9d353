"""The protected Streamable HTTP app: SDK transport + bearer auth + per-caller tools, limits
and an audit trail (the
hash-chained journal of safety/journal.py, the same as stdio's)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import attrs
from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.auth.settings import AuthSettings
from mcp.server.transport_security import TransportSecuritySettings
from pydantic import AnyHttpUrl

from ..domains import is_loopback
from ..errors import SetupError
from ..spec import ToolSpec
from ..state import MemoryState, StateStore, StateUnavailable
from .verifier import IssuerUnavailable, JwksVerifier

log = logging.getLogger("auth0_mcp.remote")


@attrs.frozen
class RemoteSettings:
    issuer: str | None = None  # None: no OAuth (loopback development only)
    audience: str | None = None
    public_url: str | None = None  # the URL clients use; defaults to http://host:port/mcp
    allowed_hosts: tuple[str, ...] = ()
    allowed_origins: tuple[str, ...] = ()
    max_body_bytes: int = 1024 * 1024
    calls_per_minute: int = 120  # per caller
    stateless: bool = False


def check_exposure(host: str, issuer: str | None, insecure_no_auth: bool) -> None:
    """Refuse to serve every tool, unauthenticated, to whoever reaches a non-loopback port.

    The Host allow-list only stops browsers (DNS rebinding); any other client sets whatever
    ``Host`` it likes, so beyond loopback OAuth is the only gate."""
    if issuer or is_loopback(host) or insecure_no_auth:
        return
    raise SetupError(
        f"refusing to listen on {host} without --oauth-issuer: every tool, writes included, "
        "would be served to anyone who can reach the port (the Host header check does not "
        "stop a non-browser client). Add --oauth-issuer and --oauth-audience (see "
        "docs/remote.md), bind --host 127.0.0.1, or, on a network you fully trust, pass "
        "--insecure-no-auth."
    )


def caller_scopes() -> set[str] | None:
    """The verified caller's permissions, or None when the request is not authenticated."""
    token = get_access_token()
    return set(token.scopes) if token is not None else None


def caller_subject() -> str | None:
    token = get_access_token()
    return token.subject if token is not None else None


def tools_for_caller(tools: tuple[ToolSpec, ...]) -> Callable[[], set[str] | None]:
    """A tool is visible to a caller whose permissions include all its required scopes."""

    def visible_for() -> set[str] | None:
        scopes = caller_scopes()
        if scopes is None:
            return None
        return {t.name for t in tools if set(t.required_scopes) <= scopes}

    return visible_for


class CallerRateLimit:
    """Per-caller token bucket on tool calls: a noisy teammate cannot spend the tenant's
    Management API budget for everyone. In the shared store, so the budget holds across
    instances."""

    def __init__(self, per_minute: int, state: StateStore | None = None) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(max(1, per_minute))
        self.state = state or MemoryState()

    async def wait_for(self, caller: str | None) -> float:
        """0 when the call may proceed, else the seconds until it may. Raises
        ``StateUnavailable`` when the shared store is down (fail closed)."""
        if caller is None:
            return 0.0
        return await self.state.take(f"caller:{caller}", self.rate, self.burst)


class IssuerGuard:
    """ASGI wrapper: a token that cannot be checked because the issuer is unreachable gets
    503 with Retry-After (come back soon), not 401 (which sends people to sign in again)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Any) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except IssuerUnavailable as exc:
            if started:
                raise
            from starlette.responses import JSONResponse

            log.warning("answered 503: %s", exc)
            response = JSONResponse(
                {"error": "temporarily_unavailable",
                 "error_description": f"{exc}; tokens cannot be checked: retry later"},
                status_code=503, headers={"Retry-After": str(exc.retry_after)})
            await response(scope, receive, send)


def health_routes(state: StateStore | None) -> list[Any]:
    """``/healthz``: the process answers (liveness). ``/readyz``: it can serve calls, which
    with a shared store means the store answers (readiness: take the instance out of the
    Service, not restart it)."""
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def healthz(_request: Any) -> Any:
        return JSONResponse({"status": "ok"})

    async def readyz(_request: Any) -> Any:
        if state is not None:
            try:
                await state.get("readyz")
            except StateUnavailable as exc:  # where the store is stays in the log
                log.warning("not ready: %s", exc)
                return JSONResponse({"status": "unavailable",
                                     "reason": "the shared state store is unreachable"},
                                    status_code=503)
        return JSONResponse({"status": "ok"})

    return [Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"])]


def build_http_app(server: Any, settings: RemoteSettings, host: str, port: int,
                   *, verifier: JwksVerifier | None = None,
                   state: StateStore | None = None, runtime: Any = None) -> Any:
    """The Starlette app for ``run --transport http``, protected when an issuer is set.
    With ``runtime``, its read calls take the fast path (fastpath.py)."""
    public_url = settings.public_url or f"http://{host}:{port}/mcp"
    loopback = ["127.0.0.1", "localhost", "[::1]"]
    hosts = list(settings.allowed_hosts) or [f"{h}:*" for h in loopback]
    origins = list(settings.allowed_origins) or [f"http://{h}:*" for h in loopback]
    security = TransportSecuritySettings(enable_dns_rebinding_protection=True,
                                         allowed_hosts=hosts, allowed_origins=origins)
    auth = None
    if settings.issuer:
        if not settings.audience:
            raise ValueError("--oauth-audience is required with --oauth-issuer")
        verifier = verifier or JwksVerifier(settings.issuer, settings.audience, state=state)
        auth = AuthSettings(issuer_url=AnyHttpUrl(verifier.issuer),
                            resource_server_url=AnyHttpUrl(public_url),
                            validate_token_resource=settings.audience == public_url)
    app = server.streamable_http_app(
        streamable_http_path="/mcp", stateless_http=settings.stateless, host=host,
        # SSE answers, not plain JSON: a write may ask the user (elicitation/create) while the
        # call runs, and in the 2025 era that request rides the call's own stream. (Plain JSON
        # was 16% faster, measured, when calls never sent anything mid-way.)
        json_response=False,
        transport_security=security, max_request_body_size=settings.max_body_bytes,
        auth=auth, token_verifier=verifier if auth else None,
    )
    if runtime is not None:
        from .fastpath import install

        install(server, runtime.pipeline, runtime.policy)
    app.router.routes[:0] = health_routes(state)
    from starlette.middleware import Middleware

    # outermost of the app's own middleware, around the SDK's authentication
    app.user_middleware.insert(0, Middleware(IssuerGuard))
    return app
