"""Auth0 applications and their API grants: the tool table."""

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
