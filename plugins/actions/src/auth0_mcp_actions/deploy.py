"""Deploying and rolling back Actions, and waiting for the build.

Auth0 builds asynchronously: a saved draft is ``pending``/``building`` before it is ``built``
or ``failed``, and a deploy answers with the new version before it is live. The reference
returns the first answer and lets the model believe it deployed; these tools poll (interval
growing from 0.25 s, bounded) and never call a failed or unfinished build deployed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import attrs

from auth0_mcp import ToolContext, ToolError, ToolResult, arg, returns, segment, tool

from . import summaries
from .tools import PATH

BUILD_WAIT = 30.0  # seconds one call waits for a build, all polls included
FIRST_POLL = 0.25
MAX_POLL = 2.0
FINISHED = ("built", "failed")
DEPLOY_OUTPUT = returns(deployed="boolean")


async def sleep(seconds: float) -> None:
    import anyio  # not at the top: this module loads with the tool table, before any loop

    await anyio.sleep(seconds)


def _status(obj: dict[str, Any]) -> str:
    return str(obj.get("status") or "").lower()


async def poll(ctx: ToolContext, path: str, obj: dict[str, Any],
               done: Callable[[dict[str, Any]], bool], deadline: float) -> dict[str, Any]:
    """GET ``path`` until ``done`` or the deadline; returns the last answer."""
    delay = FIRST_POLL
    while not done(obj):
        left = deadline - time.monotonic()
        if left <= 0:
            break
        await sleep(min(delay, left))
        delay = min(delay * 1.6, MAX_POLL)
        obj = await ctx.api.get(path)
    return obj


def _live(version: dict[str, Any]) -> bool:
    return _status(version) == "failed" or (_status(version) == "built"
                                            and bool(version.get("deployed")))


async def settle(ctx: ToolContext, action: dict[str, Any], version: dict[str, Any],
                 deadline: float, *, what: str) -> ToolResult:
    """Wait for a new version's build and say exactly where it ended."""
    action_id = action["id"]
    path = f"{PATH}/{segment(action_id)}/versions/{segment(version['id'])}"
    version = await poll(ctx, path, version, _live, deadline)
    status, number = _status(version), version.get("number")
    data = {"action_id": action_id, "name": action.get("name"), "version_id": version.get("id"),
            "number": number, "status": status, "deployed": status == "built"
            and bool(version.get("deployed"))}
    previous = (action.get("deployed_version") or {}).get("number")
    if status == "failed":
        messages = "; ".join(summaries.errors(version)) or "Auth0 gave no details"
        still = f" Version {previous} is still the live one." if previous else ""
        raise ToolError(f"the build of version {number} of {action.get('name')!r} FAILED, so it "
                        f"is NOT deployed: {messages}.{still} Fix the code or dependencies with "
                        "auth0_update_action, then deploy again.")
    if not data["deployed"]:
        state = "built but not yet marked deployed" if status == "built" else f"still {status}"
        return ToolResult(data, f"Version {number} is {state} after {BUILD_WAIT:g} s: it is "
                                "NOT live yet. Check it with auth0_list_action_versions in a "
                                "minute; do not deploy again (that makes another version).")
    return ToolResult(data, f"Version {number} of {action.get('name')!r} {what}, built and "
                            "deployed: flows bound to it run it now.")


@attrs.frozen
class DeployArgs:
    id: str = arg(minLength=1)


@tool(name="auth0_deploy_action", title="Deploy Action", kind="action", destructive=True,
      scopes=["update:actions", "read:actions"], output=DEPLOY_OUTPUT, timeout=90,
      example={"id": "f1d2c3b4-a5e6-4f70-8192-a3b4c5d6e7f8"})
async def deploy_action(ctx: ToolContext, args: DeployArgs) -> ToolResult:
    """Deploy the draft and wait up to 30 s for the build; a failed one is never deployed."""
    deadline = time.monotonic() + BUILD_WAIT
    path = f"{PATH}/{segment(args.id)}"
    action = await ctx.api.get(path)
    # Auth0 builds the saved draft first; deploying one that is not built yet is not safe.
    action = await poll(ctx, path, action,
                        lambda a: _status(a) in FINISHED or not a.get("status"), deadline)
    name, status = action.get("name"), _status(action)
    if status == "failed":
        raise ToolError(f"the draft of {name!r} failed to build, so nothing was deployed. Fix "
                        "its code or dependencies with auth0_update_action, then deploy again.")
    live = action.get("deployed_version") or {}
    if status and status != "built":
        return ToolResult({"action_id": args.id, "name": name, "status": status,
                           "deployed": False},
                          f"The draft of {name!r} is still {status} after {BUILD_WAIT:g} s; "
                          "nothing was deployed. Call auth0_deploy_action again shortly.")
    if action.get("all_changes_deployed") and live.get("number") is not None:
        return ToolResult({"action_id": args.id, "name": name, "version_id": live.get("id"),
                           "number": live["number"], "status": _status(live) or "built",
                           "deployed": True},
                          f"Nothing new to deploy: version {live['number']} of {name!r} "
                          "already has the draft's changes and is live.")
    version = await ctx.api.post(f"{path}/deploy")
    return await settle(ctx, action, version, deadline, what="was created")


@attrs.frozen
class RollbackArgs:
    id: str = arg(minLength=1)
    number: int | None = arg(None, "Version number to restore", minimum=1)
    version_id: str | None = arg(None, "Or the version's id", minLength=1)


async def find_version(ctx: ToolContext, action_id: str, number: int) -> dict[str, Any]:
    known = []
    async for item in ctx.api.iterate_pages(f"{PATH}/{segment(action_id)}/versions",
                                            "versions", per_page=100, totals=False):
        if item.get("number") == number:
            return item
        known.append(item.get("number"))
    listed = ", ".join(str(n) for n in sorted(known, reverse=True)) or "none (never deployed)"
    raise ToolError(f"version {number} does not exist; this Action's versions: {listed}")


@tool(name="auth0_rollback_action", title="Roll back Action", kind="action", destructive=True,
      scopes=["update:actions", "read:actions"], output=DEPLOY_OUTPUT, timeout=90,
      example={"id": "f1d2c3b4-a5e6-4f70-8192-a3b4c5d6e7f8", "number": 1})
async def rollback_action(ctx: ToolContext, args: RollbackArgs) -> ToolResult:
    """Deploy a copy of an earlier version (by number or version_id) as the newest version and
    wait for its build. The draft keeps its newer code."""
    if (args.number is None) == (args.version_id is None):
        raise ToolError("give exactly one of number or version_id "
                        "(see auth0_list_action_versions)")
    deadline = time.monotonic() + BUILD_WAIT
    path = f"{PATH}/{segment(args.id)}"
    action = await ctx.api.get(path)
    if args.version_id is not None:
        target = await ctx.api.get(f"{path}/versions/{segment(args.version_id)}")
    else:
        target = await find_version(ctx, args.id, args.number)  # type: ignore[arg-type]
    if _status(target) == "failed":
        raise ToolError(f"version {target.get('number')} failed to build; roll back to a "
                        "version whose status is built")
    version = await ctx.api.post(f"{path}/versions/{segment(target['id'])}/deploy")
    result = await settle(ctx, action, version, deadline,
                          what=f"(a copy of version {target.get('number')}) was created")
    note = (" The draft still holds the newer code: update it before the next deploy, or "
            "that deploy brings it back.") if result.data.get("deployed") else ""
    return ToolResult(result.data, f"{result.text}{note}")
