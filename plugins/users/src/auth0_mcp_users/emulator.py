"""The sandbox's users endpoints: ``/users`` (Lucene v3 search), ``/users-by-email``,
``/user-blocks``, a user's roles, permissions, organizations, logs, identities and
authentication methods, ``/jobs/verification-email`` and ``/tickets/password-change``.

The only module of this plugin that imports the sandbox framework (the hook imports it lazily).

Collections shared with other families, by name: ``users`` (owned here), ``roles`` and
``resource_servers`` (read), ``connections`` (a database's ``options.passwordPolicy``),
``organizations``. Links live in their own collections so each side can read them:
``role_members`` and ``role_permissions`` keyed by role id (``{"user_ids": [...]}``,
``{"permissions": [{permission_name, resource_server_identifier}]}``),
``organization_members`` keyed ``"<org_id>|<user_id>"`` (``{org_id, user_id, roles}``),
``user_permissions`` and ``user_blocks`` keyed by user id, ``authentication_methods`` by id.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from typing import Any

from auth0_mcp_sandbox.lucene import LuceneError, compile_query
from auth0_mcp_sandbox.routing import (
    ApiError,
    Reply,
    Router,
    SandboxRequest,
    check_body,
    invalid_body,
    offset_page,
    project,
)
from auth0_mcp_sandbox.tenant import SandboxTenant, iso_now, random_alnum

from . import metadata

router = Router("users", seed_after=("connections", "roles", "resource_servers", "logs"))
USERS = "users"
DATABASE = "Username-Password-Authentication"
DATABASE_ID = "con_Q3pLx8ZcWf2T7KbM"  # the id the logs emulator's events name
SEARCH_CAP = 1000
# ``format: email`` as Auth0 checks it: a local part, then host-name labels (letters, digits,
# inner hyphens; international letters too) joined by single dots.
_LABEL = r"[^\W_](?:(?:[^\W_]|-)*[^\W_])?"
EMAIL = re.compile(rf"^[^@\s]+@(?:{_LABEL}\.)+{_LABEL}$")
PROFILE = {"email": str, "phone_number": str, "user_metadata": dict, "blocked": bool,
           "email_verified": bool, "phone_verified": bool, "app_metadata": dict,
           "given_name": str, "family_name": str, "name": str, "nickname": str, "picture": str,
           "verify_email": bool, "password": str, "connection": str, "username": str,
           "client_id": str, "verify_phone_number": bool}
CREATABLE = {**PROFILE, "user_id": str}
ORDER = ("user_id", "email", "email_verified", "username", "phone_number", "name",
         "given_name", "family_name", "nickname", "picture", "identities", "created_at",
         "updated_at", "user_metadata", "app_metadata", "blocked", "last_ip", "last_login",
         "logins_count")
STORED_ONLY = ("password_hash",)


def not_found() -> ApiError:
    return ApiError(404, "The user does not exist.", "inexistent_user")


def find(tenant: SandboxTenant, user_id: str) -> dict[str, Any]:
    user = tenant.collection(USERS).get(user_id)
    if user is None:
        raise not_found()
    return user


def public(user: dict[str, Any]) -> dict[str, Any]:
    ordered = {k: user[k] for k in ORDER if k in user}
    ordered.update({k: v for k, v in user.items() if k not in ordered and k not in STORED_ONLY})
    return ordered


def render(user: dict[str, Any], req: SandboxRequest) -> dict[str, Any]:
    return project(public(user), req)


# -- passwords and connections ---------------------------------------------------------------


def connection_named(tenant: SandboxTenant, name: str) -> dict[str, Any] | None:
    for connection in tenant.collection("connections").values():
        if connection.get("name") == name:
            return connection
    return None


def _classes(password: str) -> int:
    return sum(bool(re.search(p, password)) for p in (r"[a-z]", r"[A-Z]", r"\d", r"[^\w\s]|_"))


def password_ok(password: str, policy: str, min_length: int | None = None) -> bool:
    """Auth0's database password policies: none, low (6), fair (8, lower+upper+digit),
    good (8, three of four classes), excellent (10, three of four, no char thrice in a row)."""
    length = {"none": 1, "low": 6, "fair": 8, "good": 8, "excellent": 10}.get(policy, 8)
    if len(password) < max(length, min_length or 0):
        return False
    if policy == "fair":
        return all(re.search(p, password) for p in (r"[a-z]", r"[A-Z]", r"\d"))
    if policy in ("good", "excellent") and _classes(password) < 3:
        return False
    return not (policy == "excellent" and re.search(r"(.)\1\1", password))


def check_password(tenant: SandboxTenant, connection_name: str, password: str) -> None:
    connection = connection_named(tenant, connection_name) or {}
    options = connection.get("options") or {}
    policy = options.get("passwordPolicy") or "good"
    minimum = (options.get("password_complexity_options") or {}).get("min_length")
    if not password_ok(password, policy, minimum):
        raise ApiError(400, "PasswordStrengthError: Password is too weak", "invalid_password")


def check_email(email: Any) -> None:
    if email is not None and not EMAIL.match(str(email)):
        raise invalid_body(f"Object didn't pass validation for format email: {email}", "email")


# -- search ----------------------------------------------------------------------------------


def search_document(user: dict[str, Any],
                    organizations: dict[str, list[str]] | None = None) -> dict[str, Any]:
    """What Lucene sees of a user: identities flattened so ``identities.connection`` matches,
    numbers zero-padded so ranges compare as numbers, the profile as the free-text field, and
    the two fields Auth0 derives: ``email.domain`` (queried as ``email_domain``, see
    ``_derived_fields``) and ``organization_id`` (the organizations the user is a member of)."""
    doc = dict(user)
    doc["email_domain"] = str(user.get("email") or "").rpartition("@")[2] or None
    doc["organization_id"] = (organizations or {}).get(user.get("user_id", ""), [])
    identities = user.get("identities") or []
    doc["identities"] = {k: [i.get(k) for i in identities]
                         for k in ("connection", "provider", "user_id", "isSocial")}
    if isinstance(user.get("logins_count"), int):
        doc["logins_count"] = f"{user['logins_count']:012d}"
    doc["description"] = " ".join(str(user.get(k) or "") for k in
                                  ("email", "name", "nickname", "username", "user_id"))
    return doc


_COUNT_RANGE = re.compile(r"(logins_count:[\[{])\s*(\S+)\s+TO\s+(\S+?)\s*([\]}])")
_COUNT_TERM = re.compile(r"logins_count:(\d+)\b")


_EMAIL_DOMAIN = re.compile(r"(?<![\w.])email\.domain:")


def _derived_fields(q: str) -> str:
    """``email.domain`` names a field the document holds as ``email_domain`` (``email`` is a
    string there, so a dotted path cannot reach into it)."""
    return _EMAIL_DOMAIN.sub("email_domain:", q)


def _pad_counts(q: str) -> str:
    def pad(value: str) -> str:
        return f"{int(value):012d}" if value.isdigit() else value

    q = _COUNT_RANGE.sub(lambda m: f"{m[1]}{pad(m[2])} TO {pad(m[3])}{m[4]}", q)
    return _COUNT_TERM.sub(lambda m: f"logins_count:{pad(m[1])}", q)


@router.get("/api/v2/users", scope=("read:users", "read:user_idp_tokens"))
def list_users(req: SandboxRequest) -> Any:
    engine = req.query.get("search_engine") or "v3"
    if engine not in ("v1", "v2", "v3"):
        raise ApiError(400, "Query validation error: 'No enum match for: \"" + engine +
                       "\"' on property search_engine.", "invalid_query_string")
    try:
        match = compile_query(_derived_fields(_pad_counts(req.query.get("q") or "")))
    except LuceneError as exc:
        raise ApiError(400, f"Query validation error: {exc}.", "invalid_query_string") from None
    organizations: dict[str, list[str]] = {}
    for member in req.tenant.collection("organization_members").values():
        organizations.setdefault(member.get("user_id", ""), []).append(member.get("org_id", ""))
    users = [u for u in req.tenant.collection(USERS).values()
             if match(search_document(u, organizations))]
    sort = req.query.get("sort")
    if sort:
        field, _, direction = sort.partition(":")
        if direction not in ("1", "-1"):
            raise ApiError(400, "Query validation error: 'String does not match pattern "
                           "^(([a-zA-Z0-9_\\.]+))\\:(1|-1)$' on property sort.",
                           "invalid_query_string")
        users.sort(key=lambda u: (u.get(field) is None, str(u.get(field, ""))),
                   reverse=direction == "-1")
    page = req.query_int("page", 0) or 0
    per_page = req.query_int("per_page", 50, minimum=0, maximum=100) or 50
    if (page + 1) * per_page > SEARCH_CAP:
        raise ApiError(400, f"You can only page through the first {SEARCH_CAP} records.",
                       "invalid_paging")
    body = offset_page(req, users, "users", render=render, max_per_page=100)
    if isinstance(body, dict):
        return {"start": body["start"], "limit": body["limit"], "length": len(body["users"]),
                "users": body["users"], "total": body["total"]}
    return body


@router.get("/api/v2/users-by-email", scope="read:users")
def users_by_email(req: SandboxRequest) -> Any:
    """Case-sensitive, as the Management API reference says (emails are stored lowercased,
    so a mixed-case query finds nobody)."""
    email = req.query.get("email") or ""
    if not email:
        raise ApiError(400, "Query validation error: 'Missing required property: email'.",
                       "invalid_query_string")
    return [render(u, req) for u in req.tenant.collection(USERS).values()
            if u.get("email") == email]


# -- one user --------------------------------------------------------------------------------


def _picture(email: str) -> str:
    digest = hashlib.md5(email.lower().encode()).hexdigest()
    return f"https://s.gravatar.com/avatar/{digest}?s=480&r=pg&d=https%3A%2F%2Fcdn.auth0.com"


def check_metadata(body: dict[str, Any]) -> None:
    for field in metadata.FIELDS:
        problem = metadata.refusal(field, body.get(field))
        if problem:
            raise ApiError(400, problem, "invalid_body")


def make_user(tenant: SandboxTenant, body: dict[str, Any]) -> dict[str, Any]:
    check_body(body, CREATABLE, required=("connection",))
    check_email(body.get("email"))
    check_metadata(body)
    name = body["connection"]
    connection = connection_named(tenant, name)
    strategy = (connection or {}).get("strategy") or ("auth0" if name == DATABASE else None)
    if strategy is None:
        raise ApiError(400, "The connection does not exist.", "inexistent_connection")
    if strategy not in ("auth0", "email", "sms"):  # social and enterprise users log in first
        raise ApiError(400, "Connection is not supported for this operation.",
                       "operation_not_supported")
    if strategy == "auth0":
        if not body.get("email") and not body.get("username"):
            raise invalid_body("Missing required property: email", "email")
        if not body.get("password"):
            raise invalid_body("Missing required property: password", "password")
        check_password(tenant, name, body["password"])
    email = str(body.get("email") or "").lower() or None
    for other in tenant.collection(USERS).values():
        same = [i for i in other.get("identities", []) if i.get("connection") == name]
        if same and email and other.get("email") == email:
            raise ApiError(409, "The user already exists.", "auth0_idp_error")
    provider = "auth0" if strategy == "auth0" else strategy
    local_id = str(body.get("user_id") or secrets.token_hex(12)).split("|")[-1]
    user_id = f"{provider}|{local_id}"
    if user_id in tenant.collection(USERS):
        raise ApiError(409, "The user already exists.", "auth0_idp_error")
    now = iso_now()
    nick = (email or body.get("username") or "user").split("@")[0]
    user: dict[str, Any] = {"user_id": user_id, "email": email,
                            "email_verified": bool(body.get("email_verified", False))}
    for key in ("username", "phone_number", "given_name", "family_name"):
        if body.get(key):
            user[key] = body[key]
    user.update({
        "name": body.get("name") or email or body.get("username"),
        "nickname": body.get("nickname") or nick,
        "picture": body.get("picture") or _picture(email or nick),
        "identities": [{"connection": name, "user_id": local_id, "provider": provider,
                        "isSocial": strategy not in ("auth0", "samlp", "oidc", "waad", "ad")}],
        "created_at": now, "updated_at": now,
    })
    for key in ("user_metadata", "app_metadata"):
        if body.get(key):
            user[key] = strip_nulls(body[key])
    if body.get("blocked"):
        user["blocked"] = True
    if email is None:
        del user["email"]
    tenant.collection(USERS)[user_id] = user
    return user


def strip_nulls(metadata: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in metadata.items() if v is not None}


@router.post("/api/v2/users", scope="create:users")
def create_user(req: SandboxRequest) -> Any:
    user = make_user(req.tenant, req.json_object())
    return Reply(public(user), status=201)


@router.get("/api/v2/users/{id}", scope=("read:users", "read:user_idp_tokens"))
def get_user(req: SandboxRequest) -> Any:
    return render(find(req.tenant, req.path_params["id"]), req)


@router.patch("/api/v2/users/{id}", scope=("update:users", "update:users_app_metadata"))
def update_user(req: SandboxRequest) -> Any:
    user = find(req.tenant, req.path_params["id"])
    body = req.json_object()
    check_body(body, PROFILE)
    check_email(body.get("email"))
    check_metadata(body)
    if body.get("password"):
        connection = body.get("connection") or (user.get("identities") or [{}])[0].get(
            "connection", DATABASE)
        check_password(req.tenant, connection, body["password"])
    patched = metadata.after_patch(user, body)
    if body.get("email"):
        patched["email"] = body["email"].lower()
    user.clear()
    user.update(patched)
    user["updated_at"] = iso_now()
    return public(user)  # Auth0 ignores fields/include_fields here, as recorded


@router.delete("/api/v2/users/{id}", scope="delete:users")
def delete_user(req: SandboxRequest) -> Any:
    user_id = req.path_params["id"]
    req.tenant.collection(USERS).pop(user_id, None)
    for members in req.tenant.collection("role_members").values():
        if user_id in members.get("user_ids", []):
            members["user_ids"].remove(user_id)
    for key in [k for k in req.tenant.collection("organization_members")
                if k.endswith(f"|{user_id}")]:
        del req.tenant.collection("organization_members")[key]
    for name in ("user_permissions", "user_blocks"):
        req.tenant.collection(name).pop(user_id, None)
    return Reply(status=204)


# -- blocks ----------------------------------------------------------------------------------


def _blocks_for(tenant: SandboxTenant, identifier: str) -> tuple[list[str], list[Any]]:
    ident = identifier.lower()
    keys, found = [], []
    for user_id, entry in tenant.collection("user_blocks").items():
        user = tenant.collection(USERS).get(user_id) or {}
        if ident in (str(user.get("email", "")).lower(), str(user.get("username", "")).lower(),
                     str(user.get("phone_number", "")).lower()):
            keys.append(user_id)
            found += entry.get("blocked_for", [])
    return keys, found


def _identifier(req: SandboxRequest) -> str:
    identifier = req.query.get("identifier")
    if not identifier:
        raise ApiError(400, "Query validation error: 'Missing required property: "
                       "identifier'.", "invalid_query_string")
    return identifier


@router.get("/api/v2/user-blocks", scope="read:users")
def blocks_by_identifier(req: SandboxRequest) -> Any:
    return {"blocked_for": _blocks_for(req.tenant, _identifier(req))[1]}


@router.delete("/api/v2/user-blocks", scope="update:users")
def unblock_by_identifier(req: SandboxRequest) -> Any:
    for user_id in _blocks_for(req.tenant, _identifier(req))[0]:
        req.tenant.collection("user_blocks").pop(user_id, None)
    return Reply(status=204)


@router.get("/api/v2/user-blocks/{id}", scope="read:users")
def blocks_of_user(req: SandboxRequest) -> Any:
    find(req.tenant, req.path_params["id"])
    entry = req.tenant.collection("user_blocks").get(req.path_params["id"]) or {}
    return {"blocked_for": entry.get("blocked_for", [])}


@router.delete("/api/v2/user-blocks/{id}", scope="update:users")
def unblock_user(req: SandboxRequest) -> Any:
    find(req.tenant, req.path_params["id"])
    req.tenant.collection("user_blocks").pop(req.path_params["id"], None)
    return Reply(status=204)


# -- roles and permissions -------------------------------------------------------------------


def items_first(req: SandboxRequest, rows: list[dict[str, Any]], key: str) -> Any:
    """Offset paging whose envelope names the items first (``{roles, start, limit, total}``),
    as a user's roles and organizations are recorded."""
    body = offset_page(req, rows, key)
    if isinstance(body, dict):
        return {key: body[key], "start": body["start"], "limit": body["limit"],
                "total": body["total"]}
    return body


def role_ids_of(tenant: SandboxTenant, user_id: str) -> list[str]:
    return [role_id for role_id, members in tenant.collection("role_members").items()
            if user_id in members.get("user_ids", []) and role_id in tenant.collection("roles")]


def _role_list(req: SandboxRequest) -> list[str]:
    body = req.json_object()
    check_body(body, {"roles": list}, required=("roles",))
    roles = body["roles"]
    if not all(isinstance(r, str) for r in roles):
        raise invalid_body("Expected type string but found another type", "roles")
    for role_id in roles:
        if role_id not in req.tenant.collection("roles"):
            raise ApiError(404, "The role does not exist.")
    return roles


@router.get("/api/v2/users/{id}/roles", scope=("read:users", "read:roles", "read:role_members"))
def user_roles(req: SandboxRequest) -> Any:
    user_id = req.path_params["id"]
    find(req.tenant, user_id)
    roles = [req.tenant.collection("roles")[r] for r in role_ids_of(req.tenant, user_id)]
    rows = [{"id": r["id"], "name": r.get("name"), "description": r.get("description")}
            for r in roles]
    return items_first(req, rows, "roles")


@router.post("/api/v2/users/{id}/roles", scope=("update:users", "create:role_members"))
def assign_roles(req: SandboxRequest) -> Any:
    user_id = req.path_params["id"]
    find(req.tenant, user_id)
    for role_id in _role_list(req):
        members = req.tenant.collection("role_members").setdefault(
            role_id, {"role_id": role_id, "user_ids": []})
        if user_id not in members["user_ids"]:
            members["user_ids"].append(user_id)
    return Reply(status=204)


@router.delete("/api/v2/users/{id}/roles", scope=("update:users", "delete:role_members"))
def remove_roles(req: SandboxRequest) -> Any:
    user_id = req.path_params["id"]
    for role_id in _role_list(req):
        members = req.tenant.collection("role_members").get(role_id) or {}
        if user_id in members.get("user_ids", []):
            members["user_ids"].remove(user_id)
    return Reply(status=204)


def _api_by_identifier(tenant: SandboxTenant, identifier: str) -> dict[str, Any] | None:
    for api in tenant.collection("resource_servers").values():
        if api.get("identifier") == identifier:
            return api
    return None


def _permission_row(tenant: SandboxTenant, perm: dict[str, Any], source: dict[str, str]
                    ) -> dict[str, Any]:
    api = _api_by_identifier(tenant, perm["resource_server_identifier"]) or {}
    described = {s.get("value"): s.get("description") for s in api.get("scopes") or []}
    return {"permission_name": perm["permission_name"],
            "description": described.get(perm["permission_name"]) or "",
            "resource_server_name": api.get("name", perm["resource_server_identifier"]),
            "resource_server_identifier": perm["resource_server_identifier"],
            "sources": [source]}


@router.get("/api/v2/users/{id}/permissions", scope="read:users")
def user_permissions(req: SandboxRequest) -> Any:
    user_id = req.path_params["id"]
    find(req.tenant, user_id)
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    direct = (req.tenant.collection("user_permissions").get(user_id) or {}).get("permissions", [])
    sources = [(p, {"source_id": "", "source_name": "", "source_type": "DIRECT"})
               for p in direct]
    for role_id in role_ids_of(req.tenant, user_id):
        role = req.tenant.collection("roles")[role_id]
        for perm in (req.tenant.collection("role_permissions").get(role_id) or {}).get(
                "permissions", []):
            sources.append((perm, {"source_id": role_id, "source_name": role.get("name", ""),
                                   "source_type": "ROLE"}))
    for perm, source in sources:
        key = (perm["resource_server_identifier"], perm["permission_name"])
        if key in rows:
            rows[key]["sources"].append(source)
        else:
            rows[key] = _permission_row(req.tenant, perm, source)
    return offset_page(req, list(rows.values()), "permissions", order=("start", "limit", "total"))


def _permission_list(req: SandboxRequest, *, must_exist: bool) -> list[dict[str, str]]:
    body = req.json_object()
    check_body(body, {"permissions": list}, required=("permissions",))
    perms = []
    for perm in body["permissions"]:
        if not isinstance(perm, dict) or not perm.get("permission_name") or not perm.get(
                "resource_server_identifier"):
            raise invalid_body("Missing required property: permission_name", "permissions")
        api = _api_by_identifier(req.tenant, perm["resource_server_identifier"]) or {}
        if must_exist and perm["permission_name"] not in {
                s.get("value") for s in api.get("scopes") or []}:
            raise ApiError(404, "This permission does not exist: "
                           f"'{perm['resource_server_identifier']} - {perm['permission_name']}'",
                           "inexistent_resource_server_permission")
        perms.append({"permission_name": perm["permission_name"],
                      "resource_server_identifier": perm["resource_server_identifier"]})
    return perms


@router.post("/api/v2/users/{id}/permissions", scope="update:users")
def add_permissions(req: SandboxRequest) -> Any:
    user_id = req.path_params["id"]
    find(req.tenant, user_id)
    entry = req.tenant.collection("user_permissions").setdefault(
        user_id, {"user_id": user_id, "permissions": []})
    for perm in _permission_list(req, must_exist=True):
        if perm not in entry["permissions"]:
            entry["permissions"].append(perm)
    return Reply({}, status=201)


@router.delete("/api/v2/users/{id}/permissions", scope="update:users")
def remove_permissions(req: SandboxRequest) -> Any:
    user_id = req.path_params["id"]
    entry = req.tenant.collection("user_permissions").get(user_id) or {"permissions": []}
    for perm in _permission_list(req, must_exist=False):
        if perm in entry["permissions"]:
            entry["permissions"].remove(perm)
    return Reply(status=204)


@router.get("/api/v2/users/{id}/organizations", scope="read:organizations")
def user_organizations(req: SandboxRequest) -> Any:
    user_id = req.path_params["id"]
    find(req.tenant, user_id)
    orgs = req.tenant.collection("organizations")
    rows = [orgs[m["org_id"]] for m in req.tenant.collection("organization_members").values()
            if m.get("user_id") == user_id and m.get("org_id") in orgs]
    return items_first(req, rows, "organizations")


# Only when the roles family is not installed (it owns /roles): enough of GET /roles for this
# family's tools to find a role by name.
roles_router = Router("users-roles")


@roles_router.get("/api/v2/roles", scope="read:roles")
def list_roles(req: SandboxRequest) -> Any:
    wanted = (req.query.get("name_filter") or "").lower()
    roles = [{"id": r["id"], "name": r.get("name"), "description": r.get("description")}
             for r in req.tenant.collection("roles").values()
             if wanted in str(r.get("name", "")).lower()]
    return items_first(req, roles, "roles")


# -- logs, identities, MFA -------------------------------------------------------------------


@router.get("/api/v2/users/{id}/logs", scope=("read:logs", "read:logs_users"))
def user_logs(req: SandboxRequest) -> Any:
    user_id = req.path_params["id"]
    events = [e for e in reversed(req.tenant.logs) if e.get("user_id") == user_id]
    if req.query.get("sort") == "date:1":
        events.reverse()
    page = req.query_int("page", 0) or 0
    per_page = req.query_int("per_page", 50, minimum=1, maximum=100) or 50
    chunk = events[page * per_page:(page + 1) * per_page]
    if req.query_bool("include_totals"):
        return {"start": page * per_page, "limit": per_page, "length": len(chunk),
                "total": len(events), "logs": chunk}
    return chunk


PROFILE_DATA = ("email", "given_name", "family_name", "username", "nickname", "picture",
                "email_verified")


def identities_answer(user: dict[str, Any]) -> list[dict[str, Any]]:
    """A user's identities as link and unlink answer them: each with its ``profileData``, the
    primary one's taken from the user's own profile."""
    first, *rest = user["identities"]
    profile = {k: user[k] for k in PROFILE_DATA if k in user}
    return [{"profileData": profile, **first}, *rest]


@router.post("/api/v2/users/{id}/identities", scope="update:users")
def link_identity(req: SandboxRequest) -> Any:
    primary = find(req.tenant, req.path_params["id"])
    body = req.json_object()
    check_body(body, {"provider": str, "connection_id": str, "user_id": str, "link_with": str})
    secondary_id = str(body.get("user_id") or "")
    if "|" not in secondary_id and body.get("provider"):
        secondary_id = f"{body['provider']}|{secondary_id}"
    secondary = req.tenant.collection(USERS).pop(secondary_id, None)
    if secondary is None:
        raise not_found()
    profile = {k: secondary[k] for k in PROFILE_DATA if k in secondary}
    for identity in secondary.get("identities", []):
        primary["identities"].append({"profileData": profile, **identity})
    return Reply(identities_answer(primary), status=201)


@router.delete("/api/v2/users/{id}/identities/{provider}/{user_id}", scope="update:users")
def unlink_identity(req: SandboxRequest) -> Any:
    primary = find(req.tenant, req.path_params["id"])
    provider, local = req.path_params["provider"], req.path_params["user_id"]
    kept = [i for i in primary["identities"][1:]
            if not (i.get("provider") == provider and i.get("user_id") == local)]
    primary["identities"] = primary["identities"][:1] + kept
    return identities_answer(primary)


def methods_of(tenant: SandboxTenant, user_id: str) -> list[dict[str, Any]]:
    return [{k: v for k, v in m.items() if k != "user_id"}
            for m in tenant.collection("authentication_methods").values()
            if m.get("user_id") == user_id]


@router.get("/api/v2/users/{id}/authentication-methods", scope="read:authentication_methods")
def authentication_methods(req: SandboxRequest) -> Any:
    find(req.tenant, req.path_params["id"])
    return offset_page(req, methods_of(req.tenant, req.path_params["id"]), "authenticators",
                       order=("start", "limit", "total"))


def _drop_methods(tenant: SandboxTenant, user_id: str, method_id: str | None = None) -> int:
    methods = tenant.collection("authentication_methods")
    doomed = [k for k, m in methods.items() if m.get("user_id") == user_id
              and (method_id is None or k == method_id)]
    for key in doomed:
        del methods[key]
    return len(doomed)


@router.delete("/api/v2/users/{id}/authentication-methods",
               scope="delete:authentication_methods")
def reset_authentication_methods(req: SandboxRequest) -> Any:
    find(req.tenant, req.path_params["id"])
    _drop_methods(req.tenant, req.path_params["id"])
    return Reply(status=204)


@router.delete("/api/v2/users/{id}/authentication-methods/{method_id}",
               scope="delete:authentication_methods")
def delete_authentication_method(req: SandboxRequest) -> Any:
    find(req.tenant, req.path_params["id"])
    if not _drop_methods(req.tenant, req.path_params["id"], req.path_params["method_id"]):
        raise ApiError(404, "The authentication method does not exist.",
                       "inexistent_authentication_method")
    return Reply(status=204)


@router.delete("/api/v2/users/{id}/authenticators", scope="delete:guardian_enrollments")
def delete_authenticators(req: SandboxRequest) -> Any:
    return reset_authentication_methods(req)


@router.get("/api/v2/users/{id}/enrollments", scope="read:users")
def enrollments(req: SandboxRequest) -> Any:
    find(req.tenant, req.path_params["id"])
    return [{"id": m["id"], "status": "confirmed", "type": "authenticator",
             "auth_method": m["type"], "enrolled_at": m.get("created_at")}
            for m in methods_of(req.tenant, req.path_params["id"])
            if m.get("type") in ("totp", "push", "sms")]


# -- emails and tickets ----------------------------------------------------------------------


@router.post("/api/v2/jobs/verification-email", scope="update:users")
def verification_email(req: SandboxRequest) -> Any:
    body = req.json_object()
    check_body(body, {"user_id": str, "client_id": str, "identity": dict,
                      "organization_id": str}, required=("user_id",))
    user = find(req.tenant, body["user_id"])
    if user.get("email_verified"):
        raise ApiError(400, "The user's email is already verified.", "operation_not_supported")
    return Reply({"type": "verification_email", "status": "pending",
                  "created_at": iso_now(), "id": "job_" + random_alnum(16)}, status=201)


@router.post("/api/v2/tickets/password-change", scope="create:user_tickets")
def password_change_ticket(req: SandboxRequest) -> Any:
    body = req.json_object()
    check_body(body, {"user_id": str, "result_url": str, "client_id": str,
                      "organization_id": str, "connection_id": str, "email": str,
                      "ttl_sec": int, "mark_email_as_verified": bool,
                      "includeEmailInRedirect": bool})
    if not body.get("user_id") and not (body.get("email") and body.get("connection_id")):
        raise invalid_body("Missing required property: user_id")
    if body.get("user_id"):
        user = find(req.tenant, body["user_id"])
        if not any(i.get("provider") == "auth0" for i in user.get("identities") or []):
            raise ApiError(400, "The user does not have a password: only users of a database "
                           "connection can be sent a password-change ticket.",
                           "operation_not_supported")
    ticket = f"{req.base_url}/lo/reset?ticket={random_alnum(32)}#"
    return Reply({"ticket": ticket}, status=201)


# -- the demo tenant -------------------------------------------------------------------------

PEOPLE = [
    ("auth0|64f1c2a9e8b7d6c5b4a30001", "alice@example.com", "Alice Smith",
     {"plan": "pro", "tenant_role": "owner"}, {"theme": "dark"}, 42),
    ("auth0|64f1c2a9e8b7d6c5b4a30002", "bob@example.com", "Bob Jones",
     {"plan": "pro"}, {"language": "en"}, 17),
    ("auth0|64f1c2a9e8b7d6c5b4a30003", "carol@example.org", "Carol White",
     {"plan": "enterprise", "department": "engineering"}, {}, 88),
    ("auth0|64f1c2a9e8b7d6c5b4a30004", "dave@example.net", "Dave Brown", {"plan": "free"}, {}, 3),
    ("google-oauth2|109876543210987654321", "erin@example.com", "Erin Green",
     {"plan": "pro"}, {}, 25),
    ("auth0|64f1c2a9e8b7d6c5b4a30006", "frank@example.org", "Frank Black", {"plan": "free"},
     {"newsletter": True}, 0),
    ("auth0|64f1c2a9e8b7d6c5b4a30007", "grace@example.com", "Grace Hopper",
     {"plan": "enterprise", "department": "billing"}, {}, 61),
    ("auth0|64f1c2a9e8b7d6c5b4a30008", "heidi@example.net", "Heidi Klum", {"plan": "free"}, {},
     9),
]
# The role ids the roles family seeds; permissions use the seeded APIs' real scopes.
ROLES = [
    ("rol_admin0000000001", "admin", "Full access to the shop's APIs",
     [("https://api.example-shop.com/orders", "read:orders"),
      ("https://api.example-shop.com/orders", "cancel:orders"),
      ("https://api.example-shop.com/catalog", "write:products")]),
    ("rol_billingAdmin0001", "billing-admin", "Invoices and refunds",
     [("https://billing.example-shop.com/", "read:invoices"),
      ("https://billing.example-shop.com/", "issue:refunds")]),
    ("rol_support00000001", "support", "Read orders to help customers",
     [("https://api.example-shop.com/orders", "read:orders")]),
]
ASSIGNED = {"rol_admin0000000001": ["auth0|64f1c2a9e8b7d6c5b4a30001"],
            "rol_support00000001": ["auth0|64f1c2a9e8b7d6c5b4a30003",
                                    "auth0|64f1c2a9e8b7d6c5b4a30007"]}
DAY = 86400.0


def _seed_user(tenant: SandboxTenant, person: tuple[Any, ...], index: int, now: float) -> None:
    user_id, email, name, app_metadata, user_metadata, logins = person
    provider, local = user_id.split("|", 1)
    social = provider != "auth0"
    created = iso_now(now - (200 - 10 * index) * DAY)
    user = {
        "user_id": user_id, "email": email, "email_verified": index != 6, "name": name,
        "given_name": name.split()[0], "family_name": name.split()[-1],
        "nickname": email.split("@")[0], "picture": _picture(email),
        "identities": [{"connection": "google-oauth2" if social else DATABASE,
                        "user_id": local, "provider": provider, "isSocial": social}],
        "created_at": created, "updated_at": created,
        "app_metadata": app_metadata, "user_metadata": user_metadata,
    }
    if logins:
        user.update({"last_ip": f"203.0.113.{10 + index}",
                     "last_login": iso_now(now - index * 0.7 * DAY), "logins_count": logins})
    else:
        user["logins_count"] = 0
    user = {k: v for k, v in user.items() if v != {}}
    tenant.collection(USERS).setdefault(user_id, user)


def _agree_with_logs(tenant: SandboxTenant, user: dict[str, Any] | None) -> None:
    """A profile tells the log events' story (the logs family's, seeded first, and alice's):
    at least that many logins, the newest one the last."""
    if user is None:
        return
    successes = [e for e in tenant.logs
                 if e.get("user_id") == user["user_id"] and e.get("type") == "s"]
    if not successes:
        return
    newest = max(successes, key=lambda e: e["date"])
    user["logins_count"] = max(user.get("logins_count") or 0, len(successes))
    if newest["date"] > user.get("last_login", ""):
        user.update(last_login=newest["date"], last_ip=newest.get("ip") or user.get("last_ip"))


def _alice_story(tenant: SandboxTenant, alice: str, now: float) -> None:
    """Without the logs family's week of events, still the story the demo tells: alice logs in
    daily, then someone tries passwords from 192.108.92.3 until brute-force protection blocks
    the account. Nothing is added when the tenant log already names her."""
    if any(e.get("user_id") == alice for e in tenant.logs):
        return
    who = {"user_id": alice, "user_name": "alice@example.com", "connection": DATABASE,
           "connection_id": DATABASE_ID, "strategy": "auth0", "strategy_type": "database",
           "client_id": "AbCdEfGhIjKlMnOpQrStUvWxYz012345", "client_name": "Storefront"}
    for day in range(6, 0, -1):
        tenant.record("s", "Success Login", ts=now - day * DAY, ip="203.0.113.11", **who)
    for minute in range(8):
        kind = "fp" if minute % 3 else "f"
        tenant.record(kind, "Wrong email or password.", ts=now - 3600 + minute * 40,
                      ip="192.108.92.3", details={"error": {"message": "Wrong password."}},
                      **who)
    tenant.record("limit_wc", "Blocked Account", ts=now - 3600 + 8 * 40, ip="192.108.92.3",
                  **who)


@router.seed
def seed(tenant: SandboxTenant) -> None:
    """The people the demo logs name, the three roles (if the roles family has not made them),
    alice's brute-force block and MFA factors. Idempotent: ``setdefault`` by id throughout."""
    now = time.time()
    if connection_named(tenant, DATABASE) is None:
        tenant.collection("connections").setdefault(DATABASE_ID, {
            "id": DATABASE_ID, "name": DATABASE, "strategy": "auth0",
            "options": {"passwordPolicy": "good", "brute_force_protection": True},
            "enabled_clients": [], "is_domain_connection": False, "realms": [DATABASE]})
    for index, person in enumerate(PEOPLE, start=1):
        _seed_user(tenant, person, index, now)
    roles = tenant.collection("roles")
    for role_id, name, description, perms in ROLES:
        if role_id not in roles and not any(r.get("name") == name for r in roles.values()):
            roles[role_id] = {"id": role_id, "name": name, "description": description}
            tenant.collection("role_permissions").setdefault(role_id, {
                "role_id": role_id, "permissions": [
                    {"resource_server_identifier": api, "permission_name": scope}
                    for api, scope in perms]})
    for role_id, user_ids in ASSIGNED.items():
        tenant.collection("role_members").setdefault(role_id, {"role_id": role_id,
                                                               "user_ids": list(user_ids)})
    alice = "auth0|64f1c2a9e8b7d6c5b4a30001"
    tenant.collection("user_blocks").setdefault(alice, {"user_id": alice, "blocked_for": [
        {"identifier": "alice@example.com", "ip": "192.108.92.3",
         "connection": DATABASE}]})
    _alice_story(tenant, alice, now)
    for person in PEOPLE:
        _agree_with_logs(tenant, tenant.collection(USERS).get(person[0]))
    methods = tenant.collection("authentication_methods")
    for method_id, user_id, kind, extra in (
            ("totp|dev_a1iceT0tp00001", alice, "totp", {}),
            ("phone|dev_a1icePh0ne0001", alice, "phone",
             {"phone_number": "+1 555 0100", "preferred_authentication_method": "sms"}),
            ("totp|dev_car0lT0tp000001", "auth0|64f1c2a9e8b7d6c5b4a30003", "totp", {})):
        methods.setdefault(method_id, {"id": method_id, "user_id": user_id, "type": kind,
                                       "confirmed": True, "created_at": iso_now(now - 90 * DAY),
                                       **extra})
