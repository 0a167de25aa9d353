"""Finding the user a tool acts on: by user_id, or by email (one ``/users-by-email`` call),
and the compact row lists and answers share."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from auth0_mcp import Auth0ApiError, ToolContext, ToolError, segment
from auth0_mcp.shaping import pick

MAX_TEXT = 320  # Auth0's limit on emails; ids are shorter still
LIMITS = {"q": 2000, "result_url": 2000, "name": 300}  # name: maxLength in the API reference


def check_lengths(args: Any) -> None:
    """Strings longer than Auth0 accepts are refused before any request (the schema leaves
    ``maxLength`` out: it would cost context in every session)."""
    for field in attrs.fields(type(args)):
        value = getattr(args, field.name)
        limit = LIMITS.get(field.name, MAX_TEXT)
        for text in value if isinstance(value, list) else [value]:
            if isinstance(text, str) and len(text) > limit:
                raise ToolError(f"{field.name} has {len(text):,} characters; Auth0 accepts at "
                                f"most {limit}. Check the value")


ROW = ("user_id", "email", "name", "blocked", "last_login", "logins_count")
FIELDS = ",".join((*ROW, "identities"))


def row(user: Mapping[str, Any]) -> dict[str, Any]:
    """A user in a list: ids, name, the connection it logs in with, blocked, activity."""
    out = pick(user, ROW)
    identities = user.get("identities") or []
    if identities:
        out["connection"] = identities[0].get("connection")
    return out


async def by_email(ctx: ToolContext, email: str, fields: str) -> list[dict[str, Any]]:
    """``/users-by-email`` is case-sensitive and Auth0 stores database emails lowercased: an
    email typed in another case is looked up again in lower case when it finds nobody."""
    found = await ctx.api.get("/users-by-email", email=email, fields=fields)
    if not found and email != email.lower():
        found = await ctx.api.get("/users-by-email", email=email.lower(), fields=fields)
    return found


async def user_id_of(ctx: ToolContext, user: str, args: Any = None) -> str:
    """``auth0|...`` as given; an email resolved to the one user that has it. ``args``, when
    given, are length-checked first."""
    if args is not None:
        check_lengths(args)
    if "|" in user or "@" not in user:
        return user
    found = await by_email(ctx, user, "user_id,identities")
    if not found:
        raise ToolError(f"no user has the email {user}: check the spelling, or search with "
                        "auth0_search_users")
    if len(found) > 1:
        ids = ", ".join(u["user_id"] for u in found)
        raise ToolError(f"{len(found)} users have the email {user} (one per connection): "
                        f"{ids}. Pass the user_id you mean")
    return found[0]["user_id"]


def path(user_id: str, *rest: str) -> str:
    return "/".join((f"/users/{segment(user_id)}", *rest))


async def read_user(ctx: ToolContext, args: Any) -> dict[str, Any] | None:
    """Target reader for writes addressed by id or email (None: no such user)."""
    try:
        return await ctx.api.get(path(await user_id_of(ctx, args.user_id)))
    except (Auth0ApiError, ToolError):
        return None
