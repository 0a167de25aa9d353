"""Getting a user back in: a verification email, or a password-change link."""

from __future__ import annotations

from typing import Literal

import attrs

from auth0_mcp import ToolContext, ToolResult, arg, tool

from .lookup import user_id_of


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
    body = {"user_id": user_id, "result_url": args.result_url}
    ticket = await ctx.api.post("/tickets/password-change",
                                {k: v for k, v in body.items() if v})
    return ToolResult({"user_id": user_id, "ticket": ticket["ticket"]},
                      "Password-change link created: give it only to the user; it is single-use.")
