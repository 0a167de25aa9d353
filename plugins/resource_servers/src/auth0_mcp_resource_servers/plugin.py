"""Auth0 APIs (resource servers): the tool table. Handlers live in tools.py."""

from __future__ import annotations

from auth0_mcp import hookimpl

from . import tools


@hookimpl
def auth0_mcp_register_tools():
    return [
        tools.list_resource_servers,
        tools.get_resource_server,
        tools.create_resource_server,
        tools.update_resource_server,
        tools.delete_resource_server,
    ]


@hookimpl
def auth0_mcp_sandbox_routers():
    """This family's endpoints in the sandbox tenant, imported only when a sandbox starts (so
    the plugin works without auth0-mcp-sandbox installed)."""
    from . import emulator

    return [emulator.router]
