"""The sandbox's ASGI app: mounts every ``Router`` and renders Auth0-shaped responses.

Cross-cutting behaviour lives in ``Gatekeeper`` (sandbox/enforce.py): bearer-token checks,
scopes, rate-limit headers and budgets, fault injection. This module only turns routes into
Starlette endpoints and exceptions into Auth0 error bodies.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route as StarletteRoute

from .enforce import Gatekeeper
from .routing import ApiError, OAuthError, Reply, Route, Router, SandboxRequest, dumps
from .tenant import SandboxTenant

JSON_TYPE = "application/json; charset=utf-8"
MAX_BODY = 1024 * 1024  # Auth0's documented 1 MB payload limit


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    if body is None and status == 204:
        return Response(status_code=204, headers=headers)
    return Response(dumps(body), status_code=status, media_type=JSON_TYPE, headers=headers)


async def _parse_body(request: Request) -> Any:
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise ApiError(413, "Payload too large. Maximum allowed is 1MB.", "payload_too_large")
    if not raw:
        return None
    ctype = request.headers.get("content-type", "")
    if "application/x-www-form-urlencoded" in ctype:
        return {k: v[-1] for k, v in parse_qs(raw.decode(), keep_blank_values=True).items()}
    try:
        return json.loads(raw)
    except ValueError:
        raise ApiError(400, "Invalid request payload JSON format", "invalid_body") from None


def _endpoint(route: Route, tenant: SandboxTenant, gate: Gatekeeper):
    async def endpoint(request: Request) -> Response:
        headers: dict[str, str] = {}
        try:
            claims = await gate.admit(request, route, headers)
            body = await _parse_body(request)
            multi: dict[str, list[str]] = {}
            for k, v in request.query_params.multi_items():
                multi.setdefault(k, []).append(v)
            req = SandboxRequest(
                tenant=tenant,
                method=request.method,
                path=request.url.path,
                path_params=dict(request.path_params),
                query={k: v[-1] for k, v in multi.items()},
                query_multi=multi,
                headers={k.lower(): v for k, v in request.headers.items()},
                body=body,
                claims=claims,
                base_url=tenant.base_url,
            )
            result = route.handler(req)
            if inspect.isawaitable(result):
                result = await result
            reply = result if isinstance(result, Reply) else Reply(body=result)
            gate.after_success(req, route, reply)
            headers.update(reply.headers)
            if isinstance(reply.body, str) and reply.headers.get("content-type", "").startswith(
                    "text/html"):
                response: Response = Response(reply.body, reply.status, headers=headers)
            else:
                response = json_response(reply.body, reply.status, headers)
            response = gate.finish(response, route)
        except ApiError as err:
            headers.update(err.headers)
            if err.body() is None:  # a proxy's HTML error page
                response = Response(f"<html><body><h1>{err.status} {err.message}</h1></body>"
                                    "</html>", err.status, headers=headers,
                                    media_type="text/html")
            else:
                response = json_response(err.body(), err.status, headers)
            response = gate.finish(response, route)
        except OAuthError as err:
            response = gate.finish(json_response(err.body(), err.status, headers), route)
        return gate.timing(request, response)

    return endpoint


def build_app(tenant: SandboxTenant, routers: Iterable[Router], gate: Gatekeeper) -> Starlette:
    """One Starlette app for all routers; unknown paths get Auth0's 404 body."""
    routes = []
    by_path: dict[str, list[Route]] = {}
    for router in routers:
        for route in router.routes:
            by_path.setdefault(route.path, []).append(route)
    for path, group in by_path.items():
        for route in group:
            routes.append(
                StarletteRoute(path, _endpoint(route, tenant, gate), methods=[route.method])
            )

    async def not_found(request: Request, exc: Exception) -> Response:
        status = getattr(exc, "status_code", 404)
        if status == 405:
            return json_response(ApiError(405, "Method Not Allowed").body(), 405)
        return json_response(ApiError(404, "Not Found").body(), 404)

    return Starlette(routes=routes, exception_handlers={404: not_found, 405: not_found})
