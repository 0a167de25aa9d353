"""What a user may do: their roles (assign/remove by id or name) and their MFA factors
(reset one or all)."""

from __future__ import annotations

from typing import Any

import attrs

from auth0_mcp import Target, ToolContext, ToolError, ToolResult, arg, segment, tool

from .lookup import path, user_id_of

MAX_ROLES = 50


async def role_ids(ctx: ToolContext, names: list[str]) -> list[str]:
    """Role ids as given (``rol_...``); names resolved with ``name_filter`` (read:roles)."""
    out = []
    for name in dict.fromkeys(names):
        if name.startswith("rol_"):
            out.append(name)
            continue
        found = await ctx.api.get("/roles", name_filter=name, per_page=50)
        exact = [r for r in found if r.get("name") == name]
        if not exact:
            near = ", ".join(r["name"] for r in found[:5]) or "none"
            raise ToolError(f"no role is named {name!r} (similar: {near}); pass a role id "
                            "(rol_...) or an exact name")
        out.append(exact[0]["id"])
    return out


async def current_roles(ctx: ToolContext, user_id: str) -> list[dict[str, Any]]:
    items, _ = await ctx.api.page(path(user_id, "roles"), "roles", per_page=100)
    return [{"id": r["id"], "name": r.get("name")} for r in items]


async def read_roles(ctx: ToolContext, args: Any) -> dict[str, Any] | None:
    """Target reader: the user's roles, the object a role assignment changes."""
    user_id = await user_id_of(ctx, args.user_id)
    return {"user_id": user_id, "roles": await current_roles(ctx, user_id)}


@attrs.frozen
class RolesArgs:
    user_id: str = arg(description="Or email", minLength=1)
    add: list[str] = arg(factory=list, description="Role ids or names")
    remove: list[str] = arg(factory=list)


@tool(name="auth0_update_user_roles", title="Update user roles", kind="action",
      idempotent=True, scopes=["update:users"], target=Target(read=read_roles, label="user_id"),
      example={"user_id": "bob@example.com", "add": ["billing-admin"]})
async def update_user_roles(ctx: ToolContext, args: RolesArgs) -> ToolResult:
    """Assign or remove a user's roles."""
    if not args.add and not args.remove:
        raise ToolError("give roles to add and/or remove")
    if len(args.add) + len(args.remove) > MAX_ROLES:
        raise ToolError(f"at most {MAX_ROLES} roles per call; split the change")
    both = set(args.add) & set(args.remove)
    if both:
        raise ToolError(f"{', '.join(sorted(both))} is both added and removed: pick one")
    user_id = await user_id_of(ctx, args.user_id, args)
    add, remove = await role_ids(ctx, args.add), await role_ids(ctx, args.remove)
    if add:
        await ctx.api.post(path(user_id, "roles"), {"roles": add})
    if remove:
        await ctx.api.request("DELETE", path(user_id, "roles"), json_body={"roles": remove})
    roles = await current_roles(ctx, user_id)
    names = ", ".join(r["name"] or r["id"] for r in roles) or "none"
    return ToolResult({"user_id": user_id, "roles": roles}, f"{args.user_id} roles: {names}.")


@attrs.frozen
class MfaArgs:
    user_id: str = arg(description="Or email", minLength=1)
    method_id: str | None = arg(None, "Default: all")


@tool(name="auth0_reset_user_mfa", title="Reset user MFA", kind="action", destructive=True,
      idempotent=True, scopes=["delete:authentication_methods"],
      example={"user_id": "alice@example.com"})
async def reset_user_mfa(ctx: ToolContext, args: MfaArgs) -> ToolResult:
    """DESTRUCTIVE: remove MFA factors; the user enrolls again."""
    user_id = await user_id_of(ctx, args.user_id, args)
    where = path(user_id, "authentication-methods")
    if args.method_id:
        where += f"/{segment(args.method_id)}"
    await ctx.api.delete(where)
    what = f"factor {args.method_id}" if args.method_id else "every MFA factor"
    return ToolResult({"user_id": user_id, "reset": args.method_id or "all"},
                      f"Removed {what} of {args.user_id}.")
