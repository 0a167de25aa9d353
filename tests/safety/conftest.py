"""Helpers for the safety tests: a runtime on the sandbox whose Management API traffic is
recorded, so a test can prove that nothing mutating left the process."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from mcp import Client

from auth0_mcp.runtime import RunOptions, Runtime, build_runtime
from auth0_mcp.testing import Harness, Recording


@contextlib.asynccontextmanager
async def recorded(harness: Harness, *, confirm: str = "destructive", journal: Any = None,
                   **options: Any) -> AsyncIterator[tuple[Runtime, Recording]]:
    transport = Recording()
    opts = RunOptions(confirm=confirm, **options)
    runtime = await build_runtime(opts, harness.credentials(), env={},
                                  catalog=harness.catalog(opts), transport=transport,
                                  journal=journal)
    try:
        yield runtime, transport
    finally:
        await runtime.aclose()


@contextlib.asynccontextmanager
async def session(harness: Harness, *, mode: str = "legacy", elicit: Any = None,
                  confirm: str = "destructive") -> AsyncIterator[tuple[Client, Runtime,
                                                                       Recording]]:
    """An SDK client session (``mode`` picks the protocol era); ``elicit`` makes the client
    declare elicitation and answer with it."""
    async with recorded(harness, confirm=confirm) as (runtime, transport):
        kwargs: dict[str, Any] = {"mode": mode}
        if elicit is not None:
            kwargs["elicitation_callback"] = elicit
        async with Client(runtime.server, **kwargs) as client:
            yield client, runtime, transport


async def run_cli(*args: str, env: dict[str, str] | None = None) -> Any:
    """``auth0-mcp ARGS`` as a process (without blocking the event loop the sandbox's
    clients share): ``returncode``, ``stdout`` and ``stderr`` as text."""
    import subprocess

    import anyio

    from auth0_mcp.testing.processes import CLEAN_ENV, EXE

    done = await anyio.run_process([EXE, *args], env=env or CLEAN_ENV, check=False,
                                   stdin=subprocess.DEVNULL)
    return subprocess.CompletedProcess(done.args, done.returncode, done.stdout.decode(),
                                       done.stderr.decode())


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def harness(auth0_mcp: Harness) -> Harness:
    return auth0_mcp
