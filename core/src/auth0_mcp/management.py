"""The Management API client: one pooled ``httpx.AsyncClient`` per tenant.

Everything about talking to Auth0 well lives here, so handlers stay one-liners: bearer tokens
from a ``TokenSource`` (httpx auth flow, refreshed once on a 401), pacing from the rate-limit
headers, a bounded wait on 429 (then the model is told when to retry instead of the reference's
blind 66 s of retries), retries of 5xx and transport errors for idempotent requests only, both of
Auth0's pagination styles, and read-only mode enforced by the transport itself.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import json
import logging
import ssl
import time
from collections.abc import AsyncIterator, Mapping
from typing import Any, Protocol
from urllib.parse import urlsplit

import httpx

from . import __version__
from .domains import base_url_for
from .errors import Auth0ApiError, ReadOnlyViolation, ToolError, UpstreamUnavailable

log = logging.getLogger("auth0_mcp.management")

IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE"})
SAFE = frozenset({"GET", "HEAD"})
USER_AGENT = f"auth0-mcp/{__version__} (python; httpx/{httpx.__version__})"


@functools.cache
def tls_context() -> ssl.SSLContext:
    """httpx's default verification (certifi's CAs), built once: each build reads the CA
    bundle, about 50 ms, and every client would otherwise build its own."""
    return httpx.create_ssl_context()


class TokenSource(Protocol):
    """Where access tokens come from (a static token, client credentials, a stored login)."""

    async def token(self) -> str: ...

    async def invalidate(self) -> bool:
        """Forget the current token after a 401; True if a fresh one can be obtained."""
        ...




class BearerAuth(httpx.Auth):
    """Adds the bearer token; on a 401 asks the source for a fresh token and retries once."""

    def __init__(self, source: TokenSource) -> None:
        self.source = source

    async def async_auth_flow(self, request: httpx.Request):  # type: ignore[override]
        request.headers["Authorization"] = f"Bearer {await self.source.token()}"
        response = yield request
        if response.status_code == 401 and await self.source.invalidate():
            request.headers["Authorization"] = f"Bearer {await self.source.token()}"
            yield request


class ReadOnlyTransport(httpx.AsyncBaseTransport):
    """Refuses every non-GET request before it leaves the process."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method not in SAFE:
            raise ReadOnlyViolation(
                f"read-only mode: refused {request.method} {request.url.path}; the server was "
                "started with --read-only, so nothing in the tenant can be changed"
            )
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


class PooledTransport(httpx.AsyncBaseTransport):
    """httpx's transport, as several small connection pools used in turn.

    httpcore rescans every queued request against every pooled connection (probing idle
    sockets) each time a request starts or ends: quadratic in concurrency. A shared HTTP server
    with 32 callers spent half its CPU there; pools of a few connections each keep the scan
    short and the total number of connections the same."""

    def __init__(self, pools: int = 8, per_pool: int = 4) -> None:
        limits = httpx.Limits(max_connections=per_pool, max_keepalive_connections=per_pool)
        self.pools = [httpx.AsyncHTTPTransport(verify=tls_context(), limits=limits)
                      for _ in range(pools)]
        self._next = itertools.cycle(self.pools)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await next(self._next).handle_async_request(request)

    async def aclose(self) -> None:
        for pool in self.pools:
            await pool.aclose()


class RateLimitState:
    """What the last response said about the bucket, to pace before hitting a 429."""

    def __init__(self) -> None:
        self.remaining: int | None = None
        self.reset_at: float | None = None

    def update(self, headers: httpx.Headers) -> None:
        try:
            if "x-ratelimit-remaining" in headers:
                self.remaining = int(headers["x-ratelimit-remaining"])
            if "x-ratelimit-reset" in headers:
                self.reset_at = float(headers["x-ratelimit-reset"])
        except ValueError:
            pass

    def wait_needed(self) -> float:
        if self.remaining == 0 and self.reset_at is not None:
            return max(0.0, self.reset_at - time.time())
        return 0.0


class ManagementClient:
    """Async client for ``/api/v2``; raises ``Auth0ApiError`` / ``ToolError`` subclasses."""

    def __init__(
        self,
        domain: str,
        tokens: TokenSource,
        *,
        read_only: bool = False,
        timeout: float = 15.0,
        rate_limit_budget: float = 15.0,
        retries: int = 2,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url_for(domain)
        self.domain = urlsplit(self.base_url).netloc
        self.read_only = read_only
        self.rate_limit_budget = rate_limit_budget
        self.retries = retries
        self.rate = RateLimitState()
        inner = transport or PooledTransport()
        self._http = httpx.AsyncClient(
            base_url=f"{self.base_url}/api/v2",
            auth=BearerAuth(tokens),
            transport=ReadOnlyTransport(inner) if read_only else inner,
            timeout=httpx.Timeout(timeout, connect=5.0),
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    # -- requests ----------------------------------------------------------------------------

    async def request(self, method: str, path: str, *, params: Mapping[str, Any] | None = None,
                      json_body: Any = None) -> Any:
        """One API call with pacing, bounded 429 waits and idempotent-only retries."""
        method = method.upper()
        if self.read_only and method not in SAFE:  # also enforced by the transport
            raise ReadOnlyViolation(f"read-only mode: refused {method} {path}")
        refuse_dot_segments(method, path)
        deadline = time.monotonic() + self.rate_limit_budget
        attempt = 0
        clean_params = _clean(params)
        while True:
            pause = self.rate.wait_needed()
            if pause > 0:
                if time.monotonic() + pause > deadline:
                    raise Auth0ApiError(429, method, path,
                                        {"message": "rate-limit budget exhausted"},
                                        retry_at=self.rate.reset_at)
                await asyncio.sleep(pause)
            try:
                response = await self._http.request(method, path, params=clean_params,
                                                     json=json_body)
            except ToolError:
                raise
            except httpx.InvalidURL as exc:  # e.g. a 100 KB id: nothing was sent
                raise ToolError(f"{method} {path[:60]}... was not sent: {exc}. An id or value "
                                "is far longer than any Auth0 accepts; check it.") from None
            except httpx.TimeoutException as exc:
                if method in IDEMPOTENT and attempt < self.retries:
                    attempt += 1
                    continue
                raise UpstreamUnavailable(
                    f"Auth0 did not answer {method} {path} in time ({type(exc).__name__}). "
                    + ("Retry later." if method in IDEMPOTENT else
                       "The change may or may not have been applied: check before retrying.")
                ) from None
            except httpx.TransportError as exc:
                if method in IDEMPOTENT and attempt < self.retries:
                    attempt += 1
                    await asyncio.sleep(0.2 * attempt)
                    continue
                raise UpstreamUnavailable(
                    f"could not reach Auth0 at {self.domain}: {type(exc).__name__}: {exc}"
                ) from None
            self.rate.update(response.headers)
            status = response.status_code
            if status == 429:
                retry_at = self.rate.reset_at if "x-ratelimit-reset" in response.headers else None
                wait = (retry_at - time.time()) if retry_at else 1.0 * (attempt + 1)
                if time.monotonic() + max(wait, 0) <= deadline and attempt < 10:
                    attempt += 1
                    log.info("429 from Auth0 on %s %s; waiting %.1f s", method, path, wait)
                    self.rate.remaining = None
                    await asyncio.sleep(max(wait, 0.05))
                    continue
                raise Auth0ApiError(429, method, path, _body(response),
                                    retry_at=retry_at or time.time() + 5)
            if status >= 500 and method in IDEMPOTENT and attempt < self.retries:
                attempt += 1
                await asyncio.sleep(0.2 * attempt)
                continue
            if status >= 400:
                raise Auth0ApiError(status, method, path, _body(response))
            if status == 204 or not response.content:
                return None
            try:
                return response.json()
            except ValueError:
                raise UpstreamUnavailable(
                    f"Auth0 answered {method} {path} with a body that is not valid JSON "
                    f"(status {status}); retry later"
                ) from None

    async def get(self, path: str, **params: Any) -> Any:
        return await self.request("GET", path, params=params)

    async def post(self, path: str, body: Any = None) -> Any:
        return await self.request("POST", path, json_body=body)

    async def patch(self, path: str, body: Any) -> Any:
        return await self.request("PATCH", path, json_body=body)

    async def put(self, path: str, body: Any) -> Any:
        return await self.request("PUT", path, json_body=body)

    async def delete(self, path: str, **params: Any) -> Any:
        return await self.request("DELETE", path, params=params)

    # -- pagination ----------------------------------------------------------------------------

    async def page(self, path: str, key: str, *, page: int = 0, per_page: int = 50,
                   **params: Any) -> tuple[list[Any], int | None]:
        """One page in offset mode: ``(items, total)``; total is None if Auth0 sent none."""
        body = await self.get(path, page=page, per_page=per_page, include_totals=True, **params)
        if isinstance(body, list):
            return body, None
        if not isinstance(body, Mapping):
            raise UpstreamUnavailable(f"unexpected response shape from GET {path}")
        items = body.get(key, [])
        total = body.get("total")
        return list(items), int(total) if isinstance(total, int) else None

    async def iterate_pages(self, path: str, key: str, *, per_page: int = 100,
                            **params: Any) -> AsyncIterator[Any]:
        """Every item across offset pages, stopping on a short page or at ``total``."""
        page = 0
        seen = 0
        while True:
            items, total = await self.page(path, key, page=page, per_page=per_page, **params)
            for item in items:
                yield item
            seen += len(items)
            if len(items) < per_page or (total is not None and seen >= total):
                return
            page += 1

    async def iterate_checkpoint(self, path: str, key: str | None, *, take: int = 100,
                                 start_from: str | None = None,
                                 **params: Any) -> AsyncIterator[Any]:
        """Checkpoint (``from``/``take``) paging; follows ``next`` in the body (clients,
        grants) or the id of the last item (logs, which answer with a bare array)."""
        cursor = start_from
        while True:
            query = dict(params, take=take)
            if cursor:
                query["from"] = cursor
            body = await self.get(path, **query)
            if isinstance(body, Mapping):
                items = list(body.get(key or "", []))
                nxt = body.get("next")
            else:
                items = list(body or [])
                nxt = items[-1].get("log_id") if items and len(items) == take else None
            for item in items:
                yield item
            if not items or not nxt or nxt == cursor:
                return
            cursor = nxt


def refuse_dot_segments(method: str, path: str) -> None:
    """``.`` and ``..`` never name an Auth0 object, and the URL collapses them: an id "." would
    make ``GET /users/.`` list every user, ``DELETE /connections/..`` hit ``/api/v2/``."""
    parts = path.split("?", 1)[0].split("/")
    bad = next((p for p in parts if p in (".", "..")), None)
    if bad is not None:
        raise ToolError(f"{method} {path[:80]} was not sent: {bad!r} is not an id. Pass the "
                        "object's id (list the resources to find it).")


def _clean(params: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Drop ``None`` values and render booleans the way Auth0 expects (``true``/``false``)."""
    if not params:
        return None
    out: dict[str, Any] = {}
    for k, v in params.items():
        if v is None:
            continue
        out[k] = ("true" if v else "false") if isinstance(v, bool) else v
    return out


def _body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except (ValueError, json.JSONDecodeError):
        return response.text
