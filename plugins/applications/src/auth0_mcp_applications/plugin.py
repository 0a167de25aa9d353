"""Auth0 applications and their API grants: the tool table and the sandbox emulator."""

from __future__ import annotations

from auth0_mcp import hookimpl

from . import applications, grants


@hookimpl
def auth0_mcp_register_tools():
    return [
        applications.list_applications,
        applications.get_application,
        applications.create_application,
        applications.update_application,
        applications.delete_application,
        grants.list_application_grants,
        grants.create_application_grant,
        grants.update_application_grant,
        grants.delete_application_grant,
    ]


@hookimpl
def auth0_mcp_sandbox_routers():
    """This family's endpoints in the sandbox tenant, imported only when a sandbox starts (so
    the plugin works without auth0-mcp-sandbox installed)."""
    from . import emulator, emulator_grants

    return [emulator.router, emulator_grants.router]
