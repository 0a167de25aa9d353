"""Fixtures shared by the cross-package tests."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import pytest

from auth0_mcp.testing.processes import CLEAN_ENV, EXE, free_port, stop, wait_until_up


@pytest.fixture(scope="module")
def http_mcp_url() -> Iterator[str]:
    """``auth0-mcp run --sandbox --transport http`` in a subprocess; yields the /mcp URL."""
    port = free_port()
    proc = subprocess.Popen([EXE, "run", "--sandbox", "--transport", "http", "--port",
                             str(port)], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=CLEAN_ENV)
    url = f"http://127.0.0.1:{port}/mcp"
    try:
        wait_until_up(url, proc)
        yield url
    finally:
        stop(proc)
