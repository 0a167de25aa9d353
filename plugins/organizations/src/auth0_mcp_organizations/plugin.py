"""Auth0 organizations: the tool table, and the sandbox endpoints they call. Handlers live in
tools.py."""

from __future__ import annotations

from auth0_mcp import hookimpl

from . import tools


@hookimpl
def auth0_mcp_register_tools():
    return [
        tools.list_organizations,
        tools.get_organization,
        tools.create_organization,
        tools.update_organization,
        tools.delete_organization,
        tools.update_organization_members,
        tools.create_organization_invitation,
    ]


@hookimpl
def auth0_mcp_sandbox_routers():
    from . import emulator  # only when a sandbox starts: the plugin imports without it

    return [emulator.router]
