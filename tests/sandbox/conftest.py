"""One sandbox tenant for the sandbox tests, on a free loopback port, stopped at the end.

Tests that change faults, the rate-limit budget or device-flow timings
get them reset after each test, so the order of tests never matters.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from auth0_mcp_sandbox.server import SandboxServer


@pytest.fixture(scope="session")
def box() -> Iterator[SandboxServer]:
    with SandboxServer(device_interval=0) as server:
        yield server


@pytest.fixture(autouse=True)
def _reset(request: pytest.FixtureRequest) -> Iterator[None]:
    if "box" not in request.fixturenames:
        yield
        return
    server: SandboxServer = request.getfixturevalue("box")
    yield
    server.set_faults()
    server.set_rate_limit()
    server.set_device_timings(interval=0, expires_in=900)


@pytest.fixture
def http(box: SandboxServer) -> Iterator[httpx.Client]:
    """An HTTP client for the tenant (relative URLs)."""
    with httpx.Client(base_url=box.base_url, timeout=10) as client:
        yield client


@pytest.fixture
def bearer(box: SandboxServer) -> Callable[..., dict[str, str]]:
    """``bearer(["read:clients"], expires_in=60)``: an Authorization header with a token."""

    def make(scopes: list[str], **kwargs: Any) -> dict[str, str]:
        return {"authorization": f"Bearer {box.mint_token(scopes, **kwargs)}"}

    return make
