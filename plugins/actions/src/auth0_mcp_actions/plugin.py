"""Auth0 Actions: the tool table."""

from __future__ import annotations

from auth0_mcp import hookimpl

from . import tools


@hookimpl
def auth0_mcp_register_tools():
    return [
        tools.list_actions,
        tools.get_action,
        tools.create_action,
        tools.update_action,
        tools.deploy_action,
        tools.list_action_versions,
        tools.rollback_action,
        tools.list_action_triggers,
        tools.get_action_bindings,
        tools.update_action_bindings,
        tools.delete_action,
    ]
