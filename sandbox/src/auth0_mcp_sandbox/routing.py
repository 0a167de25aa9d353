"""Declaring sandbox endpoints: a tiny router each Management API family module fills in.

Each family's plugin (first- or third-party) builds a ``Router`` in its emulator module,
decorates plain functions with the method, path and scope, contributes it through the
``auth0_mcp_sandbox_routers`` hook, and the sandbox app mounts them all.
Handlers receive a ``SandboxRequest`` and return a JSON-able body, or a ``Reply`` for another
status or extra headers; they raise ``ApiError`` for Auth0-shaped error bodies.
"""

from __future__ import annotations

import base64
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


def _names(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(values)


@attrs.define
class Router:
    """A named group of routes plus optional seeding functions for the demo tenant.

    ``seed_after`` names the routers whose demo data this one's seeders use (logs name the
    seeded applications); they seed first when installed, and are simply absent otherwise.
    """

    name: str
    routes: list[Route] = attrs.field(factory=list)
    seeders: list[Callable[[SandboxTenant], None]] = attrs.field(factory=list)
    seed_after: tuple[str, ...] = attrs.field(default=(), converter=_names, kw_only=True)

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


def stored(tenant: SandboxTenant, collection: str, object_id: str, message: str,
           error_code: str | None = None) -> dict[str, Any]:
    """The object ``object_id`` of ``collection``, or Auth0's 404 for it (``error_code`` is
    left out where Auth0 leaves it out: roles, organizations, forms)."""
    found = tenant.collection(collection).get(object_id)
    if found is None:
        raise ApiError(404, message, error_code)
    return found


def offset_page(
    req: SandboxRequest,
    items: Sequence[Mapping[str, Any]],
    key: str,
    *,
    order: Sequence[str] = ("total", "start", "limit"),
    default_per_page: int = 50,
    max_per_page: int = 100,
    render: Callable[[Any, SandboxRequest], Any] | None = None,
    items_first: bool = False,
) -> Any:
    """Auth0 offset pagination: a bare array, or ``{total,start,limit,<key>}`` with totals.

    ``order`` is the envelope's key order (forms use ``limit,start,total``); ``items_first``
    puts ``<key>`` before them (roles, organizations: ``{<key>,start,limit,total}``). A default
    page of
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
    envelope: dict[str, Any] = {key: chunk} if items_first else {}
    envelope.update({k: values[k] for k in order})
    envelope[key] = chunk
    return envelope


def checkpoint_page(req: SandboxRequest, items: Sequence[Mapping[str, Any]], key: str, *,
                    stamp: Callable[[Mapping[str, Any]], str],
                    ident: Callable[[Mapping[str, Any]], str],
                    render: Callable[[Mapping[str, Any], SandboxRequest], Any] | None = None,
                    ) -> dict[str, Any]:
    """Auth0 checkpoint pagination (``take``, then ``from=<next>``): ``{<key>, next}``, where
    ``next`` is base64 of ``"<timestamp>UTC,<id>"`` of the page's last item and is left out
    when nothing follows (``include_totals`` is ignored, as the recordings show)."""
    take = req.query_int("take", 50, minimum=1, maximum=100) or 50
    start = 0
    cursor = req.query.get("from")
    if cursor:
        try:
            raw = base64.b64decode(cursor + "=" * (-len(cursor) % 4), validate=True).decode()
            after = raw.rsplit(",", 1)[1]
        except (ValueError, IndexError):
            raise ApiError(400, "Query validation error: 'Invalid checkpoint' on property "
                           "from.", "invalid_query_string") from None
        ids = [ident(item) for item in items]
        start = ids.index(after) + 1 if after in ids else len(items)
    chunk = items[start:start + take]
    body: dict[str, Any] = {key: [(render or project)(o, req) for o in chunk]}
    if start + take < len(items):
        last = chunk[-1]
        moment = stamp(last).replace("T", " ").rstrip("Z")
        token = f"{moment}UTC,{ident(last)}".encode()
        body["next"] = base64.b64encode(token).decode().rstrip("=")
    return body


# The demo tenant's objects several families refer to, under the ids every family uses: the
# users named in the demo logs, the roles, and the two connections.
DEMO_PEOPLE = {
    "auth0|64f1c2a9e8b7d6c5b4a30001": ("alice@example.com", "Alice Smith"),
    "auth0|64f1c2a9e8b7d6c5b4a30002": ("bob@example.com", "Bob Jones"),
    "auth0|64f1c2a9e8b7d6c5b4a30003": ("carol@example.org", "Carol White"),
    "auth0|64f1c2a9e8b7d6c5b4a30004": ("dave@example.net", "Dave Brown"),
    "google-oauth2|109876543210987654321": ("erin@example.com", "Erin Green"),
    "auth0|64f1c2a9e8b7d6c5b4a30006": ("frank@example.org", "Frank Black"),
    "auth0|64f1c2a9e8b7d6c5b4a30007": ("grace@example.com", "Grace Hopper"),
    "auth0|64f1c2a9e8b7d6c5b4a30008": ("heidi@example.net", "Heidi Klum"),
}
DEMO_ROLES = {
    "rol_admin0000000001": ("admin", "Full access to the shop's APIs"),
    "rol_billingAdmin0001": ("billing-admin", "Invoices and refunds"),
    "rol_support00000001": ("support", "Read orders to help customers"),
}
DEMO_CONNECTIONS = {
    "con_Q3pLx8ZcWf2T7KbM": ("Username-Password-Authentication", "auth0"),  # every family's id
    "con_GoogleOAuth20001": ("google-oauth2", "google-oauth2"),
}


def ensure_user(tenant: SandboxTenant, user_id: str, email: str, name: str) -> dict[str, Any]:
    """A minimal user record (an existing one is left alone)."""
    provider, _, sub = user_id.partition("|")
    return tenant.collection("users").setdefault(user_id, {
        "user_id": user_id, "email": email, "email_verified": True, "name": name,
        "nickname": email.split("@")[0], "picture": "https://cdn.auth0.com/avatars/default.png",
        "created_at": "2026-01-05T10:00:00.000Z", "updated_at": "2026-01-05T10:00:00.000Z",
        "identities": [{"provider": provider, "user_id": sub, "isSocial": provider != "auth0",
                        "connection": "Username-Password-Authentication"
                        if provider == "auth0" else provider}],
        "logins_count": 0, "blocked": False})


def shared_object(tenant: SandboxTenant, collection: str, object_id: str
                  ) -> dict[str, Any] | None:
    """An object of a collection another family owns (``users``, ``roles``, ``connections``).

    A demo object that family seeds is made up minimally when it is missing (the family is
    not installed), so any subset of families tells the same story. Call it from handlers,
    never from a seed: the owning family's seed, which may run later, writes the full record.
    """
    objects = tenant.collection(collection)
    demo = {"users": DEMO_PEOPLE, "roles": DEMO_ROLES, "connections": DEMO_CONNECTIONS}.get(
        collection, {})
    label = "email" if collection == "users" else "name"
    if object_id not in objects and object_id in demo and all(
            o.get(label) != demo[object_id][0] for o in objects.values()):  # not under another id
        if collection == "users":
            ensure_user(tenant, object_id, *DEMO_PEOPLE[object_id])
        elif collection == "roles":
            name, description = DEMO_ROLES[object_id]
            objects[object_id] = {"id": object_id, "name": name, "description": description,
                                  "type": "tenant"}
        else:
            name, strategy = DEMO_CONNECTIONS[object_id]
            objects[object_id] = {"id": object_id, "name": name, "strategy": strategy,
                                  "options": {}, "enabled_clients": [], "realms": [name],
                                  "is_domain_connection": False}
    return objects.get(object_id)


def user_row(tenant: SandboxTenant, user_id: str) -> dict[str, Any]:
    """A user as role-user and organization-member lists show one."""
    user = shared_object(tenant, "users", user_id) or {}
    row = {"user_id": user_id, "email": user.get("email"), "picture": user.get("picture"),
           "name": user.get("name")}
    return {k: v for k, v in row.items() if v is not None}


def invalid_body(detail: str, prop: str | None = None) -> ApiError:
    """Auth0's 400 for a body that fails its payload schema."""
    where = f" on property {prop}" if prop else ""
    return ApiError(400, f"Payload validation error: '{detail}'{where}.", "invalid_body")


def check_body(body: Mapping[str, Any], writable: Mapping[str, type | tuple[type, ...]], *,
               required: Iterable[str] = (), enums: Mapping[str, Iterable[Any]] | None = None
               ) -> None:
    """Hand-written body checks with Auth0's messages (unknown properties, JSON types with
    null allowed, required properties, enumerations), for writes Auth0 documents no schema
    for: documented ones are checked against its OpenAPI schema before a handler runs
    (schemas.py)."""
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
