"""Tools for Auth0 applications (``/api/v2/clients``)."""

from __future__ import annotations

import ipaddress
from typing import Any, Literal
from urllib.parse import urlsplit

import attrs

from auth0_mcp import ToolContext, ToolError, ToolResult, arg, returns, segment, tool
from auth0_mcp.shaping import merge_list, page_info, pick

PATH = "/clients"
AppType = Literal["spa", "native", "regular_web", "non_interactive"]
SUMMARY = ("client_id", "name", "app_type")
LIST_FIELDS = ("callbacks", "allowed_logout_urls", "web_origins", "allowed_origins",
               "grant_types", "client_aliases", "allowed_clients")
ListField = Literal["callbacks", "allowed_logout_urls", "web_origins", "allowed_origins",
                    "grant_types", "client_aliases", "allowed_clients"]
SKIP_FLAG = "skip_non_verifiable_callback_uri_confirmation_prompt"


def summary(client: dict[str, Any]) -> dict[str, Any]:
    out = pick(client, SUMMARY)
    callbacks = client.get("callbacks") or []
    if callbacks:
        out["callbacks"] = len(callbacks)
    return out


def non_verifiable(url: str) -> bool:
    """Custom schemes and loopback hosts cannot be verified by Auth0 (reference #162)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return True
    host = (parts.hostname or "").strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@attrs.frozen
class ListArgs:
    page: int = arg(0, minimum=0)
    per_page: int = arg(25, minimum=1, maximum=100)
    app_type: AppType | None = arg(None)
    name: str | None = arg(None, "Name contains (searches all pages)", minLength=1)
    fields: list[str] | None = arg(None, "Extra fields per app")


@tool(name="auth0_list_applications", title="List applications", read_only=True,
      idempotent=True, scopes=["read:clients"],
      output=returns(applications="array", has_more="boolean"),
      example={"app_type": "spa", "per_page": 10})
async def list_applications(ctx: ToolContext, args: ListArgs) -> dict[str, Any]:
    """List applications: client_id, name, type. `name` searches all pages."""
    extra = [f for f in args.fields or [] if f not in SUMMARY and f != "client_secret"]

    def shape(client: dict[str, Any]) -> dict[str, Any]:
        return {**summary(client), **pick(client, extra)}

    if args.name:
        needle = args.name.lower()
        matches = [shape(c) async for c in ctx.api.iterate_pages(PATH, "clients",
                                                                 app_type=args.app_type)
                   if needle in str(c.get("name", "")).lower()]
        chunk = matches[args.page * args.per_page:(args.page + 1) * args.per_page]
        return {"applications": chunk,
                **page_info(args.page, args.per_page, len(chunk), len(matches))}
    items, total = await ctx.api.page(PATH, "clients", page=args.page, per_page=args.per_page,
                                      app_type=args.app_type)
    return {"applications": [shape(c) for c in items],
            **page_info(args.page, args.per_page, len(items), total)}


@attrs.frozen
class IdArgs:
    client_id: str = arg(minLength=1)


@tool(name="auth0_get_application", title="Get application", read_only=True, idempotent=True,
      scopes=["read:clients"], output=returns(client_id="string", name="string"),
      example={"client_id": "AbCdEfGhIjKlMnOpQrStUvWxYz012345"})
async def get_application(ctx: ToolContext, args: IdArgs) -> dict[str, Any]:
    """Get an application's full settings (secrets redacted)."""
    return await ctx.api.get(f"{PATH}/{segment(args.client_id)}")


@attrs.frozen
class CreateArgs:
    name: str = arg(minLength=1)
    app_type: AppType | None = arg(None)
    description: str | None = arg(None, maxLength=140)
    callbacks: list[str] | None = arg(None)
    allowed_logout_urls: list[str] | None = arg(None)
    web_origins: list[str] | None = arg(None)
    allowed_origins: list[str] | None = arg(None)
    grant_types: list[str] | None = arg(None)
    token_endpoint_auth_method: Literal["none", "client_secret_post",
                                        "client_secret_basic"] | None = arg(None)
    oidc_conformant: bool | None = arg(None)
    is_first_party: bool | None = arg(None)
    logo_uri: str | None = arg(None)
    organization_usage: Literal["deny", "allow", "require"] | None = arg(None)
    jwt_configuration: dict[str, Any] | None = arg(None)
    refresh_token: dict[str, Any] | None = arg(None)


def defaults_for(args: CreateArgs) -> dict[str, Any]:
    """The reference's safe defaults, only where the user asked for nothing else."""
    out: dict[str, Any] = {}
    if args.oidc_conformant is None:
        out["oidc_conformant"] = True
    if args.jwt_configuration is None:
        out["jwt_configuration"] = {"alg": "RS256", "lifetime_in_seconds": 36000}
    if args.token_endpoint_auth_method is None and args.app_type:
        out["token_endpoint_auth_method"] = (
            "none" if args.app_type in ("spa", "native") else "client_secret_post")
    if any(non_verifiable(u) for u in args.callbacks or []):
        out[SKIP_FLAG] = True
    return out


@tool(name="auth0_create_application", title="Create application", read_only=False,
      scopes=["create:clients"], output=returns(client_id="string", domain="string"),
      example={"name": "Storefront", "app_type": "spa",
               "callbacks": ["https://shop.example.com/callback"]})
async def create_application(ctx: ToolContext, args: CreateArgs) -> ToolResult:
    """Create an application (OIDC, RS256 unless asked otherwise). Answers client_id and
    domain; the secret is never shown."""
    body = {k: v for k, v in ctx.converter.unstructure(args).items() if v is not None}
    applied = defaults_for(args)
    created = await ctx.api.post(PATH, {**body, **applied})
    client_id = created["client_id"]
    where = (f"{ctx.tenant.dashboard_url}/applications/{client_id}/settings"
             if ctx.tenant.dashboard_url else
             f"GET https://{ctx.tenant.domain}/api/v2/clients/{client_id} (needs read:client_keys)")
    data = {"client_id": client_id, "domain": ctx.tenant.domain, "name": created.get("name"),
            "app_type": created.get("app_type"), "defaults_applied": sorted(applied),
            "secret_access": "the client secret is never shown here; a person can copy it "
                             "from " + where}
    return ToolResult(data, f"Created {created.get('name')!r}: client_id {client_id}, domain "
                            f"{ctx.tenant.domain}.")


@attrs.frozen
class UpdateArgs:
    client_id: str = arg(minLength=1)
    name: str | None = arg(None, minLength=1)
    description: str | None = arg(None, maxLength=140)
    app_type: AppType | None = arg(None)
    token_endpoint_auth_method: Literal["none", "client_secret_post",
                                        "client_secret_basic"] | None = arg(None)
    oidc_conformant: bool | None = arg(None)
    logo_uri: str | None = arg(None)
    set: dict[str, list[str]] | None = arg(None, "Replace list fields, e.g. {callbacks: [...]}")
    add: dict[str, list[str]] | None = arg(None, "Append to list fields (callbacks, "
                                           "allowed_logout_urls, web_origins, ...)")
    remove: dict[str, list[str]] | None = arg(None, "Remove from list fields")
    settings: dict[str, Any] | None = arg(None, "Other fields, e.g. jwt_configuration")


@tool(name="auth0_update_application", title="Update application", read_only=False,
      idempotent=True, scopes=["update:clients"], output=returns(client_id="string"),
      example={"client_id": "AbCdEfGhIjKlMnOpQrStUvWxYz012345",
               "add": {"callbacks": ["https://shop.example.com/cb2"]}})
async def update_application(ctx: ToolContext, args: UpdateArgs) -> ToolResult:
    """Update an application. add/remove edit list fields without replacing them."""
    path = f"{PATH}/{segment(args.client_id)}"
    plain = ("name", "description", "app_type", "token_endpoint_auth_method",
             "oidc_conformant", "logo_uri")
    body: dict[str, Any] = {k: getattr(args, k) for k in plain if getattr(args, k) is not None}
    body.update(args.settings or {})
    edits = {**(args.set or {})}
    touched = set(args.add or {}) | set(args.remove or {})
    unknown = sorted((set(edits) | touched) - set(LIST_FIELDS))
    if unknown:
        raise ToolError(f"not a list field: {', '.join(unknown)} (list fields: "
                        f"{', '.join(LIST_FIELDS)})")
    if touched:
        current = await ctx.api.get(path, fields=",".join(sorted(touched)),
                                    include_fields=True)
        for name in sorted(touched):
            base = edits.get(name, current.get(name) or [])
            edits[name] = merge_list(base, (args.add or {}).get(name, ()),
                                     (args.remove or {}).get(name, ()))
    body.update(edits)
    if "callbacks" in edits and SKIP_FLAG not in body and any(
            non_verifiable(u) for u in edits["callbacks"]):
        body[SKIP_FLAG] = True
    if not body:
        raise ToolError("nothing to change: give at least one field")
    updated = await ctx.api.patch(path, body)
    return ToolResult(updated, f"Updated {', '.join(sorted(body))}.")


@tool(name="auth0_delete_application", title="Delete application", read_only=False,
      destructive=True, idempotent=True, scopes=["delete:clients"],
      output=returns(deleted="string"),
      example={"client_id": "AbCdEfGhIjKlMnOpQrStUvWxYz012345"})
async def delete_application(ctx: ToolContext, args: IdArgs) -> dict[str, Any]:
    """DESTRUCTIVE: delete an application; its users can no longer log in. Confirm first."""
    await ctx.api.delete(f"{PATH}/{segment(args.client_id)}")
    return {"deleted": args.client_id}
