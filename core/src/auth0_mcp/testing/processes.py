"""Running ``auth0-mcp`` as a real process in tests: the installed command, a clean
environment, a free loopback port, waiting for it to answer, and stopping it."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

EXE = str(Path(sys.executable).parent / "auth0-mcp")
# No credentials or filters from the developer's shell leak into a test's server, and its
# audit journal goes to a directory of the test run's, not the user's data directory.
CLEAN_ENV = {k: v for k, v in os.environ.items() if not k.startswith(("AUTH0_", "DEBUG"))}
CLEAN_ENV["AUTH0_MCP_JOURNAL_DIR"] = os.environ.get("AUTH0_MCP_JOURNAL_DIR") or tempfile.mkdtemp(
    prefix="auth0-mcp-test-journal-")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_until_up(url: str, proc: subprocess.Popen[str], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            if proc.poll() is not None:
                raise AssertionError(proc.communicate()[1]) from None
            time.sleep(0.1)
    raise AssertionError(f"{url} did not come up")


def stop(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    proc.communicate()


@contextlib.contextmanager
def http_server(*args: str, env: dict[str, str] | None = None) -> Iterator[str]:
    """``auth0-mcp run --transport http ARGS`` on a free port until the block ends; yields
    the /mcp URL."""
    port = free_port()
    proc = subprocess.Popen([EXE, "run", "--transport", "http", "--port", str(port), *args],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env or CLEAN_ENV)
    url = f"http://127.0.0.1:{port}/mcp"
    try:
        wait_until_up(url, proc)
        yield url
    finally:
        stop(proc)


@contextlib.contextmanager
def sandbox_over_http(*args: str) -> Iterator[str]:
    """``auth0-mcp run --sandbox --transport http`` (plus ``args``) as a real process on a free
    port; yields the /mcp URL and stops the process afterwards."""
    with http_server("--sandbox", *args) as url:
        yield url
