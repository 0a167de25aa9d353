"""Find, inspect, block and unblock users (``/api/v2/users``)."""

from __future__ import annotations

from typing import Any

import attrs

from auth0_mcp import ToolContext, ToolResult, arg, returns, segment, tool
from auth0_mcp.shaping import pick

SUMMARY = ("user_id", "email", "name", "blocked", "last_login", "logins_count")


@attrs.frozen
class EmailArgs:
    email: str = arg(description="Exact email", minLength=3)


@tool(name="auth0_search_users_by_email", title="Find users by email", read_only=True,
      idempotent=True, scopes=["read:users"], output=returns(users="array"),
      example={"email": "alice@example.com"})
async def search_users_by_email(ctx: ToolContext, args: EmailArgs) -> dict[str, Any]:
    """Users with exactly this email (one per connection)."""
    users = await ctx.api.get("/users-by-email", email=args.email)
    return {"users": [pick(u, SUMMARY) for u in users]}


@attrs.frozen
class UserArgs:
    user_id: str = arg(description="e.g. auth0|64f1...", minLength=1)


@tool(name="auth0_get_user", title="Get user", read_only=True, idempotent=True,
      scopes=["read:users"], output=returns(user_id="string"),
      example={"user_id": "auth0|64f1c2a9e8b7d6c5b4a30001"})
async def get_user(ctx: ToolContext, args: UserArgs) -> dict[str, Any]:
    """Get one user's profile."""
    return await ctx.api.get(f"/users/{segment(args.user_id)}")


async def _set_blocked(ctx: ToolContext, user_id: str, blocked: bool) -> ToolResult:
    user = await ctx.api.patch(f"/users/{segment(user_id)}", {"blocked": blocked})
    state = "blocked" if blocked else "unblocked"
    return ToolResult(pick(user, SUMMARY), f"{user.get('email', user_id)} is {state}.")


@tool(name="auth0_block_user", title="Block user", read_only=False, idempotent=True,
      scopes=["update:users"], output=returns(user_id="string", blocked="boolean"),
      example={"user_id": "auth0|64f1c2a9e8b7d6c5b4a30001"})
async def block_user(ctx: ToolContext, args: UserArgs) -> ToolResult:
    """Block a user from logging in (reversible with auth0_unblock_user)."""
    return await _set_blocked(ctx, args.user_id, True)


@tool(name="auth0_unblock_user", title="Unblock user", read_only=False, idempotent=True,
      scopes=["update:users"], output=returns(user_id="string", blocked="boolean"),
      example={"user_id": "auth0|64f1c2a9e8b7d6c5b4a30001"})
async def unblock_user(ctx: ToolContext, args: UserArgs) -> ToolResult:
    """Let a blocked user log in again."""
    return await _set_blocked(ctx, args.user_id, False)
