"""Hold a family's sandbox emulator to real recorded Auth0 traffic.

``recordings("roles")`` loads the recorded interactions of one fixture family (the directory
``AUTH0_MCP_FIXTURES`` names, else the nearest ``shared/fixtures/auth0`` above this package);
``replay(server, fixture)`` sends the recorded request to a running sandbox with a token holding
every Management scope and returns the differences: the status, then every key the recorded
body has (top level, envelope, first item) missing from ours, and the order of an envelope's
keys (unless the recorder re-marshaled the body; single objects' key order varies in the
recordings themselves). A plugin's test prepares the
objects the request refers to, then asserts ``replay(...) == []``.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any


def fixtures_dir() -> Path | None:
    if os.environ.get("AUTH0_MCP_FIXTURES"):
        return Path(os.environ["AUTH0_MCP_FIXTURES"])
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "shared" / "fixtures" / "auth0"
        if candidate.is_dir():
            return candidate
    return None


@cache
def recordings(family: str) -> list[dict[str, Any]]:
    """The recorded interactions of one family (empty when the fixtures are not present)."""
    where = fixtures_dir()
    if where is None:
        return []
    found = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(where.glob("*.json"))
             if p.name.startswith(f"{family}__")]
    return [fx for fx in found if fx.get("family") == family]


@contextlib.contextmanager
def emulated(*routers: Any) -> Iterator[Any]:
    """A sandbox tenant with the first-party families and ``routers`` only (no installed
    plugins), for replays that create and delete freely; stopped afterwards."""
    from auth0_mcp_sandbox.server import SandboxServer

    server = SandboxServer(with_plugins=False, extra_routers=routers).start()
    try:
        yield server
    finally:
        server.stop()


def _missing(recorded: Any, ours: Any, where: str) -> list[str]:
    if isinstance(recorded, dict):
        if not isinstance(ours, dict):
            return [f"{where}: {type(ours).__name__} instead of an object"]
        problems = [f"{where}.{k}: missing" for k, v in recorded.items()
                    if k not in ours and v not in (None, "", [], {})]
        for key, value in recorded.items():
            if isinstance(value, dict | list) and key in ours:
                problems += _missing(value, ours[key], f"{where}.{key}")
        return problems
    if isinstance(recorded, list):
        if not isinstance(ours, list):
            return [f"{where}: {type(ours).__name__} instead of an array"]
        if recorded and ours:
            return _missing(recorded[0], ours[0], f"{where}[0]")
    return []


def replay(server: Any, fixture: dict[str, Any]) -> list[str]:
    """Send the recorded request to ``server`` (a running SandboxServer); what differs."""
    import httpx

    from auth0_mcp_sandbox.seed import management_scopes

    request, recorded = fixture["request"], fixture["response"]
    token = server.mint_token(management_scopes(server.routers))
    path = request["path"] + (f"?{request['query_string']}" if request.get("query_string")
                              else "")
    body = request.get("body")
    response = httpx.request(request["method"], server.base_url + path, timeout=10,
                             headers={"authorization": f"Bearer {token}",
                                      "content-type": "application/json"},
                             content=json.dumps(body) if body is not None else None)
    if response.status_code != recorded["status"]:
        return [f"status {response.status_code} instead of {recorded['status']}: "
                f"{response.text[:200]}"]
    if recorded["body"] is None:
        return [f"a body where the recording has none: {response.text[:100]}"] \
            if response.content else []
    ours = response.json() if response.content else None
    problems = _missing(recorded["body"], ours, "body")
    envelope = isinstance(recorded["body"], dict) and any(
        isinstance(v, list) for v in recorded["body"].values())
    if envelope and isinstance(ours, dict) and not fixture.get(
            "fidelity", {}).get("body_remarshaled_by_recorder"):
        order = [k for k in recorded["body"] if k in ours]
        if [k for k in ours if k in recorded["body"]] != order:
            problems.append(f"key order {list(ours)} instead of {list(recorded['body'])}")
    return problems
