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
from .errors import (
    Auth0ApiError,
    InvalidArguments,
    ReadOnlyViolation,
    ToolError,
    UpstreamUnavailable,
)
from .shaping import changes_path
from .state import StateStore, StateUnavailable

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


def default_transport(base_url: str) -> httpx.AsyncBaseTransport:
    """How requests reach the tenant: straight, by the lean HTTP/1.1 transport (http11.py);
    through the proxy that ``HTTPS_PROXY``/``HTTP_PROXY``/``ALL_PROXY`` name for it (unless
    ``NO_PROXY`` exempts it), by httpx's own transport, which speaks to proxies."""
    import urllib.request

    from .http11 import Http11Transport

    parts = urlsplit(base_url)
    proxies = urllib.request.getproxies()
    proxy = proxies.get(parts.scheme) or proxies.get("all")
    if proxy and not urllib.request.proxy_bypass(parts.netloc):
        return httpx.AsyncHTTPTransport(verify=tls_context(), proxy=proxy)
    return Http11Transport(tls_context)


class RateLimitState:
    """What Auth0's ``X-RateLimit-*`` headers say about the tenant's bucket, to pace before a
    429 instead of failing.

    From the headers it learns the bucket's size (``limit``) and a lower bound of its refill
    rate (``limit - remaining`` requests come back by ``reset``). With a shared ``state``
    store (several instances), every request first takes from one bucket of that size and rate
    kept there, so all instances together stay under the tenant's limit: one round trip, and a
    wait is slept, not refused, while it fits the caller's budget. What one instance learns it
    also leaves in the store, so an instance that has not had an answer yet paces from the
    first request (else each new instance's first calls went out unpaced, past the bucket)."""

    SAFETY = 0.9  # of the learned rate: requests reach Auth0 a little after their turn
    HORIZON = 1.0  # seconds: shared turns further ahead are asked for again later
    SHARED_TTL = 600.0  # seconds what was learned stays in the store

    def __init__(self, state: StateStore | None = None, key: str = "tenant") -> None:
        self.remaining: int | None = None
        self.reset_at: float | None = None
        self.limit: int | None = None
        self.per_second: float | None = None
        self.state = state
        self.key = f"auth0-rate:{key}"
        self._shared: tuple[int, float] | None = None  # (limit, rate) last put in the store

    def update(self, headers: httpx.Headers, sent_at: float | None = None) -> None:
        try:
            if "x-ratelimit-limit" in headers:
                self.limit = int(headers["x-ratelimit-limit"])
            if "x-ratelimit-remaining" in headers:
                self.remaining = int(headers["x-ratelimit-remaining"])
            if "x-ratelimit-reset" in headers:
                self.reset_at = float(headers["x-ratelimit-reset"])
        except ValueError:
            return
        self._learn_rate(time.time() if sent_at is None else sent_at)

    def _learn_rate(self, sent_at: float) -> None:
        """``reset`` is the whole second at which the bucket is full again, computed by Auth0
        after the request was sent: the missing requests come back within at most
        ``reset - int(sent_at)`` seconds, so the ratio never overestimates the rate; the
        largest seen is the best bound."""
        if self.limit is None or self.remaining is None or self.reset_at is None:
            return
        missing, span = self.limit - self.remaining, self.reset_at - int(sent_at)
        if missing > 0 and span > 0:
            self.per_second = max(self.per_second or 0.0, missing / span)

    def wait_needed(self) -> float:
        if self.remaining == 0 and self.reset_at is not None:
            return max(0.0, self.reset_at - time.time())
        return 0.0

    async def shared_wait(self, deadline: float) -> float:
        """Take a turn from the shared bucket: the seconds to sleep before sending. A turn
        more than ``HORIZON`` ahead is not taken; the bucket is asked again a little later
        (the rate learned meanwhile may be higher, and a turn reserved at a rate since found
        too low would wait for nothing) until ``deadline`` (monotonic) has passed, then the
        answer exceeds it and the caller gives up. 0 without a shared store or before this or
        another instance has learned anything. Raises ``StateUnavailable`` when the store is
        down."""
        if self.state is not None and not (self.limit and self.per_second):
            await self._adopt()
        while self.state is not None and self.limit and self.per_second:
            left = min(deadline - time.monotonic(), self.HORIZON)
            # One unit and 10% of the rate in hand: a request reaches Auth0 a little after the
            # store gave it its turn, so the tenant's bucket runs a little behind the shared one.
            # Never more at once than Auth0 last said remained (others may spend it too).
            burst = max(1, min(self.limit, self.limit if self.remaining is None
                               else self.remaining) - 1)
            wait = await self.state.take(self.key, self.per_second * self.SAFETY, float(burst),
                                         max_wait=max(0, left), learned=True)
            if wait <= left or left < 0.05:
                return wait
            await asyncio.sleep(left / 2)
        return 0.0

    async def share(self) -> None:
        """Put what this instance has learned in the store when it is new (a rare write)."""
        if self.state is None or not (self.limit and self.per_second):
            return
        learned = (self.limit, self.per_second)
        if learned != self._shared:
            try:
                await self.state.put(f"{self.key}:learned", json.dumps(learned).encode(),
                                     self.SHARED_TTL)
            except StateUnavailable:  # the call succeeded; the next answer shares it again
                return
            self._shared = learned

    async def _adopt(self) -> None:
        """Take the limit and rate another instance has learned, when one has."""
        assert self.state is not None
        stored = await self.state.get(f"{self.key}:learned")
        if stored is None:
            return
        try:
            limit, per_second = json.loads(stored)
            self.limit, self.per_second = int(limit), float(per_second)
        except (ValueError, TypeError):
            log.warning("ignored an unreadable %s:learned record in the state store", self.key)


class ManagementClient:
    """Async client for ``/api/v2``; raises ``Auth0ApiError`` / ``ToolError`` subclasses.

    Public (``ctx.api`` in every handler): ``get``, ``post``, ``patch``, ``put``, ``delete``,
    ``page``, ``iterate_pages`` and ``iterate_checkpoint`` keep their signatures within a minor
    version (docs/plugins.md, checked by tests/kit/test_docs.py); the rest is internal."""

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
        state: StateStore | None = None,
    ) -> None:
        self.base_url = base_url_for(domain)
        self.domain = urlsplit(self.base_url).netloc
        self.read_only = read_only
        self.rate_limit_budget = rate_limit_budget
        self.retries = retries
        self.rate = RateLimitState(state, self.domain)
        inner = transport or default_transport(self.base_url)
        self._tokens = tokens
        self._transport = ReadOnlyTransport(inner) if read_only else inner
        self._api = f"{self.base_url}/api/v2"
        self._timeout = {"connect": 5.0, "read": timeout, "write": timeout, "pool": timeout}

    async def aclose(self) -> None:
        await self._transport.aclose()

    async def _send(self, method: str, path: str, params: Mapping[str, Any] | None,
                    json_body: Any) -> httpx.Response:
        """One request straight to the transport, the answer read whole, with a fresh token
        and one more try after a 401 when the token source can mint another.

        httpx's AsyncClient is not in the way: its URL merging, cookie jar, auth and redirect
        generators cost more CPU per request than the transport itself, and this client needs
        none of them (a bearer token, no cookies, no redirects)."""
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json",
                   "Accept-Encoding": "gzip, deflate"}
        content = None
        if json_body is not None:
            content = json.dumps(json_body, ensure_ascii=False, separators=(",", ":"),
                                 allow_nan=False).encode()
            headers["Content-Type"] = "application/json"
        url = httpx.URL(self._api + path, params=params)
        retried = False
        while True:
            headers["Authorization"] = f"Bearer {await self._tokens.token()}"
            response = await self._transport.handle_async_request(httpx.Request(
                method, url, headers=headers, content=content,
                extensions={"timeout": self._timeout}))
            try:
                await response.aread()
            finally:
                await response.aclose()
            if response.status_code != 401 or retried or not await self._tokens.invalidate():
                return response
            retried = True

    # -- requests ----------------------------------------------------------------------------

    async def request(self, method: str, path: str, *, params: Mapping[str, Any] | None = None,
                      json_body: Any = None) -> Any:
        """One API call with pacing, bounded 429 waits and idempotent-only retries."""
        method = method.upper()
        _check_path(method, path)
        if self.read_only and method not in SAFE:  # also enforced by the transport
            raise ReadOnlyViolation(f"read-only mode: refused {method} {path}")
        deadline = time.monotonic() + self.rate_limit_budget
        attempt = 0
        clean_params = _clean(params)
        while True:
            pause = max(self.rate.wait_needed(), await self.rate.shared_wait(deadline))
            if pause > 0:
                if time.monotonic() + pause > deadline:
                    raise Auth0ApiError(429, method, path,
                                        {"message": "rate-limit budget exhausted"},
                                        retry_at=self.rate.reset_at)
                await asyncio.sleep(pause)
            sent_at = time.time()
            try:
                response = await self._send(method, path, clean_params, json_body)
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
            self.rate.update(response.headers, sent_at)
            await self.rate.share()
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
                   totals: bool = True, **params: Any) -> tuple[list[Any], int | None]:
        """One page in offset mode: ``(items, total)``; total is None if Auth0 sent none.
        ``totals=False`` leaves out ``include_totals`` for endpoints that refuse it (Actions,
        which always send ``total``)."""
        if totals:
            params["include_totals"] = True
        body = await self.get(path, page=page, per_page=per_page, **params)
        if isinstance(body, list):
            return body, None
        if not isinstance(body, Mapping):
            raise UpstreamUnavailable(f"unexpected response shape from GET {path}")
        items = body.get(key, [])
        total = body.get("total")
        return list(items), int(total) if isinstance(total, int) else None

    async def iterate_pages(self, path: str, key: str, *, per_page: int = 100,
                            totals: bool = True, **params: Any) -> AsyncIterator[Any]:
        """Every item across offset pages, stopping on a short page or at ``total``."""
        page = 0
        seen = 0
        while True:
            items, total = await self.page(path, key, page=page, per_page=per_page,
                                           totals=totals, **params)
            for item in items:
                yield item
            seen += len(items)
            if len(items) < per_page or (total is not None and seen >= total):
                return
            page += 1

    async def iterate_checkpoint(self, path: str, key: str | None, *, take: int = 100,
                                 start_from: str | None = None, cursor: str = "id",
                                 **params: Any) -> AsyncIterator[Any]:
        """Checkpoint (``from``/``take``) paging. An object answer names the next checkpoint in
        ``next`` (clients, grants); a bare array continues from its last item's ``cursor``
        field (``log_id`` for logs)."""
        checkpoint = start_from
        while True:
            query = dict(params, take=take)
            if checkpoint:
                query["from"] = checkpoint
            body = await self.get(path, **query)
            if isinstance(body, Mapping):
                items = list(body.get(key or "", []))
                nxt = body.get("next")
            else:
                items = list(body or [])
                nxt = items[-1].get(cursor) if items and len(items) == take else None
            for item in items:
                yield item
            if not items or not nxt or nxt == checkpoint:
                return
            checkpoint = nxt


def _check_path(method: str, path: str) -> None:
    """Refuse a path the HTTP client would normalize into another one (``/clients/.`` is
    ``/clients``, ``/clients/..`` is ``/``): a handler that built it without ``segment()``
    must not send a write to the wrong resource."""
    if not path.startswith("/") or any(changes_path(part) for part in path[1:].split("/")):
        shown = path if len(path) <= 80 else path[:80] + "..."
        raise InvalidArguments(
            f"{method} {shown} was refused and nothing was sent: an id in it is empty, '.', "
            "'..' or a slash. Use the id exactly as a list tool shows it.")


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
