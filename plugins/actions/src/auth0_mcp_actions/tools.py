"""Tools for Auth0 Actions (``/api/v2/actions/actions``): list, get, create, update, delete,
and the trigger list. Deploying lives in deploy.py, trigger bindings in bindings.py."""

from __future__ import annotations

from typing import Any

import attrs

from auth0_mcp import (
    NoArguments,
    Target,
    ToolContext,
    ToolError,
    ToolResult,
    arg,
    returns,
    segment,
    tool,
)
from auth0_mcp.shaping import page_info

from . import summaries

PATH = "/actions/actions"
# Node 22 is the default runtime of every trigger in Auth0's 2026 trigger list (and the
# sandbox's); the reference still defaults to the outdated node18.
DEFAULT_RUNTIME = "node22"
EXAMPLE_ID = "f1d2c3b4-a5e6-4f70-8192-a3b4c5d6e7f8"
EXAMPLE_CODE = ("exports.onExecutePostLogin = async (event, api) => {\n"
                "  api.accessToken.setCustomClaim('https://example.com/plan', 'gold');\n};")


@attrs.frozen
class Trigger:
    id: str = arg(minLength=1)
    version: str | None = arg(None, "Default: current", minLength=1)


def compact(action: dict[str, Any]) -> dict[str, Any]:
    """What create/update answer with: the summary and secret names, not the code back."""
    out = summaries.action(action)
    names = [s.get("name") for s in action.get("secrets") or []]
    if names:
        out["secrets"] = names
    return out


def dependencies(specs: list[str]) -> list[dict[str, str]]:
    """npm-style ``name@version`` (``@scope/name@1.2.3`` too) as Auth0's ``{name, version}``."""
    out = []
    for spec in specs:
        name, _, version = spec.rpartition("@")
        if not name or not version:
            raise ToolError(f"dependency {spec!r} needs a version, e.g. {spec.strip('@')}@1.0.0")
        out.append({"name": name, "version": version})
    return out


async def resolve_triggers(ctx: ToolContext, items: list[Trigger]) -> list[dict[str, str]]:
    """A trigger without version gets the one Auth0's trigger list marks CURRENT, only when
    exactly one is (otherwise the model must choose)."""
    pairs = [(t.id, t.version) for t in items]
    known: list[dict[str, Any]] = []
    if any(not version for _, version in pairs):
        known = (await ctx.api.get("/actions/triggers")).get("triggers") or []
    out = []
    for trigger_id, version in pairs:
        if not version:
            versions = [k.get("version") for k in known if k.get("id") == trigger_id]
            current = [k.get("version") for k in known if k.get("id") == trigger_id
                       and str(k.get("status")).upper() == "CURRENT"]
            if not versions:
                ids = ", ".join(sorted({str(k.get("id")) for k in known}))
                raise ToolError(f"unknown trigger {trigger_id!r}; Auth0's triggers: {ids}")
            if len(current) != 1:
                raise ToolError(f"trigger {trigger_id!r} has no single current version "
                                f"({', '.join(map(str, versions))}): give its version")
            version = str(current[0])
        out.append({"id": trigger_id, "version": version})
    return out


@attrs.frozen
class ListArgs:
    trigger_id: str | None = arg(None)
    name: str | None = arg(None, "Exact")
    deployed: bool | None = arg(None)
    page: int = arg(0, minimum=0)
    per_page: int = arg(25, minimum=1, maximum=100)


@tool(name="auth0_list_actions", title="List Actions", kind="read", idempotent=True,
      scopes=["read:actions"], output=returns(actions="array"),
      example={"trigger_id": "post-login", "deployed": True})
async def list_actions(ctx: ToolContext, args: ListArgs) -> dict[str, Any]:
    """Actions without code: triggers, build status, live version."""
    items, total = await ctx.api.page(PATH, "actions", page=args.page, per_page=args.per_page,
                                      totals=False, triggerId=args.trigger_id,
                                      actionName=args.name, deployed=args.deployed)
    # total: Auth0 leaves it out when nothing matches
    return {"actions": [summaries.action(a) for a in items],
            **page_info(args.page, args.per_page, len(items), total)}


@attrs.frozen
class IdArgs:
    id: str = arg(minLength=1)


@tool(name="auth0_get_action", title="Get Action", kind="read", idempotent=True,
      scopes=["read:actions"], output=returns(code="string"),
      example={"id": EXAMPLE_ID})
async def get_action(ctx: ToolContext, args: IdArgs) -> dict[str, Any]:
    """Get an Action, code included."""
    return await ctx.api.get(f"{PATH}/{segment(args.id)}")


@attrs.frozen
class CreateArgs:
    name: str = arg(minLength=1)
    supported_triggers: list[Trigger] = arg(minItems=1)
    code: str = arg(minLength=1)
    runtime: str = arg(DEFAULT_RUNTIME)
    dependencies: list[str] = arg(factory=list, description="npm name@version")
    secrets: dict[str, str | None] = arg(factory=dict, description="{NAME: value}",
                                         secret=True)


@tool(name="auth0_create_action", title="Create Action", kind="create",
      scopes=["create:actions"], output=returns(id="string"),
      example={"name": "Plan claim", "supported_triggers": [{"id": "post-login"}],
               "code": EXAMPLE_CODE})
async def create_action(ctx: ToolContext, args: CreateArgs) -> ToolResult:
    """Create an Action (deploy it with auth0_deploy_action)."""
    empty = sorted(name for name, value in args.secrets.items() if not value)
    if empty:
        raise ToolError(f"secret(s) {', '.join(empty)} need a value")
    body = ctx.converter.unstructure(args)
    body["dependencies"] = dependencies(args.dependencies)
    body["supported_triggers"] = await resolve_triggers(ctx, args.supported_triggers)
    body["secrets"] = [{"name": k, "value": v} for k, v in args.secrets.items()]
    created = await ctx.api.post(PATH, body)
    return ToolResult(compact(created), f"Created {created.get('name')!r} "
                      f"({created.get('id')}); NOT deployed yet: call auth0_deploy_action.")


@attrs.frozen
class UpdateArgs:
    id: str = arg(minLength=1)
    name: str | None = arg(None, minLength=1)
    supported_triggers: list[Trigger] | None = arg(None, minItems=1)
    code: str | None = arg(None, minLength=1)
    runtime: str | None = arg(None, minLength=1)
    dependencies: list[str] | None = arg(None, "npm name@version, all")
    secrets: dict[str, str | None] = arg(factory=dict, description="{NAME: value}; null "
                                         "deletes", secret=True)


async def merged_secrets(ctx: ToolContext, args: UpdateArgs) -> list[dict[str, Any]]:
    """Auth0 replaces the whole secret list and values cannot be read back, so a secret lost
    by omission is lost for good: send every existing one without its value (which keeps it),
    then the changes (merge-patch style: a value sets, null deletes)."""
    current = [s.get("name") for s in
               (await ctx.api.get(f"{PATH}/{segment(args.id)}")).get("secrets") or []]
    missing = sorted(n for n, v in args.secrets.items() if v is None and n not in current)
    if missing:
        raise ToolError(f"no secret named {', '.join(missing)} to delete; existing: "
                        f"{', '.join(n for n in current if n) or 'none'}")
    out = [{"name": n} for n in current if n not in args.secrets]
    return out + [{"name": n, "value": v} for n, v in args.secrets.items() if v is not None]


@tool(name="auth0_update_action", title="Update Action", kind="update", idempotent=True,
      scopes=["update:actions"], output=returns(id="string"),
      example={"id": EXAMPLE_ID, "code": EXAMPLE_CODE, "secrets": {"API_KEY": "sk_test_1"}})
async def update_action(ctx: ToolContext, args: UpdateArgs) -> ToolResult:
    """Change an Action's draft (live after auth0_deploy_action)."""
    skip = {"id", "secrets", "supported_triggers", "dependencies"}
    body = {k: v for k, v in ctx.converter.unstructure(args).items()
            if v is not None and k not in skip}
    if args.dependencies is not None:
        body["dependencies"] = dependencies(args.dependencies)
    if args.supported_triggers is not None:
        body["supported_triggers"] = await resolve_triggers(ctx, args.supported_triggers)
    if args.secrets:
        body["secrets"] = await merged_secrets(ctx, args)
    if not body:
        raise ToolError("nothing to change: give at least one field besides id")
    updated = await ctx.api.patch(f"{PATH}/{segment(args.id)}", body)
    return ToolResult(compact(updated), f"Updated {', '.join(sorted(body))} of "
                      f"{updated.get('name')!r}; NOT live until auth0_deploy_action.")


@attrs.frozen
class DeleteArgs:
    id: str = arg(minLength=1)
    force: bool = arg(False, "Also unbind it from triggers")


def recreate_action(prior: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Undo of a delete: the draft again (a new id, not deployed, no bindings; secret values
    were never journaled, so secrets come back only by name, to be set again)."""
    keep = ("name", "supported_triggers", "code", "dependencies", "runtime")
    return "/actions/actions", {k: prior[k] for k in keep if prior.get(k) is not None}


async def bound_to(ctx: ToolContext, prior: dict[str, Any]) -> dict[str, Any] | None:
    """The flows that run it: deleting it (with force) takes it out of them."""
    from .bindings import current_bindings

    flows = []
    for trigger in prior.get("supported_triggers") or []:
        bound = await current_bindings(ctx, trigger["id"])
        if any((b.get("action") or {}).get("id") == prior.get("id") for b in bound):
            flows.append(trigger["id"])
    return {"bound_to": flows} if flows else None


@tool(name="auth0_delete_action", title="Delete Action", kind="delete", destructive=True,
      target=Target(recreate=recreate_action, dependents=bound_to),
      idempotent=True, scopes=["delete:actions"], output=returns(deleted="string"),
      example={"id": EXAMPLE_ID})
async def delete_action(ctx: ToolContext, args: DeleteArgs) -> dict[str, Any]:
    """Delete an Action with all its versions and secrets."""
    await ctx.api.delete(f"{PATH}/{segment(args.id)}", force=args.force or None)
    return {"deleted": args.id}


@tool(name="auth0_list_action_triggers", title="List Action triggers", kind="read",
      idempotent=True, scopes=["read:actions"], output=returns(triggers="array"), example={})
async def list_action_triggers(ctx: ToolContext, args: NoArguments) -> dict[str, Any]:
    """Triggers an Action can support: id, version (CURRENT or DEPRECATED), runtimes."""
    body = await ctx.api.get("/actions/triggers")
    return {"triggers": [summaries.trigger(t) for t in body.get("triggers") or []]}


@attrs.frozen
class VersionsArgs:
    id: str = arg(minLength=1)
    page: int = arg(0, minimum=0)
    per_page: int = arg(20, minimum=1, maximum=100)


@tool(name="auth0_list_action_versions", title="List Action versions", kind="read",
      idempotent=True, scopes=["read:actions"], output=returns(versions="array"),
      example={"id": EXAMPLE_ID})
async def list_action_versions(ctx: ToolContext, args: VersionsArgs) -> dict[str, Any]:
    """An Action's deployed versions: number, build status and errors, which one is live."""
    items, total = await ctx.api.page(f"{PATH}/{segment(args.id)}/versions", "versions",
                                      page=args.page, per_page=args.per_page, totals=False)
    return {"versions": [summaries.version(v) for v in items],
            **page_info(args.page, args.per_page, len(items), total)}
