"""What happens around every route, as at Auth0: bearer tokens and scopes, rate limits with
their headers, injected faults, ``sapi`` log events for Management writes, persistence, and a
``Server-Timing`` header so benchmarks can tell the sandbox's time from the client's.

INTERFACE (used by app.py):
    gate.admit(request, route, headers) -> claims      may raise ApiError / OAuthError /
                                                        InjectedError; fills rate-limit headers
    gate.after_success(req, route, reply) -> None      sapi log events, state persistence
    gate.finish(response, route) -> response           malformed-body faults, statistics
    gate.timing(request, response) -> response         the Server-Timing header

The sandbox's own ``/sandbox/*`` endpoints are exempt from limits and faults: a test must be
able to switch a 429 storm off.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from .auth import granted_scopes, verify_access_token
from .faults import Faults, InjectedError, truncate
from .ratelimit import RateLimit
from .routing import ApiError, OAuthError, Reply, Route, SandboxRequest
from .tenant import SandboxTenant

MASK = "*****"  # how Auth0's own logs show passwords
SECRET_KEYS = frozenset({"client_secret", "signing_secret", "password", "secret"})
_VERBS = {"POST": "Create", "PATCH": "Update", "PUT": "Update", "DELETE": "Delete"}
_NOUNS = {"clients": "client", "resource-servers": "resource server",
          "client-grants": "client grant", "actions": "action", "versions": "action version",
          "forms": "form", "users": "user", "roles": "role", "connections": "connection",
          "organizations": "organization", "log-streams": "log stream"}


def mask_secrets(value: Any) -> Any:
    """A copy with secret values replaced; Action secrets are ``{name, value}`` items."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key in SECRET_KEYS and isinstance(item, str) and item:
                out[key] = MASK
            elif key == "secrets" and isinstance(item, list):
                out[key] = [{**s, "value": MASK} if isinstance(s, dict) and "value" in s else s
                            for s in item]
            else:
                out[key] = mask_secrets(item)
        return out
    if isinstance(value, list):
        return [mask_secrets(v) for v in value]
    return value


def describe(method: str, template: str) -> str:
    """The event description Auth0 writes for a Management operation ("Create a client",
    "Delete a log stream", "Deploy an action")."""
    parts = [p for p in template.removeprefix("/api/v2/").split("/")
             if p and not p.startswith("{")]
    verb = _VERBS.get(method, method.title())
    if parts and parts[-1] in ("deploy", "test"):
        verb, parts = parts[-1].title(), parts[:-1]
    last = parts[-1] if parts else "resource"
    if last == "bindings":
        return f"{verb} trigger bindings"
    noun = _NOUNS.get(last, last.replace("-", " ").replace("_", " ").removesuffix("s"))
    return f"{verb} {'an' if noun[:1] in 'aeiou' else 'a'} {noun}"


class Gatekeeper:
    def __init__(self, tenant: SandboxTenant, *, faults: Faults | None = None,
                 rate_limit: RateLimit | None = None) -> None:
        self.tenant = tenant
        self.faults = faults or Faults()
        self.rate_limit = rate_limit or RateLimit()
        self.counts: Counter[str] = Counter()

    @staticmethod
    def api_of(route: Route) -> str | None:
        """Which Auth0 API a route belongs to, or None for the sandbox's own endpoints."""
        if route.path.startswith("/sandbox/"):
            return None
        return "management" if route.authenticated else "authentication"

    def _faulted(self, api: str) -> bool:
        return api == "management" or self.faults.include_auth

    # -- before the handler ------------------------------------------------------------------

    async def admit(self, request: Request, route: Route,
                    headers: dict[str, str]) -> dict[str, Any]:
        request.state.started = time.perf_counter()
        api = self.api_of(route)
        if api is None:
            return {}
        self.counts["requests"] += 1
        self.counts[f"requests:{api}"] += 1
        faults = self.faults if self._faulted(api) else None
        if faults is not None and faults.latency_ms:
            await asyncio.sleep(faults.latency_ms / 1000)
        bucket = self.rate_limit.bucket(api)
        if faults is not None and faults.throttle():
            self.counts["throttled"] += 1
            if faults.storm_headers:
                headers.update(bucket.empty().headers())
            raise self._too_many(api)
        decision = bucket.take()
        headers.update(decision.headers())
        if not decision.allowed:
            self.counts["throttled"] += 1
            raise self._too_many(api)
        if faults is not None and faults.server_error():
            self.counts["injected_errors"] += 1
            raise InjectedError(faults.error_status, faults.error_html)
        if not route.authenticated:
            return {}
        return self._claims(request, route)

    @staticmethod
    def _too_many(api: str) -> Exception:
        if api == "authentication":
            return OAuthError(429, "too_many_requests", "Global limit has been reached")
        return ApiError(429, "Global limit has been reached", "too_many_requests")

    def _claims(self, request: Request, route: Route) -> dict[str, Any]:
        header = request.headers.get("authorization")
        if not header:  # recorded without ``attributes``, unlike the token 401s
            raise ApiError(401, "Missing authentication", headers={"WWW-Authenticate": "Bearer"})
        scheme, _, token = header.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or token.count(".") != 2 or " " in token:
            raise ApiError(400, "Bad HTTP authentication header format", "Bearer")
        claims = verify_access_token(self.tenant, token)
        if route.scopes and not granted_scopes(claims).intersection(route.scopes):
            raise ApiError(403, f"Insufficient scope, expected any of: {','.join(route.scopes)}",
                           "insufficient_scope")
        return claims

    # -- after the handler -------------------------------------------------------------------

    def after_success(self, req: SandboxRequest, route: Route, reply: Reply) -> None:
        """A ``sapi`` event for every successful Management write, then save the tenant."""
        if self.api_of(route) != "management" or req.method == "GET" or reply.status >= 400:
            return
        caller = str(req.claims.get("azp") or "")
        app = self.tenant.collection("clients").get(caller) or {}
        user_agent = req.headers.get("user-agent", "")
        event = self.tenant.record(
            "sapi", describe(req.method, route.path),
            client_id=caller, client_name=app.get("name", ""), ip="127.0.0.1",
            user_agent="Other 0.0.0 / Other 0.0.0",
            details={
                "request": {
                    "method": req.method.lower(), "path": req.path, "query": dict(req.query),
                    "userAgent": user_agent, "body": mask_secrets(req.body or {}),
                    "channel": "api", "ip": "127.0.0.1",
                    "auth": {"user": {}, "strategy": "jwt",
                             "credentials": {"scopes": sorted(granted_scopes(req.claims))}},
                },
                "response": {"statusCode": reply.status,
                             "body": mask_secrets(reply.body if reply.body is not None else {})},
            },
        )
        event["isMobile"] = False  # after log_id/_id, where Auth0 puts it
        self.tenant.save()

    def finish(self, response: Response, route: Route) -> Response:
        """Cut a successful JSON body in half when the malformed-body fault fires."""
        api = self.api_of(route)
        if api is not None:
            self.counts[f"status:{response.status_code}"] += 1
        if api is None or not self._faulted(api) or not 200 <= response.status_code < 300 \
                or not response.body or not self.faults.malformed():
            return response
        self.counts["malformed"] += 1
        headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
        return Response(truncate(bytes(response.body)), response.status_code, headers=headers)

    @staticmethod
    def timing(request: Request, response: Response) -> Response:
        started = getattr(request.state, "started", None)
        if started is not None:
            elapsed = (time.perf_counter() - started) * 1000
            response.headers["server-timing"] = f"app;dur={elapsed:.3f}"
        return response

    def stats(self) -> dict[str, Any]:
        return {"requests": self.counts["requests"],
                "by_api": {k.split(":", 1)[1]: v for k, v in self.counts.items()
                           if k.startswith("requests:")},
                "by_status": {k.split(":", 1)[1]: v for k, v in sorted(self.counts.items())
                              if k.startswith("status:")},
                "throttled": self.counts["throttled"],
                "injected_errors": self.counts["injected_errors"],
                "malformed": self.counts["malformed"]}
