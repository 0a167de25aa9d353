"""What left the process during one call: Auth0's request ids for the journal, and the write
whose answer never came (its outcome is unknown: it may or may not have been applied)."""

from __future__ import annotations

import contextlib
import contextvars
import json
from typing import Any

import attrs
import httpx

from ..management import SAFE

REQUEST_ID_HEADERS = ("x-auth0-requestid", "x-request-id")
# Failures that happen before a byte of the request is sent: the outcome is known (nothing).
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.UnsupportedProtocol,
            httpx.InvalidURL, httpx.PoolTimeout)


@attrs.define
class Trace:
    request_ids: list[str] = attrs.Factory(list)
    unknown: tuple[str, str] | None = None  # (method, path) of a write sent but not answered
    body: Any = None  # its JSON body


TRACE: contextvars.ContextVar[Trace | None] = contextvars.ContextVar("auth0_mcp_trace",
                                                                    default=None)


class TracingTransport(httpx.AsyncBaseTransport):
    """Wraps the Management API transport; notes into the current call's Trace."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        trace = TRACE.get()
        try:
            response = await self.inner.handle_async_request(request)
        except NOT_SENT:
            raise
        except (httpx.TransportError, OSError):
            if trace is not None and request.method not in SAFE:
                trace.unknown = (request.method, request.url.path)
                with contextlib.suppress(ValueError):
                    trace.body = json.loads(request.content or b"null")
            raise
        if trace is not None:
            for name in REQUEST_ID_HEADERS:
                if name in response.headers:
                    trace.request_ids.append(response.headers[name])
                    break
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()
