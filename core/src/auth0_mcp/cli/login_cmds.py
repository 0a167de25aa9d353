"""``auth0-mcp init``, ``session`` and ``logout``: log in (device flow or client credentials),
see what a stored login allows, and forget it."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from ..errors import LoginError, SetupError
from .options import Confirm, CredentialsFile, ProfileName, ReadOnly, Tools


def _scopes_for(tools: str | None, read_only: bool, patterns: str | None) -> list[str]:
    """``--scopes`` globs over the scopes installed tools declare; without it, exactly the scopes
    of the selected tools. ``offline_access`` is always asked for, so logins refresh (#90)."""
    from ..filtering import FilterSettings, decide, glob_to_regex, parse_patterns, visible
    from ..runtime import RunOptions, load_catalog

    catalog = load_catalog(RunOptions())
    known = sorted({s for t in catalog.tools for s in t.required_scopes})
    if patterns:
        chosen: set[str] = set()
        for pattern in parse_patterns(patterns):
            matches = [s for s in known if glob_to_regex(pattern).fullmatch(s)]
            if not matches:
                raise SetupError(f"--scopes {pattern!r} matches none of: {', '.join(known)}")
            chosen.update(matches)
    elif sys.stdin.isatty() and tools is None:
        chosen = set(_pick(known))
    else:
        shown = visible(decide(catalog.tools, FilterSettings.resolve(tools, read_only, {})))
        chosen = {s for t in shown for s in t.required_scopes}
    return [*sorted(chosen), "offline_access"]


def _pick(known: list[str]) -> list[str]:
    """A numbered picker on a terminal; nothing is preselected."""
    for i, scope in enumerate(known, 1):
        typer.echo(f"  {i:2}. {scope}", err=True)
    answer = typer.prompt("Scopes to grant (numbers, comma-separated)", err=True)
    picked = [known[int(n) - 1] for n in answer.replace(" ", "").split(",") if n.isdigit()
              and 0 < int(n) <= len(known)]
    if not picked:
        raise SetupError("no scope selected")
    return picked


def init(
    profile: ProfileName = "default",
    credentials_file: CredentialsFile = None,
    scopes: Annotated[str | None, typer.Option(help="Scopes to request, globs allowed, e.g. "
                                               "'read:*'.")] = None,
    tools: Tools = None,
    read_only: ReadOnly = False,
    auth_server: Annotated[str, typer.Option(envvar="AUTH0_MCP_AUTH_SERVER",
                                             help="Authorization server for the device flow.")]
    = "https://auth0.auth0.com",
    no_browser: Annotated[bool, typer.Option("--no-browser", help="Only print the URL (SSH, "
                                             "containers).")] = False,
    auth0_domain: Annotated[str | None, typer.Option(help="Client credentials: the tenant.")]
    = None,
    auth0_client_id: Annotated[str | None, typer.Option(help="Client credentials: the M2M "
                                                        "application.")] = None,
    auth0_client_secret: Annotated[str | None, typer.Option(
        envvar="AUTH0_CLIENT_SECRET", help="Client credentials: the secret (prefer the env var "
        "or the prompt, which keep it out of shell history).")] = None,
    client: Annotated[str | None, typer.Option(
        help="Also add the server to this MCP client: claude, claude-code, cursor, windsurf, "
        "vscode, gemini or codex.")] = None,
    scope: Annotated[str | None, typer.Option(
        help="claude-code: user or project; vscode: global or workspace.")] = None,
    project_dir: Annotated[Path | None, typer.Option(
        help="The project folder for --scope project/workspace (default: here).")] = None,
    confirm: Confirm = None,
    no_login: Annotated[bool, typer.Option("--no-login", help="Only write the client "
                                           "configuration (reuse a stored login).")] = False,
) -> None:
    """Log in and store the login under a profile.

    Examples:

      auth0-mcp init --scopes 'read:*'                      # device flow in the browser

      auth0-mcp init --profile prod --auth0-domain acme.eu.auth0.com --auth0-client-id ID
    """
    import anyio

    from ..auth.login import device_login, domain_from_token
    from ..auth.store import StoredLogin, open_store
    from ..credentials import client_credentials_token, scopes_in
    from ..domains import base_url_for
    from ..safety.policy import resolve_policy

    policy = resolve_policy(confirm, {}) if confirm else None  # a bad value fails before login

    if no_login:
        if not client:
            raise SetupError("--no-login only makes sense with --client")
        _configure(client, scope, project_dir, tools, read_only, profile, credentials_file)
        return
    if auth0_domain or auth0_client_id:
        if not (auth0_domain and auth0_client_id):
            raise SetupError("client credentials need --auth0-domain and --auth0-client-id")
        base_url_for(auth0_domain)  # a domain that cannot work is refused before any prompt
    store = open_store(credentials_file)
    try:
        if auth0_domain and auth0_client_id:
            secret = auth0_client_secret or typer.prompt("Client secret", hide_input=True,
                                                         err=True)
            body = anyio.run(client_credentials_token, auth0_domain, auth0_client_id, secret)
            stored = StoredLogin(profile, "client_credentials", auth0_domain, body["access_token"],
                            time.time() + float(body.get("expires_in", 86400)),
                            sorted(scopes_in(body)), client_id=auth0_client_id,
                            client_secret=secret)
        else:
            wanted = _scopes_for(tools, read_only, scopes)

            async def flow() -> dict[str, Any]:
                return await device_login(auth_server, wanted, open_browser=not no_browser,
                                          show=lambda line: typer.echo(line, err=True))

            body = anyio.run(flow)
            stored = StoredLogin(profile, "device", domain_from_token(body["access_token"]),
                            body["access_token"],
                            time.time() + float(body.get("expires_in", 86400)),
                            sorted(scopes_in(body)), refresh_token=body.get("refresh_token"),
                            auth_server=auth_server.rstrip("/"))
    except LoginError as exc:
        typer.echo(f"auth0-mcp: login failed: {exc}", err=True)
        raise typer.Exit(1) from None
    stored.confirm = policy
    store.save(stored)
    typer.echo(f"Logged in to {stored.domain} as profile {profile!r} "
               f"({len(stored.scopes)} scopes). Start the server with "
               f"`auth0-mcp run --profile {profile}`.", err=True)
    if client:
        _configure(client, scope, project_dir, tools, read_only, profile, credentials_file)


def _configure(client: str, scope: str | None, project_dir: Path | None, tools: str | None,
               read_only: bool, profile: str, credentials_file: Path | None) -> None:
    from ..client_config import place_for, server_command, write_client_config

    place = place_for(client, scope=scope, project=project_dir)
    env = {"AUTH0_MCP_CREDENTIALS_FILE": str(credentials_file.resolve())} \
        if credentials_file else {}
    path, backup = write_client_config(place, server_command(tools, read_only, profile), env)
    saved = f" (previous version kept as {backup})" if backup else ""
    typer.echo(f"Added the auth0 server to {client}: {path}{saved}. Restart the client.",
               err=True)


def session(profile: ProfileName = "default", credentials_file: CredentialsFile = None) -> None:
    """Show a stored login: tenant, kind, expiry, scopes and which tools they allow."""
    from ..auth.store import open_store
    from ..filtering import FilterSettings, decide
    from ..runtime import RunOptions, load_catalog

    stored = open_store(credentials_file).load(profile)
    if stored is None:
        typer.echo(f"No login stored as {profile!r}: run `auth0-mcp init --profile {profile}`.")
        raise typer.Exit(1)
    left = stored.expires_at - time.time()
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(stored.expires_at))
    state = f"expires in {int(left // 60)} min ({when})" if left > 0 else f"expired {when}"
    renew = "refreshes automatically" if stored.refresh_token or stored.client_secret else (
        "cannot refresh")
    typer.echo(f"profile:  {stored.name}\ntenant:   {stored.domain}\nkind:     {stored.kind}\n"
               f"token:    {state}; {renew}\nscopes:   {', '.join(stored.scopes) or '-'}")
    decisions = decide(load_catalog(RunOptions()).tools,
                       FilterSettings.resolve(None, False, {}, stored.scopes))
    allowed = [d.spec.name for d in decisions if d.visible]
    hidden = [d.spec.name for d in decisions if not d.visible]
    typer.echo(f"tools:    {len(allowed)} allowed" + (f", {len(hidden)} hidden (missing "
                                                        "scopes)" if hidden else ""))


def logout(profile: ProfileName = "default", credentials_file: CredentialsFile = None,
           all_profiles: Annotated[bool, typer.Option("--all", help="Every stored login.")]
           = False) -> None:
    """Revoke the refresh token and delete a stored login (or all of them)."""
    import httpx

    from ..auth.login import AUTH0_CLI_CLIENT_ID
    from ..auth.store import open_store

    store = open_store(credentials_file)
    names = store.names() if all_profiles else [profile]
    removed = 0
    for name in names:
        stored = store.load(name)
        if stored is None:
            typer.echo(f"{name}: nothing stored")
            continue
        if stored.refresh_token and stored.auth_server:
            try:
                httpx.post(f"{stored.auth_server}/oauth/revoke", json={
                    "client_id": stored.client_id or AUTH0_CLI_CLIENT_ID,
                    "token": stored.refresh_token}, timeout=15)
                revoked = " (refresh token revoked)"
            except httpx.HTTPError:
                revoked = " (could not reach the server to revoke the refresh token)"
        else:
            revoked = ""
        store.delete(name)
        removed += 1
        typer.echo(f"{name}: removed login for {stored.domain}{revoked}")
    if not removed:
        raise typer.Exit(1 if not all_profiles else 0)
