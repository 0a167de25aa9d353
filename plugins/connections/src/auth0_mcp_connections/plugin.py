"""Auth0 connections and the applications that offer them: the tool table."""

from __future__ import annotations

from auth0_mcp import hookimpl

from . import tools


@hookimpl
def auth0_mcp_register_tools():
    return [
        tools.list_connections,
        tools.get_connection,
        tools.create_connection,
        tools.update_connection,
        tools.delete_connection,
        tools.update_connection_clients,
    ]


@hookimpl
def auth0_mcp_sandbox_routers():
    from . import emulator  # the sandbox framework only when a sandbox starts

    return [emulator.router]
