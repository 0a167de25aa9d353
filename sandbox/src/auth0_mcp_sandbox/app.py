"""The sandbox's ASGI app: mounts every ``Router`` and renders Auth0-shaped responses.

Cross-cutting behaviour lives in ``Gatekeeper`` (enforce.py): bearer-token checks, scopes,
rate-limit headers and budgets, fault injection; and in schemas.py: every Management write's
JSON body is checked against Auth0's documented schema before its handler runs. This module
turns routes into Starlette endpoints and exceptions into Auth0 error bodies.
"""

from __future__ import annotations

import inspect
import json
import logging
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route as StarletteRoute

from .enforce import Gatekeeper
from .faults import InjectedError
from .routing import ApiError, OAuthError, Reply, Route, Router, SandboxRequest, dumps
from .schemas import validate_body
from .tenant import SandboxTenant

log = logging.getLogger("auth0_mcp").getChild("sandbox")
JSON_TYPE = "application/json; charset=utf-8"
MAX_BODY = 1024 * 1024  # Auth0's documented 1 MB payload limit
WRITES = frozenset({"POST", "PUT", "PATCH"})


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """JSON, or an empty body when there is nothing to say (204, ``/oauth/revoke``'s 200)."""
    if body is None:
        return Response(status_code=status, headers=headers)
    return Response(dumps(body), status_code=status, media_type=JSON_TYPE, headers=headers)


async def _parse_body(request: Request, route: Route) -> Any:
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
        if route.path.startswith("/oauth/"):  # the Authentication API speaks OAuth errors
            raise OAuthError(400, "invalid_request", "Invalid request payload JSON format") \
                from None
        raise ApiError(400, "Invalid request payload JSON format", "invalid_body") from None


def _render(reply: Reply, headers: dict[str, str]) -> Response:
    headers.update(reply.headers)
    if isinstance(reply.body, str) and headers.get("content-type", "").startswith("text/"):
        return Response(reply.body, reply.status, headers=headers)
    return json_response(reply.body, reply.status, headers)


def _endpoint(route: Route, tenant: SandboxTenant, gate: Gatekeeper):
    async def endpoint(request: Request) -> Response:
        headers: dict[str, str] = {}
        try:
            claims = await gate.admit(request, route, headers)
            body = await _parse_body(request, route)
            if (body is not None and route.authenticated and route.method in WRITES
                    and "form-urlencoded" not in request.headers.get("content-type", "")):
                validate_body(route.method, route.path, body)
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
            response = _render(reply, headers)
        except ApiError as err:
            headers.update(err.headers)
            response = json_response(err.body(), err.status, headers)
        except OAuthError as err:
            response = json_response(err.body(), err.status, headers)
        except InjectedError as err:
            content, media_type = err.content()
            response = Response(content, err.status, headers=headers, media_type=media_type)
        except Exception:  # a bug in a handler: still answer like Auth0 would, and say so
            log.exception("sandbox handler for %s %s failed", route.method, route.path)
            body = ApiError(500, "Internal error in the sandbox tenant (see its log).").body()
            response = json_response(body, 500, headers)
        response = gate.finish(response, route)
        return gate.timing(request, response)

    return endpoint


def build_app(tenant: SandboxTenant, routers: Iterable[Router], gate: Gatekeeper) -> Starlette:
    """One Starlette app for all routers; unknown paths get Auth0's 404 body. A route declared
    twice (same method and path) is an error: two families would silently shadow each other."""
    routes = []
    seen: dict[tuple[str, str], str] = {}
    for router in routers:
        for route in router.routes:
            key = (route.method, route.path)
            if key in seen:
                raise ValueError(f"{route.method} {route.path} is declared by both "
                                 f"{seen[key]!r} and {router.name!r}")
            seen[key] = router.name
            routes.append(StarletteRoute(route.path, _endpoint(route, tenant, gate),
                                         methods=[route.method]))

    async def not_found(request: Request, exc: Exception) -> Response:
        status = getattr(exc, "status_code", 404)
        if status == 405:
            return json_response(ApiError(405, "Method Not Allowed").body(), 405)
        return json_response(ApiError(404, "Not Found").body(), 404)

    return Starlette(routes=routes, exception_handlers={404: not_found, 405: not_found})
