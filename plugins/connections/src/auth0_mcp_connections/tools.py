"""Tools for Auth0 connections (``/api/v2/connections``): the identity sources users log in
with (the database, Google, SAML/OIDC/Azure AD...) and which applications offer each one.

Lists carry id, name and strategy; a get carries the whole connection with its secrets masked.
Updates never send a partial ``options`` (Auth0 would drop what it leaves out): see options.py.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import attrs

from auth0_mcp import (
    Auth0ApiError,
    Target,
    ToolContext,
    ToolError,
    ToolResult,
    arg,
    returns,
    segment,
    tool,
)
from auth0_mcp.shaping import pick

from .options import mask, merge, refuse_masks, sealed_keys, touched, unmasked

PATH = "/connections"
ROW = ("id", "name", "strategy", "display_name")
MAX_ROWS = 100
CLIENTS_PER_PATCH = 50
CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
NAME = re.compile(r"^[a-zA-Z0-9](-[a-zA-Z0-9]|[a-zA-Z0-9])*$")
SETTABLE = frozenset({"display_name", "show_as_button", "is_domain_connection", "metadata",
                      "realms", "authentication", "connected_accounts"})
RECREATED = ("name", "strategy", "display_name", "options", "is_domain_connection",
             "show_as_button", "realms", "metadata")


def own(connection_id: str) -> str:
    return f"{PATH}/{segment(connection_id)}"


def shown(connection: Mapping[str, Any]) -> dict[str, Any]:
    """A connection as a tool answers it: secrets in its options masked."""
    return {**connection, "options": mask(connection.get("options") or {})}


async def enabled_clients(ctx: ToolContext, connection_id: str) -> list[str]:
    return [c["client_id"] async for c in ctx.api.iterate_checkpoint(
        f"{own(connection_id)}/clients", "clients", take=100)]


@attrs.frozen
class ListArgs:
    strategy: list[str] | None = arg(None, "e.g. auth0, google-oauth2, samlp")
    name: str | None = arg(None, "Substring, any case", minLength=1, maxLength=128)
    client_id: str | None = arg(None, "Only those this app offers", minLength=1)


@tool(name="auth0_list_connections", title="List connections", kind="read", idempotent=True,
      scopes=["read:connections"], output=returns(connections="array"),
      example={"strategy": ["google-oauth2"], "client_id": "AbCdEfGhIjKlMnOpQrStUvWxYz012345"})
async def list_connections(ctx: ToolContext, args: ListArgs) -> dict[str, Any]:
    """List connections; client_id needs read:clients too."""
    path = f"/clients/{segment(args.client_id)}{PATH}" if args.client_id else PATH
    needle = (args.name or "").casefold()
    rows = [pick(c, ROW) async for c in ctx.api.iterate_checkpoint(
        path, "connections", take=100, strategy=args.strategy or None,
        fields=",".join(ROW), include_fields=True)
        if needle in str(c.get("name", "")).casefold()]
    data: dict[str, Any] = {"connections": rows[:MAX_ROWS]}
    if len(rows) > MAX_ROWS:
        data["more"] = len(rows) - MAX_ROWS
    return data


@attrs.frozen
class IdArgs:
    id: str = arg(description="con_...", minLength=1)


@tool(name="auth0_get_connection", title="Get connection", kind="read", idempotent=True,
      scopes=["read:connections"],
      example={"id": "con_Q3pLx8ZcWf2T7KbM"})
async def get_connection(ctx: ToolContext, args: IdArgs) -> dict[str, Any]:
    """Get a connection with its options and enabled_clients."""
    connection = await ctx.api.get(own(args.id))
    return {**shown(connection), "enabled_clients": await enabled_clients(ctx, args.id)}


@attrs.frozen
class CreateArgs:
    name: str = arg(minLength=1, maxLength=128)
    strategy: str = arg(description="auth0, google-oauth2, samlp, oidc, waad...", minLength=1,
                        maxLength=40)
    options: dict[str, Any] | None = arg(None)
    display_name: str | None = arg(None, maxLength=128)


@tool(name="auth0_create_connection", title="Create connection", kind="create",
      scopes=["create:connections"],
      example={"name": "acme-oidc", "strategy": "oidc", "options": {
          "client_id": "acme-app", "discovery_url":
          "https://login.acme.example/.well-known/openid-configuration"}})
async def create_connection(ctx: ToolContext, args: CreateArgs) -> ToolResult:
    """Create a connection (database, social or enterprise)."""
    if not NAME.match(args.name):
        raise ToolError("name: letters, digits and single hyphens only, starting and ending "
                        "with a letter or digit (e.g. acme-saml)")
    options = dict(args.options or {})
    refuse_masks(options)
    if args.strategy == "okta" and not options.get("domain"):
        raise ToolError("an okta connection needs options.domain (e.g. acme.okta.com)")
    body = {"name": args.name, "strategy": args.strategy, "options": options}
    if args.display_name:
        body["display_name"] = args.display_name
    created = await ctx.api.post(PATH, body)
    return ToolResult(pick(created, ROW), f"Created {created.get('name')!r} "
                                          f"({created.get('strategy')}): {created.get('id')}; "
                                          "no app offers it yet (auth0_update_connection_clients"
                                          " enables it).")


@attrs.frozen
class UpdateArgs:
    id: str = arg(minLength=1)
    options: dict[str, Any] | None = arg(None, "Merged into the current ones; null removes")
    set: dict[str, Any] | None = arg(None, "display_name, show_as_button, metadata...")


@tool(name="auth0_update_connection", title="Update connection", kind="update",
      idempotent=True, scopes=["read:connections", "update:connections"],
      target=Target(critical=("options",)),
      example={"id": "con_Q3pLx8ZcWf2T7KbM", "options": {"passwordPolicy": "excellent"}})
async def update_connection(ctx: ToolContext, args: UpdateArgs) -> ToolResult:
    """Change a connection; options left out are kept."""
    body = dict(args.set or {})
    unknown = sorted(set(body) - SETTABLE)
    if unknown:
        raise ToolError(f"set does not accept {', '.join(unknown)}; allowed: "
                        f"{', '.join(sorted(SETTABLE))} (options go in options)")
    refuse_masks(body, "set")
    if not (body or args.options):
        raise ToolError("nothing to change: give options or set")
    changed: list[str] = []
    connection = await ctx.api.get(own(args.id))
    if args.options:
        current = connection.get("options") or {}
        sealed = sealed_keys(current, args.options)
        if sealed:
            raise ToolError(
                f"this custom database's options.configuration values come back from Auth0 "
                f"only encrypted, and every options change rewrites them: give "
                f"options.configuration with the real value of {', '.join(sealed)} (or null "
                "to remove one), or change the connection in the Auth0 dashboard")
        body["options"] = merge(current, args.options)
        changed = touched(current, body["options"])
    if not changed and list(body) == ["options"]:  # a PATCH would only rewrite the same
        return ToolResult({"id": args.id, "name": connection.get("name"), "changed": {},
                           "options_kept": len(body["options"])},
                          "Nothing to change: the options given are the current ones.")
    # Auth0 overwrites display_name with the name when a PATCH leaves it out: send it back
    kept = {"display_name": connection["display_name"]} if (
        "display_name" not in body and "display_name" in connection) else {}
    updated = await ctx.api.patch(own(args.id), {**body, **kept})
    options = updated.get("options") or {}
    data = {"id": updated.get("id", args.id), "name": updated.get("name"),
            "changed": {**{k: updated.get(k) for k in body if k != "options"},
                        **({"options": mask({k: options.get(k) for k in changed})}
                           if changed else {})},
            "options_kept": len(set(options) - set(changed))}
    return ToolResult(data, f"Updated {', '.join([*sorted(set(body) - {'options'}), *changed])}"
                            f"; {data['options_kept']} other options unchanged.")


def recreate(prior: Mapping[str, Any]) -> tuple[str, Mapping[str, Any]]:
    """Undo of a delete: the same connection again (new id; masked secrets must be re-entered,
    so they are left out rather than written as the mask)."""
    body = {k: prior[k] for k in RECREATED if k in prior}
    body["options"] = unmasked(body.get("options") or {})
    return PATH, body


@tool(name="auth0_delete_connection", title="Delete connection", kind="delete",
      destructive=True, idempotent=True, scopes=["delete:connections"],
      target=Target(label="name", recreate=recreate),
      example={"id": "con_AcmeSamlSso00001"})
async def delete_connection(ctx: ToolContext, args: IdArgs) -> dict[str, Any]:
    """DESTRUCTIVE: delete a connection and every user in it."""
    await ctx.api.delete(own(args.id))
    return {"deleted": args.id}


async def read_clients(ctx: ToolContext, args: Any) -> Mapping[str, Any] | None:
    """What an enable/disable changes: the connection's enabled applications."""
    return {"id": args.id, "enabled_clients": await enabled_clients(ctx, args.id)}


@attrs.frozen
class ClientsArgs:
    id: str = arg(minLength=1)
    enable: list[str] = arg(factory=list, description="client_ids", )
    disable: list[str] = arg(factory=list)


@tool(name="auth0_update_connection_clients", title="Enable connection for apps",
      kind="action", idempotent=True, scopes=["update:connections"],
      target=Target(read=read_clients),
      example={"id": "con_GoogleOAuth20001", "enable": ["AbCdEfGhIjKlMnOpQrStUvWxYz012345"]})
async def update_connection_clients(ctx: ToolContext, args: ClientsArgs) -> ToolResult:
    """Enable or disable a connection for apps; other apps are kept."""
    both = sorted(set(args.enable) & set(args.disable))
    if both:
        raise ToolError(f"{', '.join(both)} is both in enable and disable: pick one")
    if not (args.enable or args.disable):
        raise ToolError("nothing to change: give enable or disable (client_ids)")
    odd = [c for c in (*args.enable, *args.disable) if not CLIENT_ID.match(c)]
    if odd:
        raise ToolError(f"not a client_id: {odd[0][:40]!r}; find ids with "
                        "auth0_list_applications")
    changes = [{"client_id": c, "status": True} for c in args.enable] + [
        {"client_id": c, "status": False} for c in args.disable]
    for start in range(0, len(changes), CLIENTS_PER_PATCH):  # Auth0 takes 50 per request
        try:
            await ctx.api.patch(f"{own(args.id)}/clients",
                                changes[start:start + CLIENTS_PER_PATCH])
        except Auth0ApiError as exc:
            if not start:
                raise
            raise ToolError(f"the first {start} changes were applied, the rest were not: "
                            f"{exc}. Check with auth0_get_connection, then retry the rest"
                            ) from None
    data = {"id": args.id, "enabled": list(args.enable), "disabled": list(args.disable)}
    return ToolResult(data, f"Connection {args.id}: enabled for {len(args.enable)} app(s), "
                            f"disabled for {len(args.disable)}; other apps unchanged.")
