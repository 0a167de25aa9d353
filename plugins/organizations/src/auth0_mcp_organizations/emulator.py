"""Sandbox endpoints for ``/api/v2/organizations``: organizations, their members and the
members' roles, their enabled connections and their invitations.

Statuses and bodies follow the recordings: creates answer 201 (members and member roles 204),
deletes 204, an unknown organization is a 404 ``"No organization found by that id or name"``
without ``errorCode``, members and organizations page by offset or by checkpoint (``take``,
then ``from=<next>``), and the invitations envelope has no ``total``.

Shared state, in the layout the users family reads too: ``organizations`` holds the objects as
Auth0 shows them; ``organization_members`` (``{org_id, user_id, roles, created_at}``, keyed
``"<org_id>|<user_id>"``; ``roles`` are role ids), ``organization_connections``
(``{organization_id, connection_id, assign_membership_on_login, show_as_button,
is_signup_enabled}``) and ``organization_invitations`` (the invitations, with
``organization_id``) link them to the ``users``, ``roles`` and ``connections`` collections.
The only module of the family that imports the sandbox framework.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from auth0_mcp_sandbox.routing import (
    ApiError,
    Reply,
    Router,
    SandboxRequest,
    check_body,
    checkpoint_page,
    invalid_body,
    offset_page,
    project,
    shared_object,
    stored,
    user_row,
)
from auth0_mcp_sandbox.tenant import SandboxTenant, iso_now, random_alnum

# acme names the users, the admin role, the database connection and the Storefront application
# those families seed when they are installed.
router = Router("organizations", seed_after=("clients", "connections", "users", "roles"))
ORGS, MEMBERS = "organizations", "organization_members"
CONNECTIONS, INVITATIONS = "organization_connections", "organization_invitations"
BASE = "/api/v2/organizations/{id}"
NOT_FOUND = "No organization found by that id or name"
NAME = re.compile(r"^[a-z0-9](?:[a-z0-9_-]{0,48}[a-z0-9])?$")
WRITABLE = {"name": str, "display_name": str, "branding": dict, "metadata": dict,
            "token_quota": dict, "is_app_entitlement_active": bool,
            "third_party_client_access": str}
ORDER = ("id", "name", "display_name", "branding", "metadata")


def find(tenant: SandboxTenant, org_id: str) -> dict[str, Any]:
    return stored(tenant, ORGS, org_id, NOT_FOUND)


def _org(req: SandboxRequest) -> dict[str, Any]:
    return find(req.tenant, req.path_params["id"])


def _check_org(tenant: SandboxTenant, body: dict[str, Any], org_id: str | None = None) -> None:
    if "name" in body and not NAME.match(body["name"] or ""):
        raise invalid_body("String does not match pattern ^[a-z0-9](?:[a-z0-9_-]{0,48}"
                           "[a-z0-9])?$ (lower-case letters, digits, - and _)", "name")
    if "display_name" in body and not 1 <= len(body["display_name"]) <= 255:
        raise invalid_body("String is too long (255 chars max)", "display_name")
    metadata = body.get("metadata") or {}
    if len(metadata) > 25 or not all(isinstance(v, str) for v in metadata.values()):
        raise invalid_body("Expected type string but found another type (at most 25 keys)",
                           "metadata")
    if any(o["name"] == body.get("name") and o["id"] != org_id
           for o in tenant.collection(ORGS).values()):
        raise ApiError(409, "An organization with this name already exists.", "conflict")


def _links(tenant: SandboxTenant, collection: str, org_id: str, **match: str
           ) -> list[dict[str, Any]]:
    return [v for v in tenant.collection(collection).values()
            if v["organization_id"] == org_id and all(v[k] == m for k, m in match.items())]


def _drop(tenant: SandboxTenant, collection: str, org_id: str, **match: str) -> None:
    links = tenant.collection(collection)
    for key in [k for k, v in links.items() if v["organization_id"] == org_id
                and all(v[f] == m for f, m in match.items())]:
        del links[key]


def _strings(body: dict[str, Any], key: str) -> list[str]:
    check_body(body, {key: list}, required=(key,))
    if not all(isinstance(v, str) and v for v in body[key]):
        raise invalid_body("Expected type string but found another type", key)
    return body[key]


# --- organizations --------------------------------------------------------------------------


def page(req: SandboxRequest, items: list[Any], key: str, **options: Any) -> Any:
    """Offset pages as these endpoints answer them: ``{<key>, start, limit, total}``."""
    options.setdefault("order", ("start", "limit", "total"))
    return offset_page(req, items, key, items_first=True, **options)


@router.get("/api/v2/organizations", scope=("read:organizations",
                                            "read:organizations_summary"))
def list_organizations(req: SandboxRequest) -> Any:
    orgs = list(req.tenant.collection(ORGS).values())
    if "take" in req.query or "from" in req.query:
        return checkpoint_page(req, orgs, "organizations", ident=lambda o: o["id"],
                               stamp=lambda o: "2026-01-05T10:00:00.000Z")
    return page(req, orgs, "organizations")


@router.post("/api/v2/organizations", scope="create:organizations")
def create_organization(req: SandboxRequest) -> Reply:
    body = req.json_object()
    check_body(body, {**WRITABLE, "enabled_connections": list}, required=("name",))
    return Reply(make_organization(req.tenant, body), 201)


def make_organization(tenant: SandboxTenant, body: dict[str, Any],
                      org_id: str | None = None) -> dict[str, Any]:
    _check_org(tenant, body)
    org_id = org_id or "org_" + random_alnum(16)
    org = {"id": org_id, **body,
           "third_party_client_access": "block", "is_app_entitlement_active": False}
    connections = org.pop("enabled_connections", None) or []
    org = {k: org[k] for k in (*ORDER, *org) if k in org}
    tenant.collection(ORGS)[org_id] = org
    for item in connections:
        enable(tenant, org_id, _connection_body(tenant, item))
    return org


@router.get("/api/v2/organizations/name/{name}", scope="read:organizations")
def get_organization_by_name(req: SandboxRequest) -> Any:
    for org in req.tenant.collection(ORGS).values():
        if org["name"] == req.path_params["name"]:
            return project(org, req)
    raise ApiError(404, NOT_FOUND)


@router.get(BASE, scope=("read:organizations", "read:organizations_summary"))
def get_organization(req: SandboxRequest) -> Any:
    return project(_org(req), req)


@router.patch(BASE, scope="update:organizations")
def update_organization(req: SandboxRequest) -> Any:
    org = _org(req)
    body = req.json_object()
    check_body(body, WRITABLE)
    _check_org(req.tenant, body, org["id"])
    org.update(body)
    return org


@router.delete(BASE, scope="delete:organizations")
def delete_organization(req: SandboxRequest) -> Reply:
    org_id = _org(req)["id"]
    del req.tenant.collection(ORGS)[org_id]
    members = req.tenant.collection(MEMBERS)
    for key in [k for k, m in members.items() if m["org_id"] == org_id]:
        del members[key]
    for name in (CONNECTIONS, INVITATIONS):
        _drop(req.tenant, name, org_id)
    return Reply(None, 204)


# --- members and their roles -----------------------------------------------------------------


def members_of(tenant: SandboxTenant, org_id: str) -> list[dict[str, Any]]:
    return [m for m in tenant.collection(MEMBERS).values() if m["org_id"] == org_id]


def membership(tenant: SandboxTenant, org_id: str, user_id: str) -> dict[str, Any] | None:
    return tenant.collection(MEMBERS).get(f"{org_id}|{user_id}")


def role_names(tenant: SandboxTenant, member: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"id": role_id, "name": (shared_object(tenant, "roles", role_id) or {}).get("name")}
            for role_id in member.get("roles", [])]


@router.get(BASE + "/members", scope="read:organization_members")
def list_members(req: SandboxRequest) -> Any:
    org = _org(req)
    wants_roles = "roles" in (req.query.get("fields") or "").split(",")

    def render(member: Any, _req: SandboxRequest) -> dict[str, Any]:
        row = user_row(req.tenant, member["user_id"])
        if wants_roles:
            row["roles"] = role_names(req.tenant, member)
        return project(row, req)

    members = members_of(req.tenant, org["id"])
    if "take" in req.query or "from" in req.query:
        return checkpoint_page(req, members, "members", stamp=lambda m: m["created_at"],
                               ident=lambda m: m["user_id"], render=render)
    return page(req, members, "members", render=render)


@router.post(BASE + "/members", scope="create:organization_members")
def add_members(req: SandboxRequest) -> Reply:
    org = _org(req)
    user_ids = _strings(req.json_object(), "members")
    if any(shared_object(req.tenant, "users", u) is None for u in user_ids):
        raise ApiError(404, "The user does not exist.", "inexistent_user")
    add(req.tenant, org["id"], user_ids)
    return Reply(None, 204)


def add(tenant: SandboxTenant, org_id: str, user_ids: Iterable[str]) -> None:
    members = tenant.collection(MEMBERS)
    for user_id in user_ids:
        members.setdefault(f"{org_id}|{user_id}", {"org_id": org_id, "user_id": user_id,
                                                   "roles": [], "created_at": iso_now()})


@router.delete(BASE + "/members", scope="delete:organization_members")
def remove_members(req: SandboxRequest) -> Reply:
    org = _org(req)
    for user_id in _strings(req.json_object(), "members"):
        req.tenant.collection(MEMBERS).pop(f"{org['id']}|{user_id}", None)
    return Reply(None, 204)


def _member(req: SandboxRequest) -> dict[str, Any]:
    found = membership(req.tenant, _org(req)["id"], req.path_params["user_id"])
    if found is None:
        raise ApiError(400, "User is not a member of the organization.", "invalid_body")
    return found


def _role_ids(req: SandboxRequest) -> list[str]:
    role_ids = _strings(req.json_object(), "roles")
    for role_id in role_ids:
        if shared_object(req.tenant, "roles", role_id) is None:
            raise ApiError(404, f"No such role with id: {role_id}")
    return role_ids


@router.get(BASE + "/members/{user_id}/roles", scope="read:organization_member_roles")
def list_member_roles(req: SandboxRequest) -> Any:
    found = [shared_object(req.tenant, "roles", r) for r in _member(req)["roles"]]
    rows = [{k: v for k, v in role.items() if k in ("id", "name", "description")}
            for role in found if role]
    return page(req, rows, "roles")


@router.post(BASE + "/members/{user_id}/roles", scope="create:organization_member_roles")
def assign_member_roles(req: SandboxRequest) -> Reply:
    role_ids = _role_ids(req)
    member = _member(req)
    grant(req.tenant, member["org_id"], member["user_id"], role_ids)
    return Reply(None, 204)


def grant(tenant: SandboxTenant, org_id: str, user_id: str, role_ids: Iterable[str]) -> None:
    member = membership(tenant, org_id, user_id)
    assert member is not None, "grant roles to members only"
    member["roles"].extend(r for r in dict.fromkeys(role_ids) if r not in member["roles"])


@router.delete(BASE + "/members/{user_id}/roles", scope="delete:organization_member_roles")
def remove_member_roles(req: SandboxRequest) -> Reply:
    member = membership(req.tenant, _org(req)["id"], req.path_params["user_id"]) or {}
    for role_id in _role_ids(req):
        if role_id in member.get("roles", []):
            member["roles"].remove(role_id)
    return Reply(None, 204)


# --- enabled connections ------------------------------------------------------------------


def _connection_body(tenant: SandboxTenant, body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise invalid_body("Expected type object", "enabled_connections")
    check_body(body, {"connection_id": str, "assign_membership_on_login": bool,
                      "show_as_button": bool, "is_signup_enabled": bool},
               required=("connection_id",))
    if shared_object(tenant, "connections", body["connection_id"]) is None:
        raise ApiError(404, "The connection does not exist", "inexistent_connection")
    return body


def enable(tenant: SandboxTenant, org_id: str, body: dict[str, Any]) -> dict[str, Any]:
    link = {"organization_id": org_id, "connection_id": body["connection_id"],
            "assign_membership_on_login": False, "show_as_button": True}
    link.update(body)
    _check_signup(tenant, link)
    tenant.collection(CONNECTIONS)[f"{org_id} {body['connection_id']}"] = link
    return link


def _check_signup(tenant: SandboxTenant, link: dict[str, Any]) -> None:
    if link.get("is_signup_enabled") and not (link["assign_membership_on_login"] and (
            shared_object(tenant, "connections", link["connection_id"]) or {}
    ).get("strategy") == "auth0"):
        raise ApiError(400, "Only database connections with assign_membership_on_login = true "
                       "support is_signup_enabled = true.", "invalid_body")


def shown_connection(tenant: SandboxTenant, link: dict[str, Any]) -> dict[str, Any]:
    connection = shared_object(tenant, "connections", link["connection_id"]) or {}
    out = {k: v for k, v in link.items() if k != "organization_id"}
    out["connection"] = {"name": connection.get("name"), "strategy": connection.get("strategy")}
    return out


def _enabled(req: SandboxRequest) -> dict[str, Any]:
    found = _links(req.tenant, CONNECTIONS, _org(req)["id"],
                   connection_id=req.path_params["connection_id"])
    if not found:
        raise ApiError(404, "No connection found by that id")
    return found[0]


@router.get(BASE + "/enabled_connections", scope="read:organization_connections")
def list_connections(req: SandboxRequest) -> Any:
    links = _links(req.tenant, CONNECTIONS, _org(req)["id"])
    return _counted(page(req, links, "enabled_connections",
                                render=lambda link, _req: shown_connection(req.tenant, link)))


def _counted(body: Any, key: str = "enabled_connections") -> Any:
    """These two envelopes report ``limit`` as the number of items returned, whatever
    ``per_page`` asked (as recorded)."""
    if isinstance(body, dict):
        body["limit"] = len(body[key])
    return body


@router.post(BASE + "/enabled_connections", scope="create:organization_connections")
def add_connection(req: SandboxRequest) -> Reply:
    org = _org(req)
    link = enable(req.tenant, org["id"], _connection_body(req.tenant, req.json_object()))
    return Reply(shown_connection(req.tenant, link), 201)


@router.get(BASE + "/enabled_connections/{connection_id}",
            scope="read:organization_connections")
def get_connection(req: SandboxRequest) -> Any:
    return shown_connection(req.tenant, _enabled(req))


@router.patch(BASE + "/enabled_connections/{connection_id}",
              scope="update:organization_connections")
def update_connection(req: SandboxRequest) -> Any:
    link = _enabled(req)
    body = req.json_object()
    check_body(body, {"assign_membership_on_login": bool, "show_as_button": bool,
                      "is_signup_enabled": bool})
    _check_signup(req.tenant, {**link, **body})
    link.update(body)
    return shown_connection(req.tenant, link)


@router.delete(BASE + "/enabled_connections/{connection_id}",
               scope="delete:organization_connections")
def remove_connection(req: SandboxRequest) -> Reply:
    _drop(req.tenant, CONNECTIONS, _org(req)["id"],
          connection_id=req.path_params["connection_id"])
    return Reply(None, 204)


# --- invitations ----------------------------------------------------------------------------

INVITATION = {"inviter": dict, "invitee": dict, "client_id": str, "connection_id": str,
              "app_metadata": dict, "user_metadata": dict, "ttl_sec": int, "roles": list,
              "send_invitation_email": bool}


@router.get(BASE + "/invitations", scope="read:organization_invitations")
def list_invitations(req: SandboxRequest) -> Any:
    found = [i for i in req.tenant.collection(INVITATIONS).values()
             if i["organization_id"] == _org(req)["id"]]
    return _counted(page(req, found, "invitations", order=("start", "limit")),
                    "invitations")


@router.post(BASE + "/invitations", scope="create:organization_invitations")
def create_invitation(req: SandboxRequest) -> Reply:
    org = _org(req)
    body = req.json_object()
    check_body(body, INVITATION, required=("inviter", "invitee", "client_id"))
    if not isinstance(body["invitee"].get("email"), str) or "@" not in body["invitee"]["email"]:
        raise invalid_body("Object didn't pass validation for format email", "invitee.email")
    if body["client_id"] not in req.tenant.collection("clients"):
        raise ApiError(404, "The client does not exist", "inexistent_client")
    return Reply(invite(req.tenant, org, body), 201)


def invite(tenant: SandboxTenant, org: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    ticket = random_alnum(32)
    now = dt.datetime.now(dt.UTC)
    ttl = body.get("ttl_sec") or 7 * 86400
    invitation = {
        "id": "uinv_" + random_alnum(16), "client_id": body["client_id"],
        "inviter": body["inviter"], "invitee": body["invitee"],
        "invitation_url": f"{tenant.base_url}/login?invitation={ticket}&organization="
                          f"{org['id']}&organization_name={org['name']}",
        "ticket_id": ticket, "created_at": iso_now(now.timestamp()),
        "expires_at": iso_now(now.timestamp() + ttl), "organization_id": org["id"]}
    invitation.update({k: body[k] for k in ("connection_id", "roles", "app_metadata",
                                            "user_metadata") if body.get(k)})
    tenant.collection(INVITATIONS)[invitation["id"]] = invitation
    return invitation


def _invitation(req: SandboxRequest) -> dict[str, Any]:
    org = _org(req)
    invitation = req.tenant.collection(INVITATIONS).get(req.path_params["invitation_id"])
    if invitation is None or invitation["organization_id"] != org["id"]:
        raise ApiError(404, "The invitation does not exist.", "inexistent_invitation")
    return invitation


@router.get(BASE + "/invitations/{invitation_id}", scope="read:organization_invitations")
def get_invitation(req: SandboxRequest) -> Any:
    return _invitation(req)


@router.delete(BASE + "/invitations/{invitation_id}", scope="delete:organization_invitations")
def delete_invitation(req: SandboxRequest) -> Reply:
    del req.tenant.collection(INVITATIONS)[_invitation(req)["id"]]
    return Reply(None, 204)


# --- demo data ------------------------------------------------------------------------------

ACME = "org_acme000000000001"
ALICE, BOB = "auth0|64f1c2a9e8b7d6c5b4a30001", "auth0|64f1c2a9e8b7d6c5b4a30002"
ADMIN_ROLE = "rol_admin0000000001"
DATABASE = "con_Q3pLx8ZcWf2T7KbM"
STOREFRONT = "AbCdEfGhIjKlMnOpQrStUvWxYz012345"  # the demo logs' id, when the family is absent


@router.seed
def seed(tenant: SandboxTenant) -> None:
    """acme with its members and their roles, its connection and an invitation; the users,
    roles and connection are other families' (see ``shared_object``)."""
    if ACME in tenant.collection(ORGS):
        return
    make_organization(tenant, {
        "name": "acme", "display_name": "Acme",
        "branding": {"logo_url": "https://acme.example.com/logo.png",
                     "colors": {"primary": "#0059d6", "page_background": "#ffffff"}},
        "metadata": {"plan": "enterprise", "account_manager": "grace@example.com"}}, ACME)
    database = next((c["id"] for c in tenant.collection("connections").values()
                     if c.get("name") == "Username-Password-Authentication"), DATABASE)
    enable(tenant, ACME, {"connection_id": database})
    add(tenant, ACME, [ALICE, BOB])
    grant(tenant, ACME, ALICE, [ADMIN_ROLE])
    storefront = next((c["client_id"] for c in tenant.collection("clients").values()
                       if c.get("name") == "Storefront"), STOREFRONT)
    invite(tenant, tenant.collection(ORGS)[ACME], {
        "client_id": storefront, "inviter": {"name": "Alice Smith"},
        "invitee": {"email": "frank@example.org"}})
