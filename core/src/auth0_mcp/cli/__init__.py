"""The ``auth0-mcp`` command line (typer). One module per command group; heavy imports happen
inside the commands so ``--help`` and start-up stay fast."""

from __future__ import annotations

import contextlib
import sys
from typing import Annotated

import typer

from . import audit_cmd, login_cmds, plugins_cmd, run_cmd, sandbox_cmd, scaffold_cmd, tools_cmd

app = typer.Typer(
    name="auth0-mcp",
    help="Manage an Auth0 tenant from any MCP client (Claude, Cursor, VS Code, ...).\n\n"
         "Examples:\n\n"
         "  auth0-mcp run --sandbox --transport http   # try it on a local sandbox tenant\n\n"
         "  AUTH0_DOMAIN=t.eu.auth0.com AUTH0_TOKEN=... auth0-mcp run --read-only\n\n"
         "  auth0-mcp tools list --tools 'auth0_list_*'",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        from .. import __version__

        typer.echo(f"auth0-mcp {__version__}")
        raise typer.Exit()


@app.callback()
def _options(version: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True, help="Print the version and exit.")]
        = False) -> None:
    """Options that come before the command."""


app.command("init")(login_cmds.init)
app.command("run")(run_cmd.run)
app.command("session")(login_cmds.session)
app.command("logout")(login_cmds.logout)
app.command("sandbox")(sandbox_cmd.sandbox)
app.command("undo")(audit_cmd.undo)
app.add_typer(audit_cmd.app, name="audit")
app.add_typer(tools_cmd.app, name="tools")
app.add_typer(plugins_cmd.app, name="plugins")
app.add_typer(scaffold_cmd.app, name="plugin")


def fail(message: str, code: int = 2) -> None:
    """Errors are one line on stderr and a non-zero exit."""
    print(f"auth0-mcp: error: {message}", file=sys.stderr)
    raise SystemExit(code)


def main() -> None:
    from ..errors import SetupError

    try:
        app()
    except SetupError as exc:  # a user's mistake; anything else is a bug, shown as one
        fail(str(exc))
    except SystemExit as done:
        if run_cmd.finished:
            _exit_now(done.code)
        raise


def _exit_now(code: object) -> None:
    """``run`` has closed everything it opened; tearing down the interpreter (the SDK's
    models for every protocol revision) would take half a second more, which the client
    waits for after closing stdin. Flush what is buffered, then leave."""
    import logging
    import os

    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code if isinstance(code, int) else 0 if code is None else 1)
