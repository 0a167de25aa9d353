"""Which messages the transports' fast paths may answer themselves, and how they answer.

A read tool never asks the user anything mid-call, so over stdio (stdio.py) and over
Streamable HTTP (remote/fastpath.py) a ``tools/call`` of a read is answered straight from the
pipeline, without the SDK's per-message machinery. Both use the one test below, so the two
transports agree on what a fast call is; anything it does not accept goes to the SDK, which
stays the authority on the protocol. Standard library only: stdio imports this before (and
often without ever) importing the SDK.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import anyio
import attrs

from .handshake import MODERN_META_KEY
from .safety.journal import CALL_ID

log = logging.getLogger("auth0_mcp")

CALL_KEYS = frozenset({"name", "arguments", "_meta"})
REQUEST_KEYS = frozenset({"jsonrpc", "id", "method", "params"})


@attrs.frozen
class ReadCall:
    """A ``tools/call`` of a read tool, as the fast paths answer it."""

    id: str | int
    name: str
    arguments: dict[str, Any] | None


def request_key(value: Any) -> tuple[type, Any]:
    """A request id as a dictionary key: 1 and "1" are different requests."""
    return type(value), value


def handshake_era(message: Any) -> bool:
    """A JSON-RPC 2.0 message whose params (if any) are an object and do not mark the 2026
    era (whose requests carry their own version and capabilities)."""
    if not isinstance(message, dict) or message.get("jsonrpc") != "2.0":
        return False
    params = message.get("params")
    if params is None:
        return True
    if not isinstance(params, dict):
        return False
    meta = params.get("_meta")
    if meta is None:
        return True
    return (isinstance(meta, dict) and MODERN_META_KEY not in meta
            and ("progressToken" not in meta or valid_id(meta["progressToken"])))


def valid_id(value: Any) -> bool:
    return isinstance(value, str | int) and not isinstance(value, bool)


def read_call(message: Any, tools: Mapping[str, Any]) -> ReadCall | None:
    """``message`` as a read call of one of ``tools`` (name -> ToolSpec), or None when it is
    anything else: another method or tool kind, an unknown tool, or a shape the SDK would
    judge (and perhaps refuse) itself."""
    if (not handshake_era(message) or message.get("method") != "tools/call"
            or not message.keys() <= REQUEST_KEYS):  # e.g. "error" too: the SDK decides
        return None
    rid, params = message.get("id"), message.get("params")
    if not valid_id(rid) or not isinstance(params, dict) or not params.keys() <= CALL_KEYS:
        return None
    name, arguments = params.get("name"), params.get("arguments")
    if not isinstance(name, str) or not (arguments is None or isinstance(arguments, dict)):
        return None
    spec = tools.get(name)
    if spec is None or spec.kind != "read":
        return None
    return ReadCall(rid, name, arguments)


def cancelled(method: Any, params: Mapping[str, Any]) -> tuple[type, Any] | None:
    """The key of the request a ``notifications/cancelled`` names, or None (another method,
    or a requestId no request can have)."""
    if method != "notifications/cancelled" or not valid_id(params.get("requestId")):
        return None
    return request_key(params["requestId"])


async def answer_read(run: Callable[[], Awaitable[Any]], scope: anyio.CancelScope,
                      name: str) -> dict[str, Any] | None:
    """Run a read call under ``scope``: its JSON-RPC answer (``result``, or ``error`` when
    the pipeline itself failed), or None when the call was cancelled (each transport answers
    that by its own rule)."""
    outcome = None
    try:
        with scope:
            outcome = await run()
    except Exception:  # the pipeline answers failures itself; this is a bug in it
        log.exception("tool call %s failed outside the pipeline", name)
    if scope.cancel_called:
        return None
    if outcome is None:
        return {"error": {"code": -32603, "message": "Internal error"}}
    return {"result": call_result(outcome)}


def call_result(outcome: Any) -> dict[str, Any]:
    """A pipeline Outcome as the SDK puts a CallToolResult on the wire."""
    result: dict[str, Any] = {"content": [{"type": "text", "text": outcome.text}],
                              "isError": outcome.is_error}
    if outcome.data is not None:
        result["structuredContent"] = outcome.data
    if outcome.call_id:
        result["_meta"] = {CALL_ID: outcome.call_id}
    return result
