"""Declaring sandbox endpoints: a tiny router each Management API family module fills in.

Each family's plugin (first- or third-party) builds a ``Router`` in its emulator module,
decorates plain functions with the method, path and scope, contributes it through the
``auth0_mcp_sandbox_routers`` hook, and the sandbox app mounts them all.
Handlers receive a ``SandboxRequest`` and return a JSON-able body, or a ``Reply`` for another
status or extra headers; they raise ``ApiError`` for Auth0-shaped error bodies.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from .tenant import SandboxTenant

_REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    413: "Payload Too Large",
    414: "URI Too Long",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


class ApiError(Exception):
    """An Auth0 Management API error: rendered as ``{statusCode, error, message, errorCode}``.

    ``error_code`` is optional because Auth0 leaves it out for some resources (actions, forms).
    """

    def __init__(
        self,
        status: int,
        message: str,
        error_code: str | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.error_code = error_code
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "statusCode": self.status,
            "error": _REASONS.get(self.status, "Error"),
            "message": self.message,
        }
        if self.error_code is not None:
            body["errorCode"] = self.error_code
        body.update(self.extra)
        return body


class OAuthError(Exception):
    """An Authentication API error: rendered as ``{error, error_description}``."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


@attrs.frozen
class Reply:
    """A response other than ``200 application/json``: another status, no body, extra headers."""

    body: Any = None
    status: int = 200
    headers: Mapping[str, str] = attrs.field(factory=dict)


@attrs.frozen
class SandboxRequest:
    """What a handler sees of one HTTP request."""

    tenant: SandboxTenant
    method: str
    path: str
    path_params: Mapping[str, str]
    query: Mapping[str, str]  # last value wins; see ``query_list`` for repeated keys
    query_multi: Mapping[str, Sequence[str]]
    headers: Mapping[str, str]  # lower-case names
    body: Any  # parsed JSON, or a dict for form-encoded bodies, or None
    claims: Mapping[str, Any]  # verified bearer-token claims ({} on unauthenticated routes)
    base_url: str  # e.g. "http://127.0.0.1:8484"

    def query_list(self, name: str) -> list[str]:
        return list(self.query_multi.get(name, ()))

    def query_bool(self, name: str, default: bool = False) -> bool:
        value = self.query.get(name)
        if value is None:
            return default
        return value.lower() == "true"

    def query_int(self, name: str, default: int | None = None, *, minimum: int = 0,
                  maximum: int | None = None) -> int | None:
        """An integer query parameter, or a 400 ``invalid_query_string`` like Auth0's."""
        raw = self.query.get(name)
        if raw is None or raw == "":
            return default
        try:
            value = int(raw)
        except ValueError:
            raise ApiError(
                400,
                f"Query validation error: 'Expected type integer but found type string' "
                f"on property {name}.",
                "invalid_query_string",
            ) from None
        if value < minimum or (maximum is not None and value > maximum):
            bound = f"greater than or equal to {minimum}" if value < minimum else (
                f"less than or equal to {maximum}")
            raise ApiError(
                400,
                f"Query validation error: 'Value {value} must be {bound}' on property {name}.",
                "invalid_query_string",
            )
        return value

    def json_object(self) -> dict[str, Any]:
        """The body as a JSON object, or the 400 ``invalid_body`` Auth0 returns otherwise."""
        if not isinstance(self.body, dict):
            raise ApiError(400, "Payload validation error: 'Expected type object' on property "
                           "body.", "invalid_body")
        return self.body


Handler = Callable[[SandboxRequest], Any]


@attrs.frozen
class Route:
    method: str
    path: str  # Starlette path syntax, e.g. "/api/v2/clients/{id}" or "/api/v2/rs/{id:path}"
    handler: Handler
    scopes: tuple[str, ...]  # any one of them grants access; () means no bearer token needed
    authenticated: bool = True  # Management routes need a bearer token; /oauth/* do not


@attrs.define
class Router:
    """A named group of routes plus optional seeding functions for the demo tenant.

    ``seed_after`` names the routers whose demo data this one's seeders use (logs name the
    seeded applications); they seed first when installed, and are simply absent otherwise.
    """

    name: str
    routes: list[Route] = attrs.field(factory=list)
    seeders: list[Callable[[SandboxTenant], None]] = attrs.field(factory=list)
    seed_after: tuple[str, ...] = attrs.field(default=(), converter=tuple, kw_only=True)

    def route(self, method: str, path: str, *, scope: str | Iterable[str] = (),
              authenticated: bool = True) -> Callable[[Handler], Handler]:
        scopes = (scope,) if isinstance(scope, str) else tuple(scope)

        def register(handler: Handler) -> Handler:
            self.routes.append(Route(method.upper(), path, handler, scopes, authenticated))
            return handler

        return register

    def get(self, path: str, *, scope: str | Iterable[str] = ()) -> Callable[[Handler], Handler]:
        return self.route("GET", path, scope=scope)

    def post(self, path: str, *, scope: str | Iterable[str] = ()) -> Callable[[Handler], Handler]:
        return self.route("POST", path, scope=scope)

    def patch(self, path: str, *, scope: str | Iterable[str] = ()) -> Callable[[Handler], Handler]:
        return self.route("PATCH", path, scope=scope)

    def put(self, path: str, *, scope: str | Iterable[str] = ()) -> Callable[[Handler], Handler]:
        return self.route("PUT", path, scope=scope)

    def delete(self, path: str, *, scope: str | Iterable[str] = ()) -> Callable[[Handler], Handler]:
        return self.route("DELETE", path, scope=scope)

    def seed(self, fn: Callable[[SandboxTenant], None]) -> Callable[[SandboxTenant], None]:
        """Register a function that adds this family's demo objects to a fresh tenant."""
        self.seeders.append(fn)
        return fn


# --- helpers shared by the family modules -------------------------------------------------


def project(obj: Mapping[str, Any], req: SandboxRequest) -> dict[str, Any]:
    """Apply Auth0's ``fields`` / ``include_fields`` projection to one object."""
    fields = req.query.get("fields")
    if not fields:
        return dict(obj)
    wanted = {f.strip() for f in fields.split(",") if f.strip()}
    include = req.query_bool("include_fields", True)
    if include:
        return {k: v for k, v in obj.items() if k in wanted}
    return {k: v for k, v in obj.items() if k not in wanted}


def offset_page(
    req: SandboxRequest,
    items: Sequence[Mapping[str, Any]],
    key: str,
    *,
    order: Sequence[str] = ("total", "start", "limit"),
    default_per_page: int = 50,
    max_per_page: int = 100,
    render: Callable[[Mapping[str, Any], SandboxRequest], Any] | None = None,
) -> Any:
    """Auth0 offset pagination: a bare array, or ``{total,start,limit,<key>}`` with totals.

    ``order`` is the envelope's key order (forms use ``limit,start,total``). A default page of
    ``default_per_page`` applies even without parameters, as the recordings show. ``render``
    turns a stored object into what the caller sees (default: the ``fields`` projection).
    """
    page = req.query_int("page", 0) or 0
    per_page = req.query_int("per_page", default_per_page, minimum=1, maximum=max_per_page)
    assert per_page is not None
    start = page * per_page
    chunk = [(render or project)(o, req) for o in items[start : start + per_page]]
    if not req.query_bool("include_totals"):
        return chunk
    values = {"total": len(items), "start": start, "limit": per_page}
    envelope: dict[str, Any] = {k: values[k] for k in order}
    envelope[key] = chunk
    return envelope


def invalid_body(detail: str, prop: str | None = None) -> ApiError:
    """Auth0's 400 for a body that fails its payload schema."""
    where = f" on property {prop}" if prop else ""
    return ApiError(400, f"Payload validation error: '{detail}'{where}.", "invalid_body")


def check_body(body: Mapping[str, Any], writable: Mapping[str, type | tuple[type, ...]], *,
               required: Iterable[str] = (), enums: Mapping[str, Iterable[Any]] | None = None
               ) -> None:
    """The checks every Management write shares: unknown properties, JSON types (null allowed),
    required properties and enumerations, with Auth0's messages."""
    extra = sorted(set(body) - set(writable))
    if extra:
        raise invalid_body(f"Additional properties not allowed: {','.join(extra)}")
    for key, kind in writable.items():
        value = body.get(key)
        if value is not None and not isinstance(value, kind):
            expected = kind.__name__ if isinstance(kind, type) else kind[0].__name__
            raise invalid_body(f"Expected type {expected} but found type "
                               f"{type(value).__name__}", key)
    for key in required:
        if not body.get(key):
            raise invalid_body(f"Missing required property: {key}")
    for key, allowed in (enums or {}).items():
        if key in body and body[key] is not None and body[key] not in tuple(allowed):
            raise invalid_body(f'No enum match for: "{body[key]}"', key)


def dumps(body: Any) -> bytes:
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
