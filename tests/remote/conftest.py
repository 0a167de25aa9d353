"""A real Redis for the shared-state tests: skipped with a reason where redis-server is not
installed, a failure where CI requires it (AUTH0_MCP_REQUIRE_REDIS=1)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from auth0_mcp.state import MemoryState, StateStore
from auth0_mcp.state_redis import RedisState
from auth0_mcp.testing.redis import REQUIRE_ENV, RedisServer, missing_reason, redis_server_binary


def need_redis() -> None:
    if redis_server_binary() is None:
        if os.environ.get(REQUIRE_ENV):
            pytest.fail(missing_reason())
        pytest.skip(missing_reason())


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    need_redis()
    with RedisServer(tmp_path) as server:
        yield server


@pytest.fixture(params=["memory", "redis"])
async def store(request: pytest.FixtureRequest) -> AsyncIterator[StateStore]:
    """Each shared-state test runs on both stores: the contract is the same."""
    if request.param == "memory":
        state: StateStore = MemoryState()
    else:
        state = RedisState(request.getfixturevalue("redis_server").url)
    try:
        yield state
    finally:
        await state.aclose()
