"""Compact views of Actions, versions, triggers and bindings: what a model needs to decide its
next step, without the code (which can be kilobytes per Action) or timestamps it never uses."""

from __future__ import annotations

from typing import Any

from auth0_mcp.shaping import pick


def triggers(items: list[dict[str, Any]] | None) -> list[str]:
    """``[{id: post-login, version: v3}]`` as ``["post-login@v3"]``."""
    return [f"{t.get('id')}@{t.get('version')}" if t.get("version") else str(t.get("id"))
            for t in items or []]


def action(obj: dict[str, Any]) -> dict[str, Any]:
    """One Action: id, name, triggers, runtime, draft build status and what is live.

    ``status`` is the draft's build status; ``deployed_version`` the number running in flows
    (absent when it was never deployed); ``all_changes_deployed`` whether the draft matches it.
    """
    out = pick(obj, ("id", "name"))
    out["triggers"] = triggers(obj.get("supported_triggers"))
    out.update(pick(obj, ("runtime", "status")))
    deployed = obj.get("deployed_version") or {}
    if deployed.get("number") is not None:
        out["deployed_version"] = deployed["number"]
    out["all_changes_deployed"] = bool(obj.get("all_changes_deployed"))
    return out


def errors(version: dict[str, Any]) -> list[str]:
    """A failed build's error messages (Auth0 sends ``errors[{id, msg, url}]``)."""
    return [str(e.get("msg") or e.get("id")) if isinstance(e, dict) else str(e)
            for e in version.get("errors") or []]


def version(obj: dict[str, Any]) -> dict[str, Any]:
    """One version: number, build status, whether it is the live one, and build errors."""
    out = pick(obj, ("id", "number", "status"))
    out["deployed"] = bool(obj.get("deployed"))
    out.update(pick(obj, ("runtime", "created_at")))
    if errors(obj):
        out["errors"] = errors(obj)
    return out


def trigger(obj: dict[str, Any]) -> dict[str, Any]:
    return pick(obj, ("id", "version", "status", "runtimes", "default_runtime",
                      "binding_policy"))


def binding(obj: dict[str, Any]) -> dict[str, Any]:
    """One step of a trigger's flow: the bound Action and the name the flow shows."""
    bound = obj.get("action") or {}
    out = {"action_id": bound.get("id"), "name": bound.get("name")}
    if obj.get("display_name") and obj.get("display_name") != bound.get("name"):
        out["display_name"] = obj["display_name"]
    deployed = bound.get("deployed_version") or {}
    if deployed.get("number") is not None:
        out["deployed_version"] = deployed["number"]
    return out
