"""Auth0 Actions: the tool table. Handlers live in tools.py, deploy.py and bindings.py."""

from __future__ import annotations

from auth0_mcp import hookimpl

from . import bindings, deploy, tools


@hookimpl
def auth0_mcp_register_tools():
    return [
        tools.list_actions,
        tools.get_action,
        tools.create_action,
        tools.update_action,
        deploy.deploy_action,
        tools.list_action_versions,
        deploy.rollback_action,
        tools.list_action_triggers,
        bindings.get_action_bindings,
        bindings.update_action_bindings,
        tools.delete_action,
    ]


@hookimpl
def auth0_mcp_sandbox_routers():
    """This family's endpoints in the sandbox tenant, imported only when a sandbox starts (so
    the plugin works without auth0-mcp-sandbox installed)."""
    from . import emulator

    return [emulator.router]
