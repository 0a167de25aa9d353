"""``auth0-mcp plugin new``: scaffold a third-party tool family."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="Write your own tool family.", no_args_is_help=True)


@app.command("new")
def new(
    name: Annotated[str, typer.Argument(help="Family name, e.g. users (lower case, _ allowed).")],
    directory: Annotated[Path, typer.Option("--dir", help="Where to create it.")] = Path("."),
) -> None:
    """Create a working plugin package: entry point, one read-only tool, its tests.

    Example: auth0-mcp plugin new users && cd auth0-mcp-users && pip install -e '.[test]'
    """
    from ..scaffold import new_plugin

    root = new_plugin(name, directory)
    typer.echo(f"Created {root}\nNext: cd {root} && pip install -e '.[test]' && pytest\n"
               f"Then: auth0-mcp tools list --plugins {name}")
