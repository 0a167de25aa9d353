"""Auth0 users: the tool table, and the sandbox endpoints they call."""

from __future__ import annotations

import importlib.util

from auth0_mcp import hookimpl

from . import access, activity, tickets, users


@hookimpl
def auth0_mcp_register_tools():
    return [
        users.search_users,
        users.get_user,
        users.create_user,
        users.update_user,
        users.delete_user,
        users.block_user,
        access.update_user_roles,
        access.reset_user_mfa,
        tickets.create_user_ticket,
        activity.get_user_activity,
    ]


@hookimpl
def auth0_mcp_sandbox_routers():
    from . import emulator  # the sandbox framework is needed only when a sandbox starts

    if importlib.util.find_spec("auth0_mcp_roles") is None:  # the roles family owns /roles
        return [emulator.router, emulator.roles_router]
    return [emulator.router]
