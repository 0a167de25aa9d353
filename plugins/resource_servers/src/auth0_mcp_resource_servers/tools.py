"""Tools for Auth0 APIs (``/api/v2/resource-servers``)."""

from __future__ import annotations

from typing import Any, Literal

import attrs

from auth0_mcp import Target, ToolContext, ToolResult, arg, returns, segment, tool
from auth0_mcp.shaping import merge_list, page_info, pick

SUMMARY = ("id", "name", "identifier", "signing_alg", "is_system")
PATH = "/resource-servers"


def summary(rs: dict[str, Any]) -> dict[str, Any]:
    out = pick(rs, SUMMARY)
    out["scopes"] = len(rs.get("scopes") or [])
    return out


@attrs.frozen
class Scope:
    value: str = arg(minLength=1)
    description: str = arg("")


@attrs.frozen
class ListArgs:
    page: int = arg(0, "0-based", minimum=0)
    per_page: int = arg(25, minimum=1, maximum=100)
    identifiers: list[str] | None = arg(None, "Only these API identifiers")


@tool(name="auth0_list_resource_servers", title="List APIs", kind="read", idempotent=True,
      scopes=["read:resource_servers"],
      output=returns(resource_servers="array", page="integer", has_more="boolean"),
      example={"per_page": 10})
async def list_resource_servers(ctx: ToolContext, args: ListArgs) -> dict[str, Any]:
    """List APIs (resource servers): id, name, identifier (audience)."""
    items, total = await ctx.api.page(PATH, "resource_servers", page=args.page,
                                      per_page=args.per_page, identifiers=args.identifiers)
    return {"resource_servers": [summary(i) for i in items],
            **page_info(args.page, args.per_page, len(items), total)}


@attrs.frozen
class GetArgs:
    id: str = arg(description="API id, or its identifier URL", minLength=1)


@tool(name="auth0_get_resource_server", title="Get API", kind="read", idempotent=True,
      scopes=["read:resource_servers"], output=returns(id="string", identifier="string"),
      example={"id": "https://api.example.com/orders"})
async def get_resource_server(ctx: ToolContext, args: GetArgs) -> dict[str, Any]:
    """Get one API by id or identifier URL, with its scopes and token settings."""
    return await ctx.api.get(f"{PATH}/{segment(args.id)}")


@attrs.frozen
class CreateArgs:
    name: str = arg()
    identifier: str = arg(description="Audience URI (immutable)", minLength=1)
    scopes: list[Scope] = arg(factory=list)
    signing_alg: Literal["RS256", "HS256", "PS256"] = arg("RS256")
    token_lifetime: int | None = arg(None, "Seconds", minimum=1)
    allow_offline_access: bool | None = arg(None)
    enforce_policies: bool | None = arg(None, "Enable RBAC")
    settings: dict[str, Any] | None = arg(None, "Other API fields, e.g. token_dialect")


def _body(ctx: ToolContext, args: Any, *skip: str) -> dict[str, Any]:
    data = ctx.converter.unstructure(args)
    body = {k: v for k, v in data.items()
            if v is not None and k not in skip and k != "settings"}
    return {**(data.get("settings") or {}), **body}


@tool(name="auth0_create_resource_server", title="Create API", kind="create",
      scopes=["create:resource_servers"], output=returns(id="string", identifier="string"),
      example={"name": "Orders API", "identifier": "https://api.example.com/orders",
               "scopes": [{"value": "read:orders", "description": "Read orders"}]})
async def create_resource_server(ctx: ToolContext, args: CreateArgs) -> ToolResult:
    """Create an API that applications can request tokens for."""
    created = await ctx.api.post(PATH, _body(ctx, args))
    return ToolResult(created, f"Created API {created.get('name')!r} "
                               f"(audience {created.get('identifier')}).")


@attrs.frozen
class UpdateArgs:
    id: str = arg(description="API id or identifier URL", minLength=1)
    name: str | None = arg(None)
    add_scopes: list[Scope] = arg(factory=list, description="Add or re-describe scopes")
    remove_scopes: list[str] = arg(factory=list, description="Scope values to remove")
    signing_alg: Literal["RS256", "HS256", "PS256"] | None = arg(None)
    token_lifetime: int | None = arg(None, minimum=1)
    allow_offline_access: bool | None = arg(None)
    enforce_policies: bool | None = arg(None)
    settings: dict[str, Any] | None = arg(None, "Other API fields, e.g. token_dialect")


@tool(name="auth0_update_resource_server", title="Update API", kind="update", idempotent=True,
      scopes=["update:resource_servers"], output=returns(id="string", identifier="string"),
      example={"id": "https://api.example.com/orders", "add_scopes": [{"value": "write:orders"}]})
async def update_resource_server(ctx: ToolContext, args: UpdateArgs) -> ToolResult:
    """Update an API; add_scopes/remove_scopes edit its scopes in place."""
    path = f"{PATH}/{segment(args.id)}"
    body = _body(ctx, args, "id", "add_scopes", "remove_scopes")
    if args.add_scopes or args.remove_scopes:
        current = body.get("scopes")
        if current is None:
            current = (await ctx.api.get(path)).get("scopes") or []
        current = list(current)
        body["scopes"] = merge_list(current, ctx.converter.unstructure(args.add_scopes),
                                    args.remove_scopes, key=lambda s: s["value"])
    if not body:
        return ToolResult(await ctx.api.get(path), "Nothing to change.")
    updated = await ctx.api.patch(path, body)
    return ToolResult(updated, f"Updated {', '.join(sorted(body))}.")


@attrs.frozen
class DeleteArgs:
    id: str = arg(description="API id", minLength=1)


# What an API is made of (its id, signing secret and system flags come from Auth0).
RECREATED = ("name", "identifier", "scopes", "signing_alg", "token_lifetime",
             "token_lifetime_for_web", "allow_offline_access", "enforce_policies",
             "skip_consent_for_verifiable_first_party_clients", "token_dialect")


def recreate_api(prior: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Undo of a delete: the same API, scopes included (a new id)."""
    return PATH, {k: prior[k] for k in RECREATED if prior.get(k) is not None}


async def api_grants(ctx: ToolContext, prior: dict[str, Any]) -> dict[str, Any] | None:
    """Applications granted this API: their tokens for it stop."""
    grants, _ = await ctx.api.page("/client-grants", "client_grants",
                                   audience=prior.get("identifier"), per_page=50)
    return {"grants": [g.get("client_id") for g in grants]} if grants else None


@tool(name="auth0_delete_resource_server", title="Delete API", kind="delete",
      target=Target(recreate=recreate_api, dependents=api_grants), destructive=True,
      idempotent=True, scopes=["delete:resource_servers"],
      output=returns(deleted="string"), example={"id": "5f1c2a9e8b7d6c5b4a3f2e1d"})
async def delete_resource_server(ctx: ToolContext, args: DeleteArgs) -> dict[str, Any]:
    """Delete an API; tokens for its audience stop being issued."""
    await ctx.api.delete(f"{PATH}/{segment(args.id)}")
    return {"deleted": args.id}
