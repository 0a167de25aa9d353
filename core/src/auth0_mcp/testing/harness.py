"""Driving the real server from tests: build the runtime exactly as ``run`` does, then talk to
it with the MCP SDK client over the JSON-RPC loop (``mode="legacy"``, the path stdio takes)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from typing import Any

import httpx
import mcp.types as types
from mcp import Client

from ..credentials import ClientCredentials, Credentials, StaticToken
from ..runtime import Catalog, RunOptions, Runtime, build_runtime, load_catalog


class Recording(httpx.AsyncBaseTransport):
    """A Management API transport that passes requests through and remembers them
    (method, path): what proves a call sent, or did not send, a write."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.requests: list[tuple[str, str]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append((request.method, request.url.path))
        return await self.inner.handle_async_request(request)

    @property
    def writes(self) -> list[tuple[str, str]]:
        return [r for r in self.requests if r[0] not in ("GET", "HEAD")]

    async def aclose(self) -> None:
        await self.inner.aclose()


def text_of(result: types.CallToolResult) -> str:
    return "\n".join(c.text for c in result.content if isinstance(c, types.TextContent))


def structured(result: types.CallToolResult) -> Any:
    """The structured content of a successful call (fails the test with the error text)."""
    assert not result.is_error, f"tool call failed: {text_of(result)}"
    return result.structured_content


def unfenced(value: Any) -> Any:
    """An answer without the fences core puts around untrusted text (names, emails, metadata),
    for tests that compare values."""
    from ..safety.fence import unfence

    return unfence(value)


async def call_confirmed(client: Any, name: str, arguments: Mapping[str, Any]
                         ) -> types.CallToolResult:
    """Call ``name`` as a model does for a user who says yes: when the answer is a plan with a
    ``confirm`` token (a client without elicitation, a write the policy asks about), call
    again with the same arguments plus the token. Otherwise the first answer."""
    result: types.CallToolResult = await client.call_tool(name, dict(arguments))
    data = result.structured_content or {}
    if not result.is_error and data.get("applied") is False and "confirm" in data:
        result = await client.call_tool(name, {**arguments, "confirm": data["confirm"]})
    return result


class Harness:
    """``sandbox`` is a running SandboxServer."""

    def __init__(self, sandbox: Any, *, extra_plugins: Iterable[tuple[str, Any]] = ()) -> None:
        self.sandbox = sandbox
        self.extra_plugins = tuple(extra_plugins)
        self._catalog: dict[RunOptions, Catalog] = {}

    def catalog(self, options: RunOptions) -> Catalog:
        key = RunOptions(plugins=options.plugins, exclude_plugins=options.exclude_plugins)
        if key not in self._catalog:
            self._catalog[key] = load_catalog(key, extra_plugins=self.extra_plugins)
        return self._catalog[key]

    def credentials(self, scopes: Iterable[str] | None = None,
                    expires_in: int = 3600) -> Credentials:
        """Admin client credentials by default; a minted token when ``scopes`` is given."""
        base = self.sandbox.base_url
        if scopes is None:
            client_id, secret = self.sandbox.admin_credentials
            return Credentials(base, ClientCredentials(base, client_id, secret), "sandbox",
                               (secret,))
        token = self.sandbox.mint_token(list(scopes), expires_in=expires_in)
        return Credentials(base, StaticToken(token), "env-token", (token,))

    @contextlib.asynccontextmanager
    async def runtime(self, *, scopes: Iterable[str] | None = None, tools: str | None = None,
                      read_only: bool = False, env: Mapping[str, str] | None = None,
                      **options: Any) -> AsyncIterator[Runtime]:
        # Family tests exercise the family: writes apply at once unless a test asks for a
        # confirmation policy (confirm="destructive" is what users get).
        options.setdefault("confirm", "never")
        opts = RunOptions(tools=tools, read_only=read_only, **options)
        runtime = await build_runtime(opts, self.credentials(scopes), env=env or {},
                                      catalog=self.catalog(opts))
        try:
            yield runtime
        finally:
            await runtime.aclose()

    @contextlib.asynccontextmanager
    async def session(self, **kwargs: Any) -> AsyncIterator[Client]:
        """An MCP client session against a fresh runtime (same keyword arguments as
        ``runtime``)."""
        async with self.runtime(**kwargs) as runtime, Client(runtime.server, mode="legacy") as c:
            yield c

    async def call(self, name: str, arguments: Mapping[str, Any] | None = None,
                   **kwargs: Any) -> types.CallToolResult:
        async with self.session(**kwargs) as client:
            return await client.call_tool(name, dict(arguments or {}))

    async def call_ok(self, name: str, arguments: Mapping[str, Any] | None = None,
                      **kwargs: Any) -> Any:
        result = await self.call(name, arguments, **kwargs)
        return structured(result)

    @contextlib.contextmanager
    def restored(self, *collections: str) -> Iterator[None]:
        """Put the named collections of the shared sandbox tenant back as they were, so one
        family's test leaves nothing behind for another's."""
        import copy

        tenant = self.sandbox.tenant
        saved = {name: copy.deepcopy(tenant.collection(name)) for name in collections}
        try:
            yield
        finally:
            tenant.collections.update(saved)

    async def refused(self, name: str, arguments: Mapping[str, Any] | None = None) -> str:
        """Call a tool that must fail before any Management API request is sent (bad input);
        its error text."""
        before = self.sandbox.stats()["by_api"].get("management")
        result = await self.call(name, arguments)
        assert result.is_error, f"{name} should have failed: {text_of(result)}"
        assert self.sandbox.stats()["by_api"].get("management") == before, \
            f"{name} sent a request before failing"
        return text_of(result)
