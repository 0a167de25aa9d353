"""Auth0 Forms: the tool table. Handlers live in tools.py, the graph check in graph.py."""

from __future__ import annotations

from auth0_mcp import hookimpl

from . import tools


@hookimpl
def auth0_mcp_register_tools():
    return [
        tools.list_forms,
        tools.get_form,
        tools.create_form,
        tools.update_form,
        tools.delete_form,
        tools.publish_form,
    ]


@hookimpl
def auth0_mcp_sandbox_routers():
    """This family's endpoints in the sandbox tenant, imported only when a sandbox starts (so
    the plugin works without auth0-mcp-sandbox installed)."""
    from . import emulator

    return [emulator.router]
