"""Tools for Auth0 Actions (``/api/v2/actions``): code that runs in login and other flows."""

from __future__ import annotations

from typing import Any

import anyio
import attrs

from auth0_mcp import NoArguments, ToolContext, ToolError, ToolResult, arg, returns, segment, tool

PATH = "/actions/actions"
DEFAULT_RUNTIME = "node22"


@attrs.frozen
class Trigger:
    id: str = arg(minLength=1)
    version: str = arg(minLength=1)


@attrs.frozen
class Dependency:
    name: str = arg(minLength=1)
    version: str = arg(minLength=1)


@attrs.frozen
class Secret:
    name: str = arg(minLength=1)
    value: str | None = arg(None)


def summary(action: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": action.get("id"), "name": action.get("name"),
        "triggers": [f"{t.get('id')}@{t.get('version')}"
                     for t in action.get("supported_triggers") or []],
        "runtime": action.get("runtime"),
    }
    deployed = action.get("deployed_version")
    if deployed:
        out["deployed"] = {"number": deployed.get("number"), "status": deployed.get("status")}
    out["all_changes_deployed"] = bool(action.get("all_changes_deployed"))
    return out


@attrs.frozen
class ListArgs:
    trigger_id: str | None = arg(None, "e.g. post-login")
    name: str | None = arg(None, "Exact name")
    deployed: bool | None = arg(None)
    page: int = arg(0, minimum=0)
    per_page: int = arg(25, minimum=1, maximum=100)


@tool(name="auth0_list_actions", title="List Actions", read_only=True, idempotent=True,
      scopes=["read:actions"], output=returns(actions="array", has_more="boolean"),
      example={"trigger_id": "post-login"})
async def list_actions(ctx: ToolContext, args: ListArgs) -> dict[str, Any]:
    """List Actions (no code): triggers, runtime, deployed version."""
    body = await ctx.api.get(PATH, triggerId=args.trigger_id, actionName=args.name,
                             deployed=args.deployed, page=args.page, per_page=args.per_page)
    items = body.get("actions", []) if isinstance(body, dict) else list(body or [])
    total = body.get("total") if isinstance(body, dict) else None
    seen = args.page * args.per_page + len(items)
    return {"actions": [summary(a) for a in items], "page": args.page, "total": total,
            "has_more": seen < total if isinstance(total, int) else len(items) == args.per_page}


@attrs.frozen
class IdArgs:
    id: str = arg(minLength=1)


@tool(name="auth0_get_action", title="Get Action", read_only=True, idempotent=True,
      scopes=["read:actions"], output=returns(id="string", code="string"),
      example={"id": "f1d2c3b4-a5e6-4f70-8192-a3b4c5d6e7f8"})
async def get_action(ctx: ToolContext, args: IdArgs) -> dict[str, Any]:
    """Get an Action with its code (secret values are never returned)."""
    return await ctx.api.get(f"{PATH}/{segment(args.id)}")


@attrs.frozen
class CreateArgs:
    name: str = arg(minLength=1)
    supported_triggers: list[Trigger] = arg(description="e.g. [{id: post-login, version: v3}]",
                                            minItems=1)
    code: str = arg(description="JS exporting the trigger's handler", minLength=1)
    runtime: str = arg(DEFAULT_RUNTIME)
    dependencies: list[Dependency] = arg(factory=list)
    secrets: list[Secret] = arg(factory=list)


@tool(name="auth0_create_action", title="Create Action", read_only=False,
      scopes=["create:actions"], output=returns(id="string"),
      example={"name": "Add roles claim", "supported_triggers": [{"id": "post-login",
                                                                  "version": "v3"}],
               "code": "exports.onExecutePostLogin = async (event, api) => {};"})
async def create_action(ctx: ToolContext, args: CreateArgs) -> ToolResult:
    """Create an Action (not deployed: call auth0_deploy_action)."""
    created = await ctx.api.post(PATH, ctx.converter.unstructure(args))
    return ToolResult(created, f"Created {created.get('name')!r} ({created.get('id')}); "
                               "not deployed yet.")


@attrs.frozen
class UpdateArgs:
    id: str = arg(minLength=1)
    name: str | None = arg(None)
    supported_triggers: list[Trigger] | None = arg(None)
    code: str | None = arg(None)
    runtime: str | None = arg(None)
    dependencies: list[Dependency] | None = arg(None)
    secrets: list[Secret] | None = arg(None)


@tool(name="auth0_update_action", title="Update Action", read_only=False, idempotent=True,
      scopes=["update:actions"], output=returns(id="string"),
      description="Update the draft (a secret sent without value keeps it); deploy to go live.",
      example={"id": "f1d2c3b4-a5e6-4f70-8192-a3b4c5d6e7f8", "runtime": "node22"})
async def update_action(ctx: ToolContext, args: UpdateArgs) -> ToolResult:
    """Update an Action's draft; deploy to make it live."""
    body = {k: v for k, v in ctx.converter.unstructure(args).items()
            if v is not None and k != "id"}
    for secret in body.get("secrets", []):
        if secret.get("value") is None:
            secret.pop("value", None)
    if not body:
        raise ToolError("nothing to change: give at least one field")
    updated = await ctx.api.patch(f"{PATH}/{segment(args.id)}", body)
    return ToolResult(updated, "Draft updated; not deployed until auth0_deploy_action.")


async def wait_for_build(ctx: ToolContext, action_id: str, version: dict[str, Any],
                         wait: float) -> ToolResult:
    """Poll the version until it is built or failed, within ``wait`` seconds."""
    path = f"{PATH}/{segment(action_id)}/versions/{segment(version['id'])}"
    delay, waited = 0.1, 0.0
    while version.get("status") not in ("built", "failed") and waited < wait:
        await anyio.sleep(delay)
        waited += delay
        delay = min(delay * 1.6, 1.0)
        version = await ctx.api.get(path)
    data = {"action_id": action_id, "version_id": version.get("id"),
            "number": version.get("number"), "status": version.get("status"),
            "deployed": version.get("status") == "built"}
    if version.get("status") == "failed":
        data["errors"] = version.get("errors", [])
        messages = "; ".join(e.get("msg", "") for e in data["errors"]) or "no details"
        raise ToolError(f"the build of version {data['number']} FAILED, so it is not "
                        f"deployed: {messages}. Fix the code and deploy again.")
    if version.get("status") != "built":
        return ToolResult(data, f"Version {data['number']} is still {version.get('status')} "
                                f"after {wait:g} s; check with auth0_list_action_versions.")
    return ToolResult(data, f"Version {data['number']} built and deployed.")


@attrs.frozen
class DeployArgs:
    id: str = arg(minLength=1)
    wait: float = arg(20, "Seconds to wait for the build", minimum=0, maximum=60)


@tool(name="auth0_deploy_action", title="Deploy Action", read_only=False,
      scopes=["update:actions", "read:actions"],
      output=returns(status="string", deployed="boolean", number="integer"), timeout=90,
      example={"id": "f1d2c3b4-a5e6-4f70-8192-a3b4c5d6e7f8"})
async def deploy_action(ctx: ToolContext, args: DeployArgs) -> ToolResult:
    """Deploy the draft and wait for its build; a failed build is reported, never deployed."""
    version = await ctx.api.post(f"{PATH}/{segment(args.id)}/deploy")
    return await wait_for_build(ctx, args.id, version, args.wait)


@attrs.frozen
class VersionsArgs:
    id: str = arg(minLength=1)
    page: int = arg(0, minimum=0)
    per_page: int = arg(20, minimum=1, maximum=100)


@tool(name="auth0_list_action_versions", title="List Action versions", read_only=True,
      idempotent=True, scopes=["read:actions"], output=returns(versions="array"),
      example={"id": "f1d2c3b4-a5e6-4f70-8192-a3b4c5d6e7f8"})
async def list_action_versions(ctx: ToolContext, args: VersionsArgs) -> dict[str, Any]:
    """An Action's deployed versions, newest first, with build status."""
    body = await ctx.api.get(f"{PATH}/{segment(args.id)}/versions", page=args.page,
                             per_page=args.per_page)
    keys = ("id", "number", "status", "deployed", "created_at")
    return {"versions": [{k: v.get(k) for k in keys} for v in body.get("versions", [])],
            "total": body.get("total")}


@attrs.frozen
class RollbackArgs:
    id: str = arg(minLength=1)
    number: int = arg(description="Version number to restore", minimum=1)
    wait: float = arg(20, minimum=0, maximum=60)


@tool(name="auth0_rollback_action", title="Roll back Action", read_only=False,
      scopes=["update:actions", "read:actions"],
      output=returns(status="string", deployed="boolean", number="integer"), timeout=90,
      example={"id": "f1d2c3b4-a5e6-4f70-8192-a3b4c5d6e7f8", "number": 1})
async def rollback_action(ctx: ToolContext, args: RollbackArgs) -> ToolResult:
    """Redeploy an earlier version's code as the newest version."""
    versions = [v async for v in _all_versions(ctx, args.id)]
    match = next((v for v in versions if v.get("number") == args.number), None)
    if match is None:
        known = ", ".join(str(v.get("number")) for v in versions) or "none"
        raise ToolError(f"version {args.number} does not exist (versions: {known})")
    path = f"{PATH}/{segment(args.id)}/versions/{segment(match['id'])}/deploy"
    version = await ctx.api.post(path)
    return await wait_for_build(ctx, args.id, version, args.wait)


async def _all_versions(ctx: ToolContext, action_id: str):
    page = 0
    while True:
        body = await ctx.api.get(f"{PATH}/{segment(action_id)}/versions", page=page,
                                 per_page=100)
        items = body.get("versions", [])
        for item in items:
            yield item
        if len(items) < 100:
            return
        page += 1


@tool(name="auth0_list_action_triggers", title="List Action triggers", read_only=True,
      idempotent=True, scopes=["read:actions"], output=returns(triggers="array"), example={})
async def list_action_triggers(ctx: ToolContext, args: NoArguments) -> dict[str, Any]:
    """Trigger ids and versions an Action can support, with their runtimes."""
    body = await ctx.api.get("/actions/triggers")
    keys = ("id", "version", "status", "default_runtime")
    return {"triggers": [{k: t.get(k) for k in keys} for t in body.get("triggers", [])]}


@attrs.frozen
class TriggerArgs:
    trigger_id: str = arg(description="e.g. post-login", minLength=1)


async def _bindings(ctx: ToolContext, trigger_id: str) -> list[dict[str, Any]]:
    body = await ctx.api.get(f"/actions/triggers/{segment(trigger_id)}/bindings",
                             per_page=100)
    return [{"action_id": b["action"]["id"], "name": b["action"].get("name"),
             "display_name": b.get("display_name")} for b in body.get("bindings", [])]


@tool(name="auth0_get_action_bindings", title="Get trigger bindings", read_only=True,
      idempotent=True, scopes=["read:actions"], output=returns(bindings="array"),
      example={"trigger_id": "post-login"})
async def get_action_bindings(ctx: ToolContext, args: TriggerArgs) -> dict[str, Any]:
    """The Actions that run on a trigger, in execution order."""
    return {"trigger_id": args.trigger_id, "bindings": await _bindings(ctx, args.trigger_id)}


@attrs.frozen
class BindingsArgs:
    trigger_id: str = arg(minLength=1)
    actions: list[str] | None = arg(None, "Full new order (ids or names): replaces the flow")
    add: str | None = arg(None, "Action id or name to add")
    position: int | None = arg(None, "0-based position for add (default: last)", minimum=0)
    remove: list[str] = arg(factory=list, description="Action ids or names to remove")


@tool(name="auth0_update_action_bindings", title="Update trigger bindings", read_only=False,
      idempotent=True, scopes=["update:actions", "read:actions"],
      output=returns(bindings="array"), example={"trigger_id": "post-login",
                                                 "add": "Add roles claim", "position": 0})
async def update_action_bindings(ctx: ToolContext, args: BindingsArgs) -> ToolResult:
    """Set which deployed Actions run on a trigger and in what order. add/remove keep the
    others; actions replaces the whole flow."""
    if args.actions is None and args.add is None and not args.remove:
        raise ToolError("give actions (the full order), add, or remove")
    if args.actions is not None:
        order = list(args.actions)
    else:
        current = await _bindings(ctx, args.trigger_id)
        order = [b["action_id"] for b in current
                 if b["action_id"] not in args.remove and b["name"] not in args.remove]
        if args.add and args.add not in order:
            order.insert(len(order) if args.position is None else args.position, args.add)
    refs = [{"ref": {"type": "action_id" if _looks_like_id(a) else "action_name", "value": a}}
            for a in order]
    body = await ctx.api.patch(f"/actions/triggers/{segment(args.trigger_id)}/bindings",
                               {"bindings": refs})
    bindings = [{"action_id": b["action"]["id"], "name": b["action"].get("name")}
                for b in body.get("bindings", [])]
    names = " -> ".join(b["name"] or b["action_id"] for b in bindings) or "(empty)"
    return ToolResult({"trigger_id": args.trigger_id, "bindings": bindings},
                      f"{args.trigger_id} now runs: {names}.")


def _looks_like_id(value: str) -> bool:
    parts = value.split("-")
    return len(value) == 36 and len(parts) == 5


@attrs.frozen
class DeleteArgs:
    id: str = arg(minLength=1)
    force: bool = arg(False, "Also remove its trigger bindings")


@tool(name="auth0_delete_action", title="Delete Action", read_only=False, destructive=True,
      idempotent=True, scopes=["delete:actions"], output=returns(deleted="string"),
      example={"id": "f1d2c3b4-a5e6-4f70-8192-a3b4c5d6e7f8"})
async def delete_action(ctx: ToolContext, args: DeleteArgs) -> dict[str, Any]:
    """DESTRUCTIVE: delete an Action and its versions. Confirm first."""
    await ctx.api.delete(f"{PATH}/{segment(args.id)}", force=args.force or None)
    return {"deleted": args.id}
