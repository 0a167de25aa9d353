"""Auth0 roles: the tool table, and the sandbox endpoints they call. Handlers live in tools.py."""

from __future__ import annotations

import importlib.util

from auth0_mcp import hookimpl

from . import tools


@hookimpl
def auth0_mcp_register_tools():
    return [
        tools.list_roles,
        tools.get_role,
        tools.create_role,
        tools.update_role,
        tools.delete_role,
    ]


@hookimpl
def auth0_mcp_sandbox_routers():
    from . import emulator  # only when a sandbox starts: the plugin imports without it

    if importlib.util.find_spec("auth0_mcp_resource_servers") is None:  # it owns the APIs
        return [emulator.router, emulator.apis_router]
    return [emulator.router]
