"""Auth0 tenant logs: the tool table. Handlers live in tools.py."""

from __future__ import annotations

from auth0_mcp import hookimpl

from . import tools


@hookimpl
def auth0_mcp_register_tools():
    return [
        tools.list_logs,
        tools.get_log,
        tools.search_logs,
    ]


@hookimpl
def auth0_mcp_sandbox_routers():
    """This family's endpoints in the sandbox tenant, imported only when a sandbox starts (so
    the plugin works without auth0-mcp-sandbox installed)."""
    from . import emulator

    return [emulator.router]
