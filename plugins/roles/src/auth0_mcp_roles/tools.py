"""Tools for Auth0 roles (``/api/v2/roles``): the roles, the permissions they grant and the
users who hold them.

Permissions are validated against the scopes the API (resource server) really defines before
anything is sent, so a typo never becomes a half-applied change.
"""

from __future__ import annotations

from typing import Any

import attrs

from auth0_mcp import Auth0ApiError, Target, ToolContext, ToolError, ToolResult, arg, segment, tool
from auth0_mcp.shaping import page_info, pick

PATH = "/roles"
ROW = ("id", "name", "description")
USER = ("user_id", "email", "name")


def role_path(role_id: str) -> str:
    return f"{PATH}/{segment(role_id)}"


async def read_role(ctx: ToolContext, role_id: str) -> dict[str, Any]:
    """The role with its permissions grouped by API identifier."""
    path = role_path(role_id)
    role = await ctx.api.get(path)
    granted: dict[str, list[str]] = {}
    async for perm in ctx.api.iterate_pages(f"{path}/permissions", "permissions"):
        granted.setdefault(perm["resource_server_identifier"], []).append(
            perm["permission_name"])
    return {**pick(role, ROW), "permissions": granted}


async def _current(ctx: ToolContext, args: Any) -> dict[str, Any] | None:
    """What an update changes, for core's plan: the role, its permissions, its first users."""
    try:
        return await get_role.handler(ctx, GetArgs(args.id))
    except Auth0ApiError as err:
        if err.status == 404:
            return None
        raise


def user_ids(users: list[str]) -> list[str]:
    """Auth0 wants user ids here; an email is the most common mistake."""
    emails = [u for u in users if "@" in u and "|" not in u]
    if emails:
        raise ToolError(f"{', '.join(emails)}: give user ids (e.g. auth0|64f1...), not emails; "
                        "look them up by email first (the users family's search).")
    return users


@attrs.frozen
class ListArgs:
    name: str | None = arg(None, "Name contains")
    page: int = arg(0, minimum=0)


@tool(name="auth0_list_roles", title="List roles", kind="read", idempotent=True,
      scopes=["read:roles"], example={"name": "admin"})
async def list_roles(ctx: ToolContext, args: ListArgs) -> dict[str, Any]:
    """Roles: id, name, description; 50 a page."""
    items, total = await ctx.api.page(PATH, "roles", page=args.page, per_page=50,
                                      name_filter=args.name)
    return {"roles": [pick(r, ROW) for r in items],
            **page_info(args.page, 50, len(items), total)}


@attrs.frozen
class GetArgs:
    id: str = arg(minLength=1)
    from_: str | None = arg(None, "users_next")


@tool(name="auth0_get_role", title="Get role", kind="read", idempotent=True,
      scopes=["read:roles"], example={"id": "rol_admin0000000001"})
async def get_role(ctx: ToolContext, args: GetArgs) -> dict[str, Any]:
    """A role, its permissions by API, and its users."""
    role = await read_role(ctx, args.id)
    page = await ctx.api.get(f"{role_path(args.id)}/users", take=50, **{"from": args.from_})
    role["users"] = [pick(u, USER) for u in page.get("users", [])]
    if page.get("next"):
        role["users_next"] = page["next"]
    return role


@attrs.frozen
class CreateArgs:
    name: str = arg(minLength=1)
    description: str | None = arg(None)


@tool(name="auth0_create_role", title="Create role", kind="create", scopes=["create:roles"],
      example={"name": "auditor", "description": "Reads invoices"})
async def create_role(ctx: ToolContext, args: CreateArgs) -> ToolResult:
    """Create a role."""
    created = await ctx.api.post(PATH, pick({"name": args.name,
                                             "description": args.description}, ROW))
    return ToolResult(pick(created, ROW), f"Created role {created['name']!r} ({created['id']}).")


@attrs.frozen
class UpdateArgs:
    id: str = arg(minLength=1)
    name: str | None = arg(None, minLength=1)
    description: str | None = arg(None)
    api: str | None = arg(None, "API identifier for add/remove")
    add: list[str] = arg(factory=list)
    remove: list[str] = arg(factory=list)
    users: list[str] = arg(factory=list, description="User ids to give it", maxItems=20)


async def _api_identifier(ctx: ToolContext, api: str, add: list[str]) -> str:
    """The API's identifier, after checking it defines every scope in ``add``."""
    found = await ctx.api.get(f"/resource-servers/{segment(api)}")
    defined = [s["value"] for s in found.get("scopes") or []]
    unknown = [p for p in add if p not in defined]
    if unknown:
        raise ToolError(f"{found['identifier']} does not define {', '.join(unknown)}. Its "
                        f"scopes: {', '.join(defined) or 'none'}. Pick from these, or add the "
                        "scope to the API first (auth0_update_resource_server).")
    return found["identifier"]


@tool(name="auth0_update_role", title="Update role", kind="update", idempotent=True,
      scopes=["update:roles", "read:resource_servers"],
      target=Target(read=_current, critical=("permissions",)),
      example={"id": "rol_support00000001", "api": "https://api.example-shop.com/orders",
               "add": ["cancel:orders"], "users": ["auth0|64f1c2a9e8b7d6c5b4a30002"]})
async def update_role(ctx: ToolContext, args: UpdateArgs) -> ToolResult:
    """Rename a role, add/remove scopes of one API, or give it to users."""
    path = role_path(args.id)
    fields = pick({"name": args.name, "description": args.description}, ROW)
    if (args.add or args.remove) and not args.api:
        raise ToolError("Say which API the scopes belong to: api=<its identifier>, e.g. "
                        "https://api.example.com/ (auth0_list_resource_servers lists them).")
    user_ids(args.users)
    if not fields and not args.add and not args.remove and not args.users:
        raise ToolError("Nothing to change: give name, description, users, or api with "
                        "add/remove.")
    identifier = await _api_identifier(ctx, args.api, args.add) if args.api else ""
    if fields:
        await ctx.api.patch(path, fields)
    if args.add:
        await ctx.api.post(f"{path}/permissions", {"permissions": [
            {"resource_server_identifier": identifier, "permission_name": p} for p in args.add]})
    if args.remove:
        await ctx.api.request("DELETE", f"{path}/permissions", json_body={"permissions": [
            {"resource_server_identifier": identifier, "permission_name": p}
            for p in args.remove]})
    if args.users:
        await ctx.api.post(f"{path}/users", {"users": args.users})
    changed = [*fields, *(["permissions"] if args.add or args.remove else []),
               *(["users"] if args.users else [])]
    return ToolResult(await read_role(ctx, args.id), f"Updated {', '.join(changed)}.")


@attrs.frozen
class DeleteArgs:
    id: str = arg(minLength=1)


def _recreate(prior: Any) -> tuple[str, dict[str, Any]]:
    return PATH, pick(prior, ("name", "description"))


@tool(name="auth0_delete_role", title="Delete role", kind="delete", destructive=True,
      idempotent=True, scopes=["delete:roles"], target=Target(label="name", recreate=_recreate),
      example={"id": "rol_support00000001"})
async def delete_role(ctx: ToolContext, args: DeleteArgs) -> dict[str, Any]:
    """DESTRUCTIVE: delete a role; its users lose its permissions."""
    await ctx.api.delete(role_path(args.id))
    return {"deleted": args.id}
