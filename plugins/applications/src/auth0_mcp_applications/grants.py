"""Tools for client grants (``/api/v2/client-grants``): which application may call which API
with which scopes. The reference only had create; list, update and delete were asked for."""

from __future__ import annotations

from typing import Any

import attrs

from auth0_mcp import Target, ToolContext, ToolError, ToolResult, arg, returns, segment, tool
from auth0_mcp.shaping import merge_list, page_info, pick

PATH = "/client-grants"
LISTED_SCOPES = 20  # a Management API grant can carry 150+ scopes


def summary(grant: dict[str, Any]) -> dict[str, Any]:
    """id, client_id, audience and the scopes, the first ``LISTED_SCOPES`` of long lists."""
    out = pick(grant, ("id", "client_id", "audience"))
    scope = list(grant.get("scope") or [])
    out["scope"] = scope[:LISTED_SCOPES]
    if len(scope) > LISTED_SCOPES:
        out["more_scopes"] = len(scope) - LISTED_SCOPES
    return out


@attrs.frozen
class ListArgs:
    client_id: str | None = arg(None, minLength=1)
    audience: str | None = arg(None, minLength=1)
    page: int = arg(0, minimum=0)
    per_page: int = arg(50, minimum=1, maximum=100)


@tool(name="auth0_list_application_grants", title="List application grants", kind="read",
      idempotent=True, scopes=["read:client_grants"], output=returns(grants="array"),
      example={"client_id": "AbCdEfGhIjKlMnOpQrStUvWxYz012345"})
async def list_application_grants(ctx: ToolContext, args: ListArgs) -> dict[str, Any]:
    """List which apps may call which API (audience) with which scopes."""
    items, total = await ctx.api.page(PATH, "client_grants", page=args.page,
                                      per_page=args.per_page, client_id=args.client_id,
                                      audience=args.audience)
    return {"grants": [summary(g) for g in items],
            **page_info(args.page, args.per_page, len(items), total)}


@attrs.frozen
class CreateArgs:
    client_id: str = arg(minLength=1)
    audience: str = arg(description="API identifier", minLength=1)
    scope: list[str] = arg(minItems=1)


@tool(name="auth0_create_application_grant", title="Create application grant", kind="create",
      scopes=["create:client_grants"], output=returns(id="string"),
      example={"client_id": "AbCdEfGhIjKlMnOpQrStUvWxYz012345",
               "audience": "https://api.example.com/orders", "scope": ["read:orders"]})
async def create_application_grant(ctx: ToolContext, args: CreateArgs) -> ToolResult:
    """Let an app (usually machine-to-machine) call an API with these scopes."""
    grant = await ctx.api.post(PATH, ctx.converter.unstructure(args))
    return ToolResult(grant, f"Granted {', '.join(grant.get('scope') or [])} on "
                             f"{grant.get('audience')} to {grant.get('client_id')}.")


@attrs.frozen
class UpdateArgs:
    id: str = arg(minLength=1)
    scope: list[str] | None = arg(None, "Replaces all scopes")
    add_scope: list[str] = arg(factory=list)
    remove_scope: list[str] = arg(factory=list)


@tool(name="auth0_update_application_grant", title="Update application grant",
      kind="update", idempotent=True, scopes=["update:client_grants"],
      output=returns(id="string"),
      example={"id": "cgr_AbCdEfGhIjKlMnOp", "add_scope": ["cancel:orders"]})
async def update_application_grant(ctx: ToolContext, args: UpdateArgs) -> ToolResult:
    """Change a grant's scopes: replace them, or add/remove some."""
    if args.scope is None and not (args.add_scope or args.remove_scope):
        raise ToolError("nothing to change: give scope, add_scope or remove_scope")
    path = f"{PATH}/{segment(args.id)}"
    scope = args.scope
    if args.add_scope or args.remove_scope:
        if scope is None:
            scope = (await ctx.api.get(path)).get("scope") or []
        scope = merge_list(scope, args.add_scope, args.remove_scope)
    grant = await ctx.api.patch(path, {"scope": scope})
    return ToolResult(grant, f"Scopes now: {', '.join(grant.get('scope') or []) or 'none'}.")


@attrs.frozen
class DeleteArgs:
    id: str = arg(minLength=1)


def recreate_grant(prior: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return PATH, {k: prior[k] for k in ("client_id", "audience", "scope") if k in prior}


@tool(name="auth0_delete_application_grant", title="Delete application grant",
      kind="delete", target=Target(label="audience", recreate=recreate_grant), destructive=True,
      idempotent=True, scopes=["delete:client_grants"],
      output=returns(deleted="string"), example={"id": "cgr_AbCdEfGhIjKlMnOp"})
async def delete_application_grant(ctx: ToolContext, args: DeleteArgs) -> dict[str, Any]:
    """Revoke an app's access to an API; its tokens for it stop being issued."""
    await ctx.api.delete(f"{PATH}/{segment(args.id)}")
    return {"deleted": args.id}
