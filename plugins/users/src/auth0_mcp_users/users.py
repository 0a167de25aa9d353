"""Find, read, create, change, block and delete users (``/api/v2/users``)."""

from __future__ import annotations

from typing import Any, Literal

import attrs

from auth0_mcp import Target, ToolContext, ToolError, ToolResult, arg, segment, tool
from auth0_mcp.redaction import REDACTED
from auth0_mcp.shaping import page_info

from .lookup import FIELDS, by_email, check_lengths, path, read_user, row, user_id_of
from .metadata import FIELDS as METADATA
from .metadata import refusal

DATABASE = "Username-Password-Authentication"
EXTRAS = {"roles": "roles", "permissions": "permissions", "organizations": "organizations",
          "mfa": "authentication-methods"}


@attrs.frozen
class SearchArgs:
    q: str | None = arg(None, "Lucene v3, e.g. logins_count:[5 TO *]")
    email: str | None = arg(None, "Exact email")
    page: int = arg(0)
    per_page: int = arg(25, maximum=100)


@tool(name="auth0_search_users", title="Search users", kind="read", idempotent=True,
      scopes=["read:users"], example={"q": "email:*@example.com", "per_page": 10})
async def search_users(ctx: ToolContext, args: SearchArgs) -> ToolResult:
    """Find users by Lucene query or exact email."""
    check_lengths(args)
    if args.page < 0 or args.per_page < 1:
        raise ToolError("page starts at 0 and per_page at 1")
    if args.email and args.q:
        raise ToolError("give q or email, not both (an email filter in q: email:\"a@b.com\")")
    if args.email:
        users = await by_email(ctx, args.email, FIELDS)
        return ToolResult({"users": [row(u) for u in users]},
                          f"{len(users)} user(s) with email {args.email}.")
    if (args.page + 1) * args.per_page > 1000:
        raise ToolError("Auth0 user search pages through the first 1,000 results only: "
                        "narrow q instead of paging further")
    users, total = await ctx.api.page("/users", "users", page=args.page, per_page=args.per_page,
                                      q=args.q or None, search_engine="v3", fields=FIELDS)
    info = page_info(args.page, args.per_page, len(users), total)
    return ToolResult({"users": [row(u) for u in users], **info},
                      f"{len(users)} of {total if total is not None else '?'} users.")


@attrs.frozen
class GetArgs:
    user_id: str = arg(description="Or email", minLength=1)
    include: list[Literal["roles", "permissions", "organizations", "mfa", "blocks"]] = arg(
        factory=list)


@tool(name="auth0_get_user", title="Get user", kind="read", idempotent=True,
      scopes=["read:users"], example={"user_id": "alice@example.com", "include": ["roles"]})
async def get_user(ctx: ToolContext, args: GetArgs) -> dict[str, Any]:
    """Profile, metadata, identities, logins; include adds more."""
    user_id = await user_id_of(ctx, args.user_id, args)
    user = await ctx.api.get(path(user_id))
    if isinstance(user.get("identities"), list):
        user["identities"] = [masked_identity(i) for i in user["identities"]]
    for extra in dict.fromkeys(args.include):
        if extra == "blocks":
            user["brute_force_blocks"] = (await ctx.api.get(
                f"/user-blocks/{segment(user_id)}")).get("blocked_for", [])
            continue
        items, total = await ctx.api.page(path(user_id, EXTRAS[extra]), "authenticators"
                                          if extra == "mfa" else extra, per_page=100)
        user[extra] = items
        if total is not None and total > len(items):  # one page shown: say how many exist
            user[f"{extra}_total"] = total
    return user


def masked_identity(identity: dict[str, Any]) -> dict[str, Any]:
    """An identity without its provider's credentials: with ``read:user_idp_tokens`` Auth0
    returns ``access_token``, ``refresh_token`` and, for OAuth1, ``access_token_secret``."""
    return {k: REDACTED if v and ("token" in k or "secret" in k) else v
            for k, v in identity.items()}


@attrs.frozen
class CreateArgs:
    email: str = arg()
    password: str | None = arg(None, secret=True)
    connection: str | None = arg(None)
    name: str | None = arg(None)
    email_verified: bool | None = arg(None)
    user_metadata: dict[str, Any] | None = arg(None)
    app_metadata: dict[str, Any] | None = arg(None)


def body_of(args: Any, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """The request body: the fields given, with metadata Auth0 would refuse refused here."""
    body = {k: v for k, v in attrs.asdict(args).items() if v is not None and k not in skip}
    for field in METADATA:
        problem = refusal(field, body.get(field))
        if problem:
            raise ToolError(problem)
    return body


@tool(name="auth0_create_user", title="Create user", kind="create", scopes=["create:users"],
      example={"email": "new@example.com", "password": "Correct-Horse-9", "name": "New User"})
async def create_user(ctx: ToolContext, args: CreateArgs) -> ToolResult:
    """Create a user."""
    check_lengths(args)
    if "@" not in args.email:
        raise ToolError(f"{args.email!r} is not an email address")
    user = await ctx.api.post("/users", {"connection": DATABASE, **body_of(args)})
    return ToolResult(row(user), f"Created {user.get('email')} ({user['user_id']}).")


@attrs.frozen
class UpdateArgs:
    user_id: str = arg(description="Or email", minLength=1)
    name: str | None = arg(None)
    email: str | None = arg(None)
    email_verified: bool | None = arg(None)
    user_metadata: dict[str, Any] | None = arg(None)
    app_metadata: dict[str, Any] | None = arg(None)
    password: str | None = arg(None, secret=True)


@tool(name="auth0_update_user", title="Update user", kind="update", idempotent=True,
      scopes=["update:users"], target=Target(read=read_user, label="email"),
      example={"user_id": "bob@example.com", "app_metadata": {"plan": "enterprise"}})
async def update_user(ctx: ToolContext, args: UpdateArgs) -> ToolResult:
    """Edit a profile; metadata merges by key, null deletes."""
    body = body_of(args, ("user_id",))
    if not body:
        raise ToolError("nothing to change: give at least one field besides user_id")
    user_id = await user_id_of(ctx, args.user_id, args)
    user = await ctx.api.patch(path(user_id), body)
    return ToolResult({**row(user), **metadata_changes(body, user)},
                      f"Updated {', '.join(sorted(body))} of {user.get('email', user_id)}.")


def metadata_changes(body: dict[str, Any], user: dict[str, Any]) -> dict[str, Any]:
    """The metadata keys the change named, as they now are (a profile may hold thousands of
    keys: echoing them all would flood the context), what it removed, and how many it left."""
    out: dict[str, Any] = {}
    removed: list[str] = []
    unchanged: dict[str, int] = {}
    for field in METADATA:
        if field not in body:
            continue
        now, change = user.get(field) or {}, body[field]
        out[field] = {k: now[k] for k in change if k in now}
        removed += [f"{field}.{k}" for k in change if k not in now]
        unchanged[field] = len(set(now) - set(change))
    if removed:
        out["removed"] = removed
    if unchanged:
        out["unchanged_keys"] = unchanged
    return out


@attrs.frozen
class UserArgs:
    user_id: str = arg(description="Or email", minLength=1)


@tool(name="auth0_delete_user", title="Delete user", kind="delete", destructive=True,
      idempotent=True, scopes=["delete:users"], target=Target(read=read_user, label="email"),
      example={"user_id": "auth0|64f1c2a9e8b7d6c5b4a30004"})
async def delete_user(ctx: ToolContext, args: UserArgs) -> ToolResult:
    """DESTRUCTIVE: delete a user; cannot be undone."""
    user_id = await user_id_of(ctx, args.user_id, args)
    await ctx.api.delete(path(user_id))
    return ToolResult({"deleted": user_id}, f"Deleted {args.user_id}.")


@attrs.frozen
class BlockArgs:
    user_id: str = arg(description="Or email", minLength=1)
    unblock: bool = arg(False, "And clear brute-force blocks")


@tool(name="auth0_block_user", title="Block user", kind="action", idempotent=True,
      scopes=["update:users"], target=Target(read=read_user, label="email"),
      example={"user_id": "alice@example.com"})
async def block_user(ctx: ToolContext, args: BlockArgs) -> ToolResult:
    """Block a user's logins, or unblock."""
    user_id = await user_id_of(ctx, args.user_id, args)
    user = await ctx.api.patch(path(user_id), {"blocked": not args.unblock})
    if args.unblock:
        await ctx.api.delete(f"/user-blocks/{segment(user_id)}")
    state = "unblocked (brute-force blocks cleared)" if args.unblock else "blocked"
    return ToolResult({**row(user), "blocked": bool(user.get("blocked"))},
                      f"{user.get('email', user_id)} is {state}.")
