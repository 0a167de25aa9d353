"""``auth0_mcp.testing``: an opt-in pytest plugin for testing tool families, first- or
third-party, the way users run them: a real MCP client session, over the SDK's JSON-RPC loop,
calling the sandbox tenant over real HTTP.

Enable with ``-p auth0_mcp.testing`` (or ``pytest_plugins = ["auth0_mcp.testing"]``).
Fixtures: ``sandbox`` (a running sandbox tenant, one per test session), ``auth0_mcp`` (a
``Harness``), ``call_tool`` (``await call_tool(name, args, scopes=...)``), ``memory_keyring``.
Helpers for remote mode on several instances: ``testing.redis.RedisServer`` (a real
redis-server on a free loopback port) and ``testing.proxy.RoundRobinProxy`` (a round-robin
load balancer).

Async tests run on anyio's asyncio backend: mark them ``@pytest.mark.anyio`` or set
``anyio_mode = "auto"`` in the pytest configuration.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator

import mcp.types as types
import pytest

from .harness import Harness, Recording, call_confirmed, structured, text_of, unfenced

__all__ = ["Harness", "Recording", "call_confirmed", "structured", "text_of", "unfenced"]


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def sandbox() -> Iterator[object]:
    """A seeded sandbox tenant on a free loopback port, stopped at the end of the session."""
    from auth0_mcp_sandbox.server import SandboxServer  # the testing extra installs it

    # Actions builds in a tenth of their usual time: tests wait for outcomes, not the clock
    server = SandboxServer(settings={"build_seconds": 0.1})
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def auth0_mcp(sandbox: object) -> Harness:
    return Harness(sandbox)


@pytest.fixture
def call_tool(auth0_mcp: Harness) -> Callable[..., Awaitable[types.CallToolResult]]:
    return auth0_mcp.call


@pytest.fixture
def memory_keyring() -> Iterator[object]:
    """The active keyring backend is an in-memory one for the test, then restored."""
    import keyring

    from .memory_keyring import install

    backend, previous = install()
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)
