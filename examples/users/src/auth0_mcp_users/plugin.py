"""The users family: its tools, and the sandbox endpoints they need."""

from auth0_mcp import hookimpl

from . import tools


@hookimpl
def auth0_mcp_register_tools():
    return [tools.search_users_by_email, tools.get_user, tools.block_user, tools.unblock_user]


@hookimpl
def auth0_mcp_sandbox_routers():
    """Imported only when a sandbox starts: the plugin works without auth0-mcp-sandbox."""
    from . import sandbox

    return [sandbox.router]
