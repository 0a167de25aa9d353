"""Fixtures shared by the cross-package tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from auth0_mcp.testing.processes import sandbox_over_http


@pytest.fixture(scope="module")
def http_mcp_url() -> Iterator[str]:
    """``auth0-mcp run --sandbox --transport http`` in a subprocess; yields the /mcp URL."""
    with sandbox_over_http() as url:
        yield url
