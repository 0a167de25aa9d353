"""The log streams family: its tools, and the sandbox endpoints they need."""

from auth0_mcp import hookimpl

from . import tools


@hookimpl
def auth0_mcp_register_tools():
    return [tools.list_log_streams, tools.get_log_stream, tools.create_log_stream,
            tools.update_log_stream, tools.delete_log_stream]


@hookimpl
def auth0_mcp_sandbox_routers():
    from . import sandbox  # the emulator loads only when a sandbox tenant is served

    return [sandbox.router]
