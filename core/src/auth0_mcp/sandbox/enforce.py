"""Cross-cutting sandbox behaviour applied to every route: bearer tokens and scopes, rate
limits with Auth0's headers, fault injection, ``sapi`` log events and persistence.

INTERFACE (used by app.py):
    gate.admit(request, route, headers) -> claims      may raise ApiError (401/403/429/faults)
    gate.after_success(req, route, reply) -> None      sapi log events, state persistence
    gate.finish(response, route) -> response           rate-limit and timing headers, faults
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from typing import Any

import attrs
from starlette.requests import Request
from starlette.responses import Response

from .keys import unauthorized, verify_access_token
from .routing import ApiError, Reply, Route, SandboxRequest
from .tenant import SandboxTenant

SECRET_FIELDS = {"client_secret", "signing_secret", "value", "password"}


@attrs.define
class Faults:
    """Injected misbehaviour, for tests and benchmarks. Rates are 0..1, drawn from a seeded
    generator so a run is repeatable; ``*_next`` counters hit exactly the next N requests."""

    latency_ms: float = 0.0
    error_rate: float = 0.0
    error_status: int = 503
    error_html: bool = True  # a 503 page from a proxy, not an Auth0 JSON body
    errors_next: int = 0
    rate_limit_storm: bool = False
    storm_headers: bool = True
    malformed_rate: float = 0.0
    malformed_next: int = 0
    seed: int = 7
    _random: random.Random = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        self._random = random.Random(self.seed)

    def draw(self, rate: float) -> bool:
        return rate > 0 and self._random.random() < rate


@attrs.define
class RateLimit:
    """Auth0's token bucket: ``limit`` burst, refilled at ``per_second``."""

    limit: int = 1000
    per_second: float = 500.0
    _level: float = attrs.field(init=False, default=-1.0)
    _at: float = attrs.field(init=False, factory=time.monotonic)

    def take(self) -> tuple[bool, int, int]:
        """(allowed, remaining, reset epoch second)."""
        now = time.monotonic()
        if self._level < 0:
            self._level = float(self.limit)
        self._level = min(float(self.limit), self._level + (now - self._at) * self.per_second)
        self._at = now
        allowed = self._level >= 1
        if allowed:
            self._level -= 1
        missing = self.limit - self._level
        reset = int(time.time() + math.ceil(missing / self.per_second)) if missing > 0 else (
            int(time.time()))
        return allowed, int(self._level), reset


def _mask(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: ("[REDACTED]" if k in SECRET_FIELDS and v else _mask(v))
                for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(v) for v in value]
    return value


_DESCRIPTIONS = {"POST": "Create", "PATCH": "Update", "PUT": "Update", "DELETE": "Delete"}


class Gatekeeper:
    def __init__(self, tenant: SandboxTenant, *, faults: Faults | None = None,
                 rate_limit: RateLimit | None = None) -> None:
        self.tenant = tenant
        self.faults = faults or Faults()
        self.rate_limit = rate_limit or RateLimit()
        self.requests = 0

    async def admit(self, request: Request, route: Route,
                    headers: dict[str, str]) -> dict[str, Any]:
        request.state.started = time.perf_counter()
        self.requests += 1
        faults = self.faults
        if faults.latency_ms:
            await asyncio.sleep(faults.latency_ms / 1000)
        allowed, remaining, reset = self.rate_limit.take()
        if not (faults.rate_limit_storm and not faults.storm_headers):
            headers.update({"x-ratelimit-limit": str(self.rate_limit.limit),
                            "x-ratelimit-remaining": str(0 if faults.rate_limit_storm
                                                         else remaining),
                            "x-ratelimit-reset": str(reset if not faults.rate_limit_storm
                                                     else int(time.time()) + 1)})
        if faults.rate_limit_storm or not allowed:
            raise ApiError(429, "Global limit has been reached", "too_many_requests")
        if faults.errors_next > 0 or faults.draw(faults.error_rate):
            faults.errors_next = max(0, faults.errors_next - 1)
            if faults.error_html:
                raise _HtmlError(faults.error_status)
            raise ApiError(faults.error_status, "Service temporarily unavailable")
        if not route.authenticated:
            return {}
        return self._claims(request, route)

    def _claims(self, request: Request, route: Route) -> dict[str, Any]:
        header = request.headers.get("authorization")
        if not header:
            raise unauthorized("Missing authentication")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(400, "Bad HTTP authentication header format", "Bearer")
        claims = verify_access_token(self.tenant, token.strip())
        granted = set(str(claims.get("scope", "")).split())
        if route.scopes and not granted.intersection(route.scopes):
            raise ApiError(403, f"Insufficient scope, expected any of: {','.join(route.scopes)}",
                           "insufficient_scope")
        return claims

    def after_success(self, req: SandboxRequest, route: Route, reply: Reply) -> None:
        if not route.authenticated or req.method == "GET" or reply.status >= 400:
            return
        noun = req.path.removeprefix("/api/v2/").split("/")[0].replace("-", " ")
        self.tenant.record(
            "sapi", f"{_DESCRIPTIONS.get(req.method, req.method)} {noun}",
            client_id=req.claims.get("azp", ""), client_name="",
            ip="127.0.0.1", user_agent=req.headers.get("user-agent", ""),
            hostname=self.tenant.domain,
            details={"request": {"method": req.method.lower(), "path": req.path,
                                 "query": dict(req.query), "userAgent":
                                 req.headers.get("user-agent", ""), "body": _mask(req.body),
                                 "channel": "api", "ip": "127.0.0.1",
                                 "auth": {"user": {}, "strategy": "jwt", "credentials": {
                                     "scopes": str(req.claims.get("scope", "")).split()}}},
                     "response": {"statusCode": reply.status,
                                  "body": _mask(reply.body) if isinstance(reply.body, dict)
                                  else {}}},
        )
        self.tenant.save()

    def finish(self, response: Response, route: Route) -> Response:
        faults = self.faults
        if response.status_code < 300 and (faults.malformed_next > 0
                                            or faults.draw(faults.malformed_rate)):
            faults.malformed_next = max(0, faults.malformed_next - 1)
            body = bytes(response.body)[: max(1, len(response.body) // 2)]
            response = Response(body, status_code=response.status_code,
                                media_type="application/json",
                                headers={k: v for k, v in response.headers.items()
                                         if k.lower() not in ("content-length", "content-type")})
        return response

    @staticmethod
    def timing(request: Request, response: Response) -> Response:
        started = getattr(request.state, "started", None)
        if started is not None:
            elapsed = (time.perf_counter() - started) * 1000
            response.headers["server-timing"] = f"app;dur={elapsed:.3f}"
        return response


class _HtmlError(ApiError):
    """A proxy's HTML error page (the body is not JSON)."""

    def __init__(self, status: int) -> None:
        super().__init__(status, "Service Unavailable")

    def body(self) -> Any:
        return None
