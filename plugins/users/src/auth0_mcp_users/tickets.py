"""Getting a user back in: a verification email, or a password-change link."""

from __future__ import annotations

from typing import Literal

import attrs

from auth0_mcp import Auth0ApiError, ToolContext, ToolError, ToolResult, arg, tool

from .lookup import path, user_id_of


@attrs.frozen
class TicketArgs:
    user_id: str = arg(description="Or email", minLength=1)
    type: Literal["verification_email", "password_change"] = arg()
    result_url: str | None = arg(None)


@tool(name="auth0_create_user_ticket", title="User email or link",
      kind="action", scopes=["update:users", "create:user_tickets"],
      example={"user_id": "frank@example.org", "type": "verification_email"})
async def create_user_ticket(ctx: ToolContext, args: TicketArgs) -> ToolResult:
    """Verification email or password-change link."""
    user_id = await user_id_of(ctx, args.user_id, args)
    if args.type == "verification_email":
        job = await ctx.api.post("/jobs/verification-email", {"user_id": user_id})
        return ToolResult({"user_id": user_id, "job_id": job.get("id"),
                           "status": job.get("status")},
                          f"Verification email queued for {args.user_id}.")
    try:  # a courtesy check: a token without read:users still gets the ticket call
        identities = (await ctx.api.get(path(user_id), fields="identities")).get(
            "identities") or []
    except Auth0ApiError:
        identities = []
    if identities and not any(i.get("provider") == "auth0" for i in identities):
        raise ToolError(f"{args.user_id} logs in with {identities[0].get('connection')}, which "
                        "holds their password, not Auth0: there is no password to change here")
    body = {"user_id": user_id, "result_url": args.result_url}
    ticket = await ctx.api.post("/tickets/password-change",
                                {k: v for k, v in body.items() if v})
    return ToolResult({"user_id": user_id, "ticket": ticket["ticket"]},
                      "Password-change link created: give it only to the user; it is single-use.")
