"""``auth0-mcp sandbox``: serve the local sandbox tenant in the foreground."""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from types import ModuleType
from typing import Annotated

import typer

from ..errors import SetupError

MISSING = ("the sandbox tenant is a separate distribution: "
           "pip install 'auth0-mcp[sandbox]' (or auth0-mcp-sandbox)")


def sandbox_module(name: str) -> ModuleType:
    """``auth0_mcp_sandbox.<name>``, or the one-line answer naming the extra that installs it
    (the only place the CLI imports the sandbox framework)."""
    try:
        return import_module(f"auth0_mcp_sandbox.{name}")
    except ModuleNotFoundError as exc:
        if (exc.name or "").partition(".")[0] != "auth0_mcp_sandbox":
            raise  # the sandbox is there but broken: not a missing extra
        raise SetupError(MISSING) from None


def check_state_file(path: Path | None, flag: str) -> None:
    """A state file that is not JSON is the user's to fix, said in one line (the sandbox
    itself would fail with a parser traceback)."""
    import json

    if path is None or not path.exists():
        return
    try:
        json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, OSError) as exc:
        raise SetupError(f"{flag} {path} is not a sandbox state file ({exc}); fix it, or "
                         "delete it to start from a fresh tenant") from None


def sandbox(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1 (0 picks a free one).")] = 8484,
    state: Annotated[Path | None, typer.Option(help="Persist the tenant in this JSON file.")]
    = None,
    empty: Annotated[bool, typer.Option(help="Start without the demo data.")] = False,
    latency_ms: Annotated[float, typer.Option(help="Fault: added latency per request.")] = 0.0,
    error_rate: Annotated[float, typer.Option(help="Fault: share of requests answered 5xx.")]
    = 0.0,
    rate_limit: Annotated[int | None, typer.Option(help="Requests per bucket before 429.")]
    = None,
    malformed_rate: Annotated[float, typer.Option(help="Fault: share of bodies that are not "
                                                  "valid JSON.")] = 0.0,
    tls: Annotated[Path | None, typer.Option(help="Serve https with a self-signed certificate "
                                             "kept in this directory (for https-only "
                                             "clients).")] = None,
) -> None:
    """Serve a local Auth0 emulator (Management + Authentication API) on loopback.

    Example: auth0-mcp sandbox --port 8484 --state ./tenant.json
    """
    check_state_file(state, "--state")
    sandbox_module("cli").serve(
        port=port, state=state, empty=empty, latency_ms=latency_ms, error_rate=error_rate,
        rate_limit=rate_limit, malformed_rate=malformed_rate, tls_dir=tls)
