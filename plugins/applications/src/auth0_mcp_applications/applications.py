"""Tools for Auth0 applications (``/api/v2/clients``).

Schemas stay small: the fields almost every call needs are arguments, every other client
setting the reference offered travels in one object (``settings`` / ``set``) whose keys the
handler checks against that list before anything is sent, so high-risk fields (addons,
custom login pages, encryption keys, client metadata...) can never be written.
"""

from __future__ import annotations

import json
from typing import Any, Literal

import attrs

from auth0_mcp import Target, ToolContext, ToolError, ToolResult, arg, returns, segment, tool
from auth0_mcp.shaping import merge_list, page_info, pick

from .urls import non_verifiable

PATH = "/clients"
AppType = Literal["spa", "native", "regular_web", "non_interactive"]
SKIP_FLAG = "skip_non_verifiable_callback_uri_confirmation_prompt"
LIST_FIELDS = ("callbacks", "allowed_logout_urls", "web_origins", "allowed_origins",
               "grant_types", "client_aliases", "allowed_clients")
# The reference's create/update fields (reference §1.2) after its high-risk cut (#175).
SETTINGS = frozenset({
    *LIST_FIELDS, "description", "is_first_party", "oidc_conformant", "sso", "sso_disabled",
    "cross_origin_authentication", "cross_origin_loc", "logo_uri", "organization_usage",
    "organization_require_behavior", "token_endpoint_auth_method", "jwt_configuration",
    "refresh_token", "mobile", "oidc_logout", "native_social_login", SKIP_FLAG,
})
UPDATABLE = SETTINGS | {"name", "app_type"}
NEVER_LISTED = frozenset({"client_secret", "encryption_key"})
SUMMARY_FIELDS = ("client_id", "name", "app_type", "global", "description")
SUMMARY_BYTES = 180
PER_PAGE = 25
SEARCH_PAGE = 100  # page size while searching names across the whole tenant


def summary(client: dict[str, Any]) -> dict[str, Any]:
    """client_id, name, type, the global flag, and as much description as fits in
    ``SUMMARY_BYTES`` of JSON."""
    out = pick(client, ("client_id", "name", "app_type"))
    if client.get("global"):
        out["global"] = True
    description = client.get("description")
    if isinstance(description, str) and description.strip():
        room = SUMMARY_BYTES - len(json.dumps({**out, "description": ""}))
        text = description.strip()
        if len(json.dumps(text)) - 2 > room:
            while text and len(json.dumps(text)) + 1 > room:  # +3 for "...", -2 for quotes
                text = text[:-1]
            text = text.rstrip() + "..."
        if len(text) >= 12:
            out["description"] = text
    return out


def check_keys(given: dict[str, Any] | None, allowed: frozenset[str] | tuple[str, ...],
               what: str) -> None:
    """Refuse keys the schema cannot express, before anything is sent."""
    unknown = sorted(set(given or {}) - set(allowed))
    if unknown:
        raise ToolError(f"{what} does not accept {', '.join(unknown)}; allowed: "
                        f"{', '.join(sorted(allowed))}")


def string_lists(given: dict[str, Any] | None, what: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in (given or {}).items():
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ToolError(f"{what}.{key} must be a list of strings")
        out[key] = value
    return out


@attrs.frozen
class ListArgs:
    page: int = arg(0, minimum=0)
    per_page: int | None = arg(None, minimum=1, maximum=100)
    app_type: AppType | None = arg(None)
    name: str | None = arg(None, "Substring, any case", minLength=1)
    fields: list[str] | None = arg(None, "Extra fields")


@tool(name="auth0_list_applications", title="List applications", kind="read",
      idempotent=True, scopes=["read:clients"],
      output=returns(applications="array"),
      example={"name": "shop", "app_type": "spa"})
async def list_applications(ctx: ToolContext, args: ListArgs) -> dict[str, Any]:
    """List applications: client_id, name, type."""
    per_page = args.per_page or PER_PAGE
    extra = [f for f in args.fields or [] if f not in SUMMARY_FIELDS]
    refused = sorted(NEVER_LISTED.intersection(extra))
    if refused:
        raise ToolError(f"{', '.join(refused)} is never shown by this server; a person can "
                        "copy it from the Auth0 dashboard")
    query: dict[str, Any] = {"app_type": args.app_type, "include_fields": True,
             "fields": ",".join([*SUMMARY_FIELDS, *extra])}

    def shape(client: dict[str, Any]) -> dict[str, Any]:
        return {**summary(client), **pick(client, extra)}

    if args.name:
        needle = args.name.casefold()
        matches = [shape(c) async for c in ctx.api.iterate_pages(PATH, "clients",
                                                                 per_page=SEARCH_PAGE, **query)
                   if needle in str(c.get("name", "")).casefold()]
        chunk = matches[args.page * per_page:(args.page + 1) * per_page]
        return {"applications": chunk,
                **page_info(args.page, per_page, len(chunk), len(matches))}
    items, total = await ctx.api.page(PATH, "clients", page=args.page, per_page=per_page,
                                      **query)
    return {"applications": [shape(c) for c in items],
            **page_info(args.page, per_page, len(items), total)}


@attrs.frozen
class IdArgs:
    client_id: str = arg(minLength=1)


@tool(name="auth0_get_application", title="Get application", kind="read", idempotent=True,
      scopes=["read:clients"], output=returns(client_id="string"),
      example={"client_id": "AbCdEfGhIjKlMnOpQrStUvWxYz012345"})
async def get_application(ctx: ToolContext, args: IdArgs) -> dict[str, Any]:
    """Get all of an application's settings (secrets redacted)."""
    return await ctx.api.get(f"{PATH}/{segment(args.client_id)}")


@attrs.frozen
class CreateArgs:
    name: str = arg(minLength=1)
    app_type: AppType | None = arg(None)
    callbacks: list[str] | None = arg(None)
    settings: dict[str, Any] | None = arg(None, "More fields: web_origins, "
                                          "allowed_logout_urls, description...")


def defaults_for(app_type: str | None, given: dict[str, Any]) -> dict[str, Any]:
    """The reference's safe defaults, each only where the caller chose nothing else."""
    out: dict[str, Any] = {}
    if "oidc_conformant" not in given:
        out["oidc_conformant"] = True
    jwt = given.get("jwt_configuration")
    if not isinstance(jwt, dict):
        out["jwt_configuration"] = {"alg": "RS256", "lifetime_in_seconds": 36000}
    elif "alg" not in jwt:
        out["jwt_configuration"] = {**jwt, "alg": "RS256"}
    if "token_endpoint_auth_method" not in given and app_type:
        out["token_endpoint_auth_method"] = (
            "none" if app_type in ("spa", "native") else "client_secret_post")
    if SKIP_FLAG not in given and any(non_verifiable(u) for u in given.get("callbacks") or []):
        out[SKIP_FLAG] = True
    return out


def secret_hint(ctx: ToolContext, client: dict[str, Any]) -> str:
    """Where a person (not the model) can read the secret: the dashboard in the tenant's
    region, or the API for the sandbox and custom domains, which have no derivable dashboard."""
    client_id = client["client_id"]
    if ctx.tenant.dashboard_url:
        where = f"the dashboard: {ctx.tenant.dashboard_url}/applications/{client_id}/settings"
    else:
        where = (f"GET {ctx.api.base_url}/api/v2/clients/{client_id} with a token "
                 "that has read:client_keys")
    hint = f"redacted here; a person can copy it from {where}"
    if client.get("token_endpoint_auth_method") == "none":
        return f"not used by this public client (token_endpoint_auth_method none); {hint}"
    return hint


@tool(name="auth0_create_application", title="Create application", kind="create",
      scopes=["create:clients"], output=returns(client_id="string"),
      example={"name": "Storefront", "app_type": "spa",
               "callbacks": ["https://shop.example.com/callback"],
               "settings": {"web_origins": ["https://shop.example.com"]}})
async def create_application(ctx: ToolContext, args: CreateArgs) -> ToolResult:
    """Create an application. Defaults unless given: OIDC, RS256, auth method by type."""
    settings = dict(args.settings or {})
    check_keys(settings, SETTINGS - {"callbacks"}, "settings")
    string_lists({k: v for k, v in settings.items() if k in LIST_FIELDS}, "settings")
    given = {k: v for k, v in {"name": args.name, "app_type": args.app_type,
                                "callbacks": args.callbacks}.items() if v is not None}
    given.update(settings)
    applied = defaults_for(args.app_type, given)
    created = await ctx.api.post(PATH, {**given, **applied})
    data = {**pick(created, ("client_id", "name", "app_type")), "domain": ctx.tenant.domain,
            "secret_access": secret_hint(ctx, created), "defaults_applied": applied}
    text = f"Created {created.get('name')!r}: client_id {created['client_id']} on " \
           f"{ctx.tenant.domain}."
    twins = await same_name(ctx, str(created.get("name")), created["client_id"])
    if twins:
        data["same_name"] = twins
        text += (f" Note: {len(twins)} other application(s) have the same name "
                 f"({', '.join(twins)}); Auth0 allows this, but if a new one was not intended, "
                 "delete this one with auth0_delete_application.")
    return ToolResult(data, text)


async def same_name(ctx: ToolContext, name: str, new_id: str, *, pages: int = 5) -> list[str]:
    """Client ids of other applications called ``name``: Auth0 allows duplicates, admins
    rarely want one. Cheap (ids and names only, at most ``pages`` pages of 100) and best
    effort: a failure leaves the answer as it was."""
    found: list[str] = []
    try:
        for page in range(pages):
            items, _ = await ctx.api.page(PATH, "clients", page=page, per_page=100,
                                          fields="client_id,name", include_fields=True)
            found += [c["client_id"] for c in items
                      if c.get("name") == name and c.get("client_id") != new_id]
            if len(items) < 100:
                break
    except ToolError:
        return found
    return found


@attrs.frozen
class UpdateArgs:
    client_id: str = arg(minLength=1)
    set: dict[str, Any] | None = arg(None, "e.g. {name: ...}")
    add: dict[str, Any] | None = arg(None, "e.g. {callbacks: [...]}")
    remove: dict[str, Any] | None = arg(None)


@tool(name="auth0_update_application", title="Update application", kind="update",
      idempotent=True, scopes=["update:clients"], output=returns(client_id="string"),
      example={"client_id": "AbCdEfGhIjKlMnOpQrStUvWxYz012345",
               "add": {"callbacks": ["https://shop.example.com/cb2"]}})
async def update_application(ctx: ToolContext, args: UpdateArgs) -> ToolResult:
    """Change an application: set replaces fields; add/remove edit list fields
    (callbacks, web_origins...) in place."""
    body = dict(args.set or {})
    check_keys(body, UPDATABLE, "set")
    string_lists({k: v for k, v in body.items() if k in LIST_FIELDS}, "set")
    check_keys(args.add, LIST_FIELDS, "add")
    check_keys(args.remove, LIST_FIELDS, "remove")
    add, remove = string_lists(args.add, "add"), string_lists(args.remove, "remove")
    if not (body or add or remove):
        raise ToolError("nothing to change: give set, add or remove")
    path = f"{PATH}/{segment(args.client_id)}"
    touched = sorted(set(add) | set(remove))
    if touched:
        current = await ctx.api.get(path, fields=",".join(touched), include_fields=True)
        for name in touched:
            base = body[name] if name in body else current.get(name) or []
            body[name] = merge_list(base, add.get(name, ()), remove.get(name, ()))
    introduced = {*(args.set or {}).get("callbacks", ()), *add.get("callbacks", ())}
    applied = {}
    if SKIP_FLAG not in body and any(non_verifiable(u) for u in body.get("callbacks", ())
                                     if u in introduced):
        applied[SKIP_FLAG] = body[SKIP_FLAG] = True
    updated = await ctx.api.patch(path, body)
    data = {"client_id": updated.get("client_id", args.client_id), "name": updated.get("name"),
            "changed": {k: updated.get(k) for k in body}}
    if applied:
        data["defaults_applied"] = applied
    return ToolResult(data, f"Updated {', '.join(sorted(body))}.")


def recreate_application(prior: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Undo of a delete: the same settings under a new client_id (and a new secret)."""
    return PATH, {k: v for k, v in prior.items() if k in UPDATABLE and v is not None}


async def application_grants(ctx: ToolContext, prior: dict[str, Any]) -> dict[str, Any] | None:
    """What stops working with it: the APIs it was granted."""
    grants, _ = await ctx.api.page("/client-grants", "client_grants",
                                   client_id=prior.get("client_id"), per_page=50)
    if not grants:
        return None
    return {"grants": [f"{g.get('audience')} ({' '.join(g.get('scope') or [])})"
                       for g in grants]}


@tool(name="auth0_delete_application", title="Delete application", kind="delete",
      target=Target(recreate=recreate_application, dependents=application_grants),
      destructive=True, idempotent=True, scopes=["delete:clients"],
      output=returns(deleted="string"),
      example={"client_id": "AbCdEfGhIjKlMnOpQrStUvWxYz012345"})
async def delete_application(ctx: ToolContext, args: IdArgs) -> dict[str, Any]:
    """Delete an application; its users and services can no longer get tokens."""
    await ctx.api.delete(f"{PATH}/{segment(args.client_id)}")
    return {"deleted": args.client_id}
