"""The confirmation policy: which calls need a person's yes before they apply.

``destructive`` (the default): deletes, destructive actions (rollbacks, deploys, bindings), and
updates that remove list items or touch an auth-critical field. ``writes``: every change.
``never``: automation. ``--read-only`` wins over all of them (no write tool is served).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from ..spec import ToolSpec
    from .plan import Plan

# Fields whose change needs confirmation under the default policy, for every family (a
# Target adds its own): who may get tokens, where they go, how long they live, what they grant.
CRITICAL = frozenset({
    "grant_types", "callbacks", "allowed_origins", "web_origins", "allowed_logout_urls",
    "allowed_clients", "initiate_login_uri", "token_endpoint_auth_method", "jwt_configuration",
    "signing_alg", "token_lifetime", "token_lifetime_for_web", "refresh_token", "scopes",
    "scope", "options", "enabled_connections", "bindings", "is_first_party", "oidc_conformant",
    "audience", "identifier", "allow_offline_access",
    "skip_consent_for_verifiable_first_party_clients",
    "cross_origin_authentication", "organization_usage", "organization_require_behavior",
})


Policy = Literal["destructive", "writes", "never"]
POLICIES: tuple[str, ...] = ("destructive", "writes", "never")
DEFAULT_POLICY: Policy = "destructive"


def resolve_policy(flag: str | None, env: Mapping[str, str],
                   stored: str | None = None) -> Policy:
    """``--confirm``, else ``AUTH0_MCP_CONFIRM``, else the profile's, else the default."""
    value = flag or env.get("AUTH0_MCP_CONFIRM") or stored or DEFAULT_POLICY
    value = value.strip().lower()
    if value not in POLICIES:
        raise ValueError(f"--confirm must be one of {', '.join(POLICIES)}, not {value!r}")
    return value  # type: ignore[return-value]


def needs_confirmation(policy: str, spec: ToolSpec, plan: Plan | None) -> bool:
    """Under ``destructive`` (the default): deletes, destructive actions (rollback, deploy,
    bindings), and updates that remove list items or touch an auth-critical field."""
    if policy == "never" or spec.kind == "read":
        return False
    if policy == "writes":
        return True
    if spec.kind == "delete":
        return True
    if spec.kind == "action":
        return spec.destructive
    if spec.kind == "update" and plan is not None:
        extra = frozenset(spec.target.critical) if spec.target else frozenset()
        return plan.removes_items() or plan.touches(CRITICAL | extra)
    return False


def plans_before_applying(policy: str, spec: ToolSpec) -> bool:
    """Whether a call must be planned (dry run) before it is applied: updates and deletes
    always are (their prior state is journaled for undo); others when they may need a yes."""
    if spec.kind in ("update", "delete"):
        return True
    return policy == "writes" or (policy == "destructive" and spec.kind == "action"
                                  and spec.destructive)
