"""``auth0-mcp run``: start the MCP server over stdio (default) or Streamable HTTP."""

from __future__ import annotations

import enum
import os
import sys
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import attrs
import typer

from .options import (
    Confirm,
    CredentialsFile,
    ExcludePlugins,
    Plugins,
    ProfileName,
    ReadOnly,
    StrictPlugins,
    Tools,
)

if TYPE_CHECKING:
    from auth0_mcp_sandbox.server import SandboxServer

    from ..credentials import Credentials
    from ..runtime import Selection

finished = False  # set once run() has released everything: main() may then skip teardown


class Transport(enum.StrEnum):
    stdio = "stdio"
    http = "http"


def run(
    tools: Tools = None,
    read_only: ReadOnly = False,
    transport: Annotated[Transport, typer.Option(help="stdio for local clients; http serves "
                                                 "Streamable HTTP at /mcp.")] = Transport.stdio,
    host: Annotated[str, typer.Option(help="HTTP bind address.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="HTTP port.")] = 8765,
    stateless: Annotated[bool, typer.Option(help="HTTP without sessions (behind a load "
                                            "balancer).")] = False,
    oauth_issuer: Annotated[str | None, typer.Option(
        envvar="AUTH0_MCP_OAUTH_ISSUER", help="HTTP: require Auth0 access tokens from this issuer "
        "(e.g. https://team.eu.auth0.com/).")] = None,
    oauth_audience: Annotated[str | None, typer.Option(
        envvar="AUTH0_MCP_OAUTH_AUDIENCE", help="HTTP: the audience (API identifier) callers' "
        "tokens must carry.")] = None,
    public_url: Annotated[str | None, typer.Option(
        help="HTTP: the URL clients reach /mcp at (for the OAuth metadata).")] = None,
    allowed_hosts: Annotated[str | None, typer.Option(
        help="HTTP: comma-separated Host headers to accept (DNS-rebinding protection).")] = None,
    allowed_origins: Annotated[str | None, typer.Option(
        help="HTTP: comma-separated Origin headers to accept.")] = None,
    insecure_no_auth: Annotated[bool, typer.Option(
        "--insecure-no-auth", help="HTTP: allow a non-loopback --host without --oauth-issuer "
        "(anyone reaching the port can call every tool).")] = False,
    max_body_bytes: Annotated[int, typer.Option(help="HTTP: request body limit.")] = 1048576,
    calls_per_minute: Annotated[int, typer.Option(help="HTTP+OAuth: tool calls per caller "
                                                  "per minute.")] = 120,
    audit_log: Annotated[Path | None, typer.Option(
        envvar="AUTH0_MCP_AUDIT_LOG", help="The audit journal: one hash-chained JSON line per "
        "tool call (default: one file per profile in the user data directory; "
        "AUTH0_MCP_JOURNAL_DIR moves it; '-' writes the lines to stdout, for a platform's log "
        "pipeline, over HTTP).")] = None,
    state_url: Annotated[str | None, typer.Option(
        envvar="AUTH0_MCP_STATE_URL", help="HTTP: share per-caller budgets, the tenant's rate "
        "limit, single-use confirmations and the JWKS cache between instances in Redis/Valkey "
        "(redis://host:6379/0); implies --stateless.")] = None,
    confirm: Confirm = None,
    sandbox: Annotated[bool, typer.Option("--sandbox", help="Start a local sandbox tenant "
                                          "in-process and use it: no credentials needed.")] = False,
    sandbox_state: Annotated[Path | None, typer.Option(help="Keep the sandbox tenant in this "
                                                       "JSON file between runs.")] = None,
    plugins: Plugins = None,
    exclude_plugins: ExcludePlugins = None,
    strict_plugins: StrictPlugins = False,
    timeout: Annotated[float, typer.Option(help="Per-call time limit in seconds.")] = 60.0,
    profile: ProfileName = "default",
    credentials_file: CredentialsFile = None,
) -> None:
    """Start the MCP server.

    Credentials come from --sandbox, or AUTH0_DOMAIN with AUTH0_TOKEN, or AUTH0_DOMAIN with
    AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET.

    Examples:

      auth0-mcp run --sandbox

      auth0-mcp run --tools 'auth0_list_*,auth0_get_*' --read-only
    """
    # httpx imports its command-line client whenever rich, pygments and click are installed
    # (typer brings them): 3 MiB and 30 ms a server never uses. None in sys.modules makes
    # that optional import fail at once, and httpx falls back as designed.
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]

    from .. import logsetup
    from ..credentials import ClientCredentials, Credentials, CredentialsError, from_environment
    from ..handshake import Handover
    from ..runtime import (
        RunOptions,
        build_runtime,
        select_tools,
        select_with_token,
        split_names,
    )
    from ..safety.journal import FileJournal, StreamJournal, default_path
    from ..safety.policy import resolve_policy

    logsetup.configure()
    options = RunOptions(
        tools=tools, read_only=read_only, plugins=split_names(plugins),
        exclude_plugins=split_names(exclude_plugins) or (), strict_plugins=strict_plugins,
        timeout=timeout,
        confirm=resolve_policy(confirm, os.environ),
    ).with_env(os.environ)
    _check_remote(transport, oauth_issuer, oauth_audience)
    if state_url:
        from ..errors import SetupError
        from ..state import check_state_url

        if transport is not Transport.http:
            raise SetupError("--state-url shares state between HTTP instances: add "
                             "--transport http")
        check_state_url(state_url)
    if transport is Transport.http:
        from ..remote.app import check_exposure

        check_exposure(host, oauth_issuer, insecure_no_auth)
        if insecure_no_auth and not oauth_issuer:
            print(f"auth0-mcp: WARNING: serving every tool unauthenticated on {host}:{port} "
                  "(--insecure-no-auth)", file=sys.stderr)
        _check_port(host, port)
    to_stdout = audit_log is not None and str(audit_log) == "-"
    if to_stdout and transport is not Transport.http:
        from ..errors import SetupError

        raise SetupError("--audit-log - writes to stdout, which the stdio transport owns: "
                         "give a file, or use --transport http")
    journal_path = None if to_stdout else audit_log or default_path(
        "sandbox" if sandbox else profile)

    box = None
    if sandbox:
        from .sandbox_cmd import check_state_file, sandbox_module

        check_state_file(sandbox_state, "--sandbox-state")
        box = sandbox_module("server").SandboxServer(state_file=sandbox_state)
        box.start()
        client_id, secret = box.admin_credentials
        credentials = Credentials(box.base_url, ClientCredentials(box.base_url, client_id, secret),
                                  "sandbox", (secret,))
    else:
        found = from_environment(os.environ)
        if found is None:
            found, policy = _stored(profile, credentials_file)
            if policy and not confirm and not os.environ.get("AUTH0_MCP_CONFIRM"):
                options = attrs.evolve(options, confirm=resolve_policy(policy, {}))
        if found is None:
            raise CredentialsError(
                f"no credentials: no login stored as {profile!r} (run `auth0-mcp init`), and "
                "no AUTH0_DOMAIN with AUTH0_TOKEN (or AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET); "
                "or try the local sandbox with `auth0-mcp run --sandbox`"
            )
        credentials = found

    def answer_early(selection: Selection) -> Handover:
        from ..handshake import LineReader, answer_handshake

        _announce(selection, credentials.domain, transport, host, port, box)
        warm = threading.Thread(target=_import_serving_half, daemon=True)
        handover = answer_handshake([s.listing for s in selection.tools], LineReader(0),
                                    sys.stdout.buffer, on_listed=warm.start)
        if handover.pending is not None and warm.is_alive():
            warm.join()  # never import the same modules from two threads at once
        return handover

    async def serve(selection: Selection, handover: Handover) -> None:
        from ..transports import serve_stdio

        if handover.pending is None:
            return  # stdin closed before anything needed the SDK
        assert journal_path is not None  # '-' (stdout) is refused with stdio above
        journal = FileJournal(journal_path)
        runtime = await build_runtime(options, credentials, selection=selection,
                                      journal=journal)
        try:
            await serve_stdio(runtime, handover)
        finally:
            await runtime.aclose()
            journal.close()

    async def stdio() -> None:
        selection = await select_tools(options, credentials)
        await serve(selection, answer_early(selection))

    async def http() -> None:
        from ..remote.app import RemoteSettings
        from ..state import open_state
        from ..transports import serve_http

        # Sessions in one process cannot follow requests to another instance: with shared
        # state every request stands alone (docs/remote.md, "Several instances").
        remote = RemoteSettings(
            issuer=oauth_issuer, audience=oauth_audience, public_url=public_url,
            allowed_hosts=split_names(allowed_hosts) or (),
            allowed_origins=split_names(allowed_origins) or (), max_body_bytes=max_body_bytes,
            calls_per_minute=calls_per_minute, stateless=stateless or bool(state_url),
        )
        state = open_state(state_url)
        journal = (StreamJournal(sys.stdout) if journal_path is None
                   else FileJournal(journal_path))
        runtime = await build_runtime(options, credentials, journal=journal,
                                      remote=remote if oauth_issuer else None, state=state)
        try:
            _announce(runtime.selection, credentials.domain, transport, host, port, box)
            await serve_http(runtime, host, port, remote, state)
        finally:
            await runtime.aclose()
            await state.aclose()
            journal.close()

    try:
        if transport is Transport.http:
            _event_loop(http)
        elif hasattr(credentials.tokens, "ready"):
            # A token at hand (AUTH0_TOKEN): the handshake is answered before an event loop
            # (and asyncio) exists; the loop starts with the first message that needs the SDK.
            selection = select_with_token(options, credentials.tokens.ready())
            handover = answer_early(selection)
            if handover.pending is not None:
                _event_loop(serve, selection, handover)
        else:
            _event_loop(stdio)
    except KeyboardInterrupt:
        pass
    finally:
        if box is not None:
            box.stop()
    global finished
    finished = True


def _check_remote(transport: Transport, issuer: str | None, audience: str | None) -> None:
    """OAuth options that cannot work stop the start, before anything is announced."""
    from ..errors import SetupError

    if not issuer:
        return
    if transport is not Transport.http:
        raise SetupError("--oauth-issuer protects the HTTP transport: add --transport http")
    from ..remote.verifier import normalize_issuer

    try:
        normalize_issuer(issuer)
    except ValueError as exc:
        raise SetupError(f"--oauth-issuer: {exc}") from None
    if not audience:
        raise SetupError("--oauth-audience is required with --oauth-issuer (the identifier of "
                         "the API callers' tokens are issued for)")


def _check_port(host: str, port: int) -> None:
    """A port already taken is a start-up error before anything else starts (uvicorn would
    report it after the endpoint was announced, with exit 3)."""
    import socket

    from ..errors import SetupError

    if port == 0:
        return
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.create_server((host, port), family=family):
            pass
    except OSError as exc:
        raise SetupError(f"cannot listen on {host} port {port}: {exc.strerror or exc}; stop "
                         "what uses it, or choose another with --port") from None


def _event_loop(main: Callable[..., Awaitable[None]], *args: Any) -> None:
    import anyio  # here, not at the top: the early handshake needs no event loop

    anyio.run(main, *args)


def _import_serving_half() -> None:
    """Import what serving calls needs (httpx, the pipeline, the stdio loop) while the user is
    still reading the tool list, so the first call does not wait for it. Not the SDK: stdio
    loads it only for a message that needs it (stdio.py)."""
    from .. import pipeline, stdio  # noqa: F401
    from ..management import tls_context

    tls_context()


def _stored(profile: str, credentials_file: Path | None
            ) -> tuple[Credentials | None, str | None]:
    """A login stored by ``init``, refreshed as needed, and the confirmation policy stored
    with it; (None, None) when there is none."""
    from ..auth.login import StoredProfileTokens
    from ..auth.store import NoKeyringError, open_store
    from ..credentials import Credentials

    try:
        store = open_store(credentials_file)
        stored = store.load(profile)
    except NoKeyringError:
        return None, None
    if stored is None:
        return None, None
    secrets = tuple(s for s in (stored.refresh_token, stored.client_secret) if s)
    return Credentials(stored.domain, StoredProfileTokens(store, profile), f"profile:{profile}",
                       secrets), stored.confirm


def _announce(selection: Selection, domain: str, transport: Transport, host: str, port: int,
              box: SandboxServer | None) -> None:
    """Start-up lines on stderr: what is served, and, for a person at a terminal, how to
    connect a client."""
    shown, total = len(selection.tools), len(selection.catalog.tools)
    mode = " (read-only)" if selection.settings.read_only else ""
    where = f"sandbox tenant {box.base_url}" if box else f"tenant {domain}"
    print(f"auth0-mcp: {shown}/{total} tools on {where}{mode}, transport {transport.value}",
          file=sys.stderr)
    if total == 0:
        print("auth0-mcp: no tool families installed: pip install 'auth0-mcp[all]'",
              file=sys.stderr)
    if transport is Transport.http:
        url = f"http://{host}:{port}/mcp"
        print(f"auth0-mcp: MCP endpoint {url}\n"
              f"  Claude Code:    claude mcp add --transport http auth0 {url}\n"
              f"  MCP Inspector:  npx @modelcontextprotocol/inspector  (Streamable HTTP, {url})\n"
              "  Stop with Ctrl-C.", file=sys.stderr)
    elif sys.stdin.isatty():
        print("auth0-mcp: this is a stdio MCP server: an MCP client starts it and talks on "
              "stdin/stdout.\n  Claude Code: claude mcp add auth0 -- auth0-mcp run --sandbox\n"
              "  To try it by hand, use --transport http. Ctrl-D or Ctrl-C stops it.",
              file=sys.stderr)
