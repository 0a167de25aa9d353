"""A real Redis for the shared-state tests: skipped with a reason where redis-server is not
installed, a failure where CI requires it (AUTH0_MCP_REQUIRE_REDIS=1)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

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
