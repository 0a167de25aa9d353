"""Assembling a running server: plugins -> catalog -> filters -> client -> pipeline -> MCP server.

Two stages, so ``run`` can answer the MCP handshake before the heavy part is imported:
``select_tools`` (catalog, token, filters: what this run serves) and ``build_runtime`` (HTTP
client, pipeline, SDK server). Used by ``auth0-mcp run``, by ``tools list`` (catalog and
filters only) and by the test kit, so all three see exactly the same tools.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from .credentials import Credentials, CredentialsError, granted_scopes
from .errors import ToolError
from .filtering import Decision, FilterSettings, decide, visible
from .plugins import PluginSet, collect_tools, load_plugins
from .spec import ToolSpec

if TYPE_CHECKING:
    import httpx

    from .management import ManagementClient
    from .pipeline import Pipeline
    from .safety.journal import JournalSink
    from .state import StateStore



def split_names(value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    return tuple(n.strip() for n in value.split(",") if n.strip())


@attrs.frozen
class RunOptions:
    tools: str | None = None
    read_only: bool = False
    plugins: tuple[str, ...] | None = None  # allow list; None = every installed plugin
    exclude_plugins: tuple[str, ...] = ()
    strict_plugins: bool = False
    timeout: float = 60.0
    confirm: str = "destructive"  # destructive | writes | never (safety/confirm.py)

    def with_env(self, env: Mapping[str, str]) -> RunOptions:
        """``AUTH0_MCP_PLUGINS`` / ``AUTH0_MCP_EXCLUDE_PLUGINS`` when the flags are absent."""
        plugins = self.plugins if self.plugins is not None else split_names(
            env.get("AUTH0_MCP_PLUGINS") or None)
        exclude = self.exclude_plugins or split_names(env.get("AUTH0_MCP_EXCLUDE_PLUGINS")) or ()
        return attrs.evolve(self, plugins=plugins, exclude_plugins=exclude)


@attrs.frozen
class Catalog:
    plugins: PluginSet
    tools: tuple[ToolSpec, ...]  # every valid installed tool, sorted


def load_catalog(options: RunOptions, *, extra_plugins: Iterable[tuple[str, Any]] = (),
                 thorough: bool = False) -> Catalog:
    from .safety.undo import UNDO

    plugins = load_plugins(options.plugins, options.exclude_plugins,
                           strict=options.strict_plugins, extra=extra_plugins)
    tools = collect_tools(plugins, thorough=thorough)
    if any(t.kind != "read" for t in tools):  # core's own write: undo from the journal
        tools = tuple(sorted((*tools, UNDO), key=lambda t: t.name))
    return Catalog(plugins, tools)


@attrs.frozen
class Selection:
    """What one run serves: the catalog filtered by flags, env and the token's scopes."""

    catalog: Catalog
    decisions: list[Decision]
    settings: FilterSettings
    token: str

    @property
    def tools(self) -> tuple[ToolSpec, ...]:
        return undo_beside_writes(visible(self.decisions))


def undo_beside_writes(tools: Iterable[ToolSpec]) -> tuple[ToolSpec, ...]:
    """``tools`` without auth0_undo unless an update or delete it could undo is among them."""
    tools = tuple(tools)
    if any(t.kind in ("update", "delete") for t in tools):
        return tools
    return tuple(t for t in tools if t.name != "auth0_undo")


async def select_tools(options: RunOptions, credentials: Credentials, *,
                       env: Mapping[str, str] | None = None,
                       catalog: Catalog | None = None) -> Selection:
    """Authenticate once (so bad credentials fail now, not on the first call) and read the
    granted scopes from the token to hide tools it cannot use. A token that cannot be had
    is a start-up error (one line, exit 2), not a traceback."""
    try:
        token = await credentials.tokens.token()
    except ToolError as exc:
        raise CredentialsError(f"cannot authenticate to {credentials.domain}: {exc}") from None
    return select_with_token(options, token, env=env, catalog=catalog)


def select_with_token(options: RunOptions, token: str, *, env: Mapping[str, str] | None = None,
                      catalog: Catalog | None = None) -> Selection:
    env = os.environ if env is None else env
    catalog = catalog or load_catalog(options)
    settings = FilterSettings.resolve(options.tools, options.read_only, env,
                                      granted_scopes(token))
    return Selection(catalog, decide(catalog.tools, settings), settings, token)


@attrs.define
class Runtime:
    selection: Selection
    api: ManagementClient
    pipeline: Pipeline
    make_server: Callable[[], Any]  # built when first used: stdio may never need the SDK
    credentials: Credentials
    policy: Any = None  # callers.CallPolicy: remote mode's per-caller rules
    _server: Any = attrs.field(default=None, init=False)

    @property
    def server(self) -> Any:
        """The SDK server."""
        if self._server is None:
            self._server = self.make_server()
        return self._server

    @property
    def catalog(self) -> Catalog:
        return self.selection.catalog

    @property
    def decisions(self) -> list[Decision]:
        return self.selection.decisions

    @property
    def tools(self) -> tuple[ToolSpec, ...]:
        return self.selection.tools

    async def aclose(self) -> None:
        await self.api.aclose()


async def build_runtime(
    options: RunOptions,
    credentials: Credentials,
    *,
    env: Mapping[str, str] | None = None,
    catalog: Catalog | None = None,
    selection: Selection | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    journal: JournalSink | None = None,
    state: StateStore | None = None,
    remote: Any = None,
) -> Runtime:
    """The serving half: Management API client, call pipeline and SDK server for a
    ``selection`` (made here when not given).

    ``remote`` (RemoteSettings) narrows tools and rate-limits per verified caller; ``journal``
    receives one entry per call (in memory when not given); ``state`` (a StateStore) holds what
    several instances share: per-caller budgets, the tenant's rate limit and single-use
    confirmation tokens."""
    from .context import Tenant, ToolContext
    from .converter import make_converter
    from .domains import base_url_for
    from .management import ManagementClient, default_transport
    from .pipeline import Pipeline
    from .redaction import Redactor
    from .safety.confirm import Sealer
    from .safety.journal import MemoryJournal
    from .safety.wire import TracingTransport
    from .state import MemoryState

    selection = selection or await select_tools(options, credentials, env=env, catalog=catalog)
    settings = selection.settings
    api = ManagementClient(credentials.domain, credentials.tokens, read_only=settings.read_only,
                           transport=TracingTransport(
                               transport or default_transport(base_url_for(credentials.domain))),
                           state=state)
    redactor = Redactor([*credentials.known_secrets, selection.token])
    journal = journal if journal is not None else MemoryJournal()
    shown = selection.tools
    context = ToolContext(api, Tenant(api.domain), settings.granted_scopes, make_converter(),
                          logging.getLogger("auth0_mcp.tools"), journal,
                          {t.name: t for t in shown})
    pipeline = Pipeline(shown, lambda: context, redactor, default_timeout=options.timeout,
                        journal=journal, confirm=options.confirm,
                        sealer=Sealer(state or MemoryState()), local_caller=local_caller())
    from .callers import CallPolicy

    policy = CallPolicy()
    if remote is not None and remote.issuer:
        from .remote.app import CallerRateLimit, caller_subject, tools_for_caller

        by_caller = tools_for_caller(shown)
        by_name = {t.name: t for t in shown}

        def visible_for() -> set[str] | None:
            names = by_caller()
            if names is None:
                return None
            return {t.name for t in undo_beside_writes(by_name[n] for n in names)}

        policy = CallPolicy(visible_for, caller_subject,
                            CallerRateLimit(remote.calls_per_minute, state).wait_for)

    def make_server() -> Any:
        from .server import build_server

        return build_server(shown, pipeline, policy)

    return Runtime(selection, api, pipeline, make_server, credentials, policy)


def local_caller() -> str:
    """Who calls over stdio: the local account (the journal's caller when no token says)."""
    import getpass

    try:
        return f"local:{getpass.getuser()}"
    except Exception:  # no user name in this environment (some containers)
        return "local"
