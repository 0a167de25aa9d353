"""Option declarations shared by several commands, so flags read the same everywhere."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

Tools = Annotated[str | None, typer.Option(
    "--tools", help="Comma-separated tool names or globs (* and ?), e.g. 'auth0_list_*'. "
    "Falls back to AUTH0_MCP_TOOLS.")]
ReadOnly = Annotated[bool, typer.Option(
    "--read-only", help="Only read-only tools; no write request can leave the process. "
    "Also AUTH0_MCP_READ_ONLY=true.")]
Plugins = Annotated[str | None, typer.Option(
    "--plugins", help="Load only these plugins (comma-separated names). Also AUTH0_MCP_PLUGINS.")]
ExcludePlugins = Annotated[str | None, typer.Option(
    "--exclude-plugins", help="Never load these plugins. Also AUTH0_MCP_EXCLUDE_PLUGINS.")]
StrictPlugins = Annotated[bool, typer.Option(
    "--strict-plugins", help="Stop when a plugin fails to load instead of skipping it.")]
Json = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
ProfileName = Annotated[str, typer.Option(
    "--profile", envvar="AUTH0_MCP_PROFILE",
    help="Name of the stored login (several tenants side by side).")]
CredentialsFile = Annotated[Path | None, typer.Option(
    "--credentials-file", envvar="AUTH0_MCP_CREDENTIALS_FILE",
    help="Keep logins in this file (0600) instead of the OS keyring.")]
Confirm = Annotated[str | None, typer.Option(
    "--confirm", help="Which calls need the user's yes: destructive (default: deletes, "
    "rollbacks, deploys, bindings, updates that remove items or touch auth settings), writes "
    "(every change), never (automation). Also AUTH0_MCP_CONFIRM; init stores it per profile.")]
