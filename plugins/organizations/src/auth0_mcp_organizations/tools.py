"""Tools for Auth0 organizations (``/api/v2/organizations``): the organizations, their members
and the members' roles, the connections members log in with, and invitations.

Answers stay compact: an organization comes with its enabled connections and pending
invitations in one call, and members with their role names.
"""

from __future__ import annotations

import re
from typing import Any

import attrs

from auth0_mcp import Auth0ApiError, Target, ToolContext, ToolError, ToolResult, arg, segment, tool
from auth0_mcp.shaping import pick

PATH = "/organizations"
ROW = ("id", "name", "display_name")
FIELDS = ("name", "display_name", "branding", "metadata")
NAME = re.compile(r"^[a-z0-9](?:[a-z0-9_-]{0,48}[a-z0-9])?$")


def org_path(org_id: str) -> str:
    if not org_id.startswith("org_"):
        raise ToolError(f"{org_id!r} is not an organization id (org_...): find it with "
                        "auth0_get_organization by name.")
    return f"{PATH}/{segment(org_id)}"


async def _extra(ctx: ToolContext, path: str, key: str, scope: str, **params: Any) -> Any:
    """A sub-resource the caller's token may not cover: its items (the whole page when
    ``params`` ask for checkpoint paging), or which scope is missing."""
    try:
        body = await ctx.api.get(path, **(params or {"per_page": 50}))
    except Auth0ApiError as err:
        if err.status == 403:
            return f"not shown: needs {scope}"
        raise
    if params:
        return body
    return body.get(key, []) if isinstance(body, dict) else body


@attrs.frozen
class ListArgs:
    from_: str | None = arg(None, "next")


@tool(name="auth0_list_organizations", title="List organizations", kind="read",
      idempotent=True, scopes=["read:organizations"], example={})
async def list_organizations(ctx: ToolContext, args: ListArgs) -> dict[str, Any]:
    """Organizations (id, name, display_name), 50 at a time."""
    body = await ctx.api.get(PATH, take=50, **{"from": args.from_})
    out: dict[str, Any] = {"organizations": [pick(o, ROW) for o in body["organizations"]]}
    if body.get("next"):
        out["next"] = body["next"]
    return out


@attrs.frozen
class GetArgs:
    id: str = arg(description="org_... id or name", minLength=1)
    from_: str | None = arg(None, "members_next")


def _member(m: dict[str, Any]) -> dict[str, Any]:
    return {**pick(m, ("user_id", "email", "name")),
            "roles": [r.get("name") or r["id"] for r in m.get("roles") or []]}


async def read_organization(ctx: ToolContext, key: str, members_from: str | None = None
                            ) -> dict[str, Any]:
    """The organization with its connections, pending invitations and first members."""
    if key.startswith("org_"):
        org = await ctx.api.get(org_path(key))
    else:
        org = await ctx.api.get(f"{PATH}/name/{segment(key)}")
    base = org_path(org["id"])
    connections = await _extra(ctx, f"{base}/enabled_connections", "enabled_connections",
                               "read:organization_connections")
    invitations = await _extra(ctx, f"{base}/invitations", "invitations",
                               "read:organization_invitations")
    members = await _extra(ctx, f"{base}/members", "members",
                           "read:organization_members and read:organization_member_roles",
                           take=50, fields="user_id,email,name,roles", include_fields=True,
                           **{"from": members_from})
    out = {**org,
           "connections": connections if isinstance(connections, str) else [
               {"connection_id": c["connection_id"], **pick(c.get("connection") or {},
                                                            ("name", "strategy")),
                "assign_membership_on_login": c.get("assign_membership_on_login", False)}
               for c in connections],
           "invitations": invitations if isinstance(invitations, str) else [
               {"id": i["id"], "email": i["invitee"].get("email"),
                **pick(i, ("roles", "expires_at"))} for i in invitations]}
    if isinstance(members, str):
        out["members"] = members
    else:
        out["members"] = [_member(m) for m in members["members"]]
        if members.get("next"):
            out["members_next"] = members["next"]
    return out


@tool(name="auth0_get_organization", title="Get organization", kind="read", idempotent=True,
      scopes=["read:organizations"], example={"id": "acme"})
async def get_organization(ctx: ToolContext, args: GetArgs) -> dict[str, Any]:
    """An organization by id or name: connections, invitations, members with roles."""
    return await read_organization(ctx, args.id, args.from_)


@attrs.frozen
class CreateArgs:
    name: str = arg(description="lower-case, digits, - or _", minLength=1)
    display_name: str | None = arg(None)
    metadata: dict[str, Any] | None = arg(None)


def _fields(args: Any) -> dict[str, Any]:
    """The organization's own fields, checked as Auth0 checks them before anything is sent."""
    if args.name is not None and not NAME.match(args.name):
        raise ToolError(f"{args.name[:60]!r} is not a valid organization name: 1 to 50 "
                        "lower-case letters, digits, - or _, starting and ending with a letter "
                        "or digit (e.g. acme-corp).")
    if args.display_name is not None and not 1 <= len(args.display_name) <= 255:
        raise ToolError("display_name must be 1 to 255 characters.")
    if args.metadata is not None and (len(args.metadata) > 25 or not all(
            isinstance(v, str) for v in args.metadata.values())):
        raise ToolError("metadata holds at most 25 keys whose values are strings: quote numbers "
                        "and encode anything else as text.")
    return pick({"name": args.name, "display_name": args.display_name,
                 "metadata": args.metadata}, FIELDS)


@tool(name="auth0_create_organization", title="Create organization", kind="create",
      scopes=["create:organizations"], example={"name": "globex", "display_name": "Globex"})
async def create_organization(ctx: ToolContext, args: CreateArgs) -> ToolResult:
    """Create an organization."""
    body = _fields(args)
    created = await ctx.api.post(PATH, body)
    return ToolResult(created, f"Created organization {created['name']!r} ({created['id']}).")


@attrs.frozen
class Connection:
    connection_id: str = arg(minLength=1)
    assign_membership_on_login: bool = arg(False)


@attrs.frozen
class UpdateArgs:
    id: str = arg(minLength=1)
    name: str | None = arg(None, minLength=1)
    display_name: str | None = arg(None)
    metadata: dict[str, Any] | None = arg(None)
    connections: list[Connection] = arg(factory=list)
    remove_connections: list[str] = arg(factory=list)
    revoke_invitations: list[str] = arg(factory=list)


async def _read_org(ctx: ToolContext, args: Any) -> dict[str, Any] | None:
    try:
        return await read_organization(ctx, args.id)
    except Auth0ApiError as err:
        if err.status == 404:
            return None
        raise


@tool(name="auth0_update_organization", title="Update organization", kind="update",
      idempotent=True, scopes=["update:organizations"],
      target=Target(read=_read_org, critical=("connections",)),
      example={"id": "org_acme000000000001", "display_name": "Acme Inc.",
               "connections": [{"connection_id": "con_GoogleOAuth20001"}]})
async def update_organization(ctx: ToolContext, args: UpdateArgs) -> ToolResult:
    """Change an organization; enable, change or remove connections; revoke invitations."""
    path = org_path(args.id)
    body = _fields(args)
    if not body and not args.connections and not args.remove_connections \
            and not args.revoke_invitations:
        raise ToolError("Nothing to change: give name, display_name, metadata, connections, "
                        "remove_connections or revoke_invitations.")
    if body:
        await ctx.api.patch(path, body)
    enabled = set()
    if args.connections:
        async for c in ctx.api.iterate_pages(f"{path}/enabled_connections",
                                             "enabled_connections"):
            enabled.add(c["connection_id"])
    for c in args.connections:
        setting = {"assign_membership_on_login": c.assign_membership_on_login}
        if c.connection_id in enabled:
            await ctx.api.patch(f"{path}/enabled_connections/{segment(c.connection_id)}",
                                setting)
        else:
            await ctx.api.post(f"{path}/enabled_connections",
                               {"connection_id": c.connection_id, **setting})
    for con_id in args.remove_connections:
        await ctx.api.delete(f"{path}/enabled_connections/{segment(con_id)}")
    for invitation_id in args.revoke_invitations:
        await ctx.api.delete(f"{path}/invitations/{segment(invitation_id)}")
    return ToolResult(await read_organization(ctx, args.id), "Updated.")


@attrs.frozen
class IdArgs:
    id: str = arg(minLength=1)


def _recreate(prior: Any) -> tuple[str, dict[str, Any]]:
    return PATH, pick(prior, FIELDS)


@tool(name="auth0_delete_organization", title="Delete organization", kind="delete",
      destructive=True, idempotent=True, scopes=["delete:organizations"],
      target=Target(label="name", recreate=_recreate), example={"id": "org_acme000000000001"})
async def delete_organization(ctx: ToolContext, args: IdArgs) -> dict[str, Any]:
    """DESTRUCTIVE: delete an organization with its memberships and invitations."""
    await ctx.api.delete(org_path(args.id))
    return {"deleted": args.id}


@attrs.frozen
class MembersArgs:
    id: str = arg(minLength=1)
    users: list[str] = arg(description="User ids", minItems=1, maxItems=20)
    roles: list[str] = arg(factory=list, description="Role ids")
    remove: bool = arg(False)


@tool(name="auth0_update_organization_members", title="Change organization members",
      kind="action", destructive=True, idempotent=True, target=Target(read=_read_org),
      scopes=["create:organization_members", "delete:organization_members"],
      example={"id": "org_acme000000000001", "users": ["auth0|64f1c2a9e8b7d6c5b4a30003"],
               "roles": ["rol_admin0000000001"]})
async def update_organization_members(ctx: ToolContext, args: MembersArgs) -> ToolResult:
    """Add users (with roles); DESTRUCTIVE with remove: takes the roles, or the users, away."""
    path = org_path(args.id)
    emails = [u for u in args.users if "@" in u and "|" not in u]
    if emails:
        raise ToolError(f"{', '.join(emails)}: give user ids (e.g. auth0|64f1...), not emails; "
                        "look them up by email first (the users family's search).")
    members = [f"{path}/members/{segment(u)}/roles" for u in args.users]
    if args.remove and args.roles:
        for roles_path in members:
            await ctx.api.request("DELETE", roles_path, json_body={"roles": args.roles})
        did = f"Took {', '.join(args.roles)} from {len(args.users)} member(s)."
    elif args.remove:
        await ctx.api.request("DELETE", f"{path}/members", json_body={"members": args.users})
        did = f"Removed {len(args.users)} member(s)."
    else:
        await ctx.api.post(f"{path}/members", {"members": args.users})
        for roles_path in members if args.roles else ():
            await ctx.api.post(roles_path, {"roles": args.roles})
        did = f"{len(args.users)} member(s) in {args.id}" + (
            f" with {', '.join(args.roles)}." if args.roles else ".")
    return ToolResult({"id": args.id, "users": args.users, "roles": args.roles,
                       "removed": args.remove}, did)


@attrs.frozen
class InviteArgs:
    id: str = arg(minLength=1)
    email: str = arg(pattern=r"^[^@\s]+@[^@\s]+$")
    client_id: str = arg(minLength=1)
    inviter: str = arg(minLength=1)
    roles: list[str] = arg(factory=list, description="Role ids")


@tool(name="auth0_create_organization_invitation", title="Invite to organization",
      kind="create", scopes=["create:organization_invitations"],
      example={"id": "org_acme000000000001", "email": "frank@example.org",
               "client_id": "AbCdEfGhIjKlMnOpQrStUvWxYz012345", "inviter": "Alice"})
async def create_organization_invitation(ctx: ToolContext, args: InviteArgs) -> ToolResult:
    """Invite someone by email to join an organization."""
    body: dict[str, Any] = {"inviter": {"name": args.inviter},
                            "invitee": {"email": args.email}, "client_id": args.client_id}
    if args.roles:
        body["roles"] = args.roles
    created = await ctx.api.post(f"{org_path(args.id)}/invitations", body)
    return ToolResult(pick(created, ("id", "invitation_url", "expires_at", "roles")),
                      f"Invited {args.email}; the link expires {created.get('expires_at')}.")
