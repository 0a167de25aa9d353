"""Running a sandbox tenant: bind a loopback port, seed or load the tenant, serve it with
uvicorn on a background thread (its own event loop, so the MCP server's loop and the tenant
never share one), and stop it cleanly.

The tenant is only ever touched on the server's loop; helpers called from other threads
(``approve_device``, ``mint_token``) hop onto it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import uvicorn

from .admin import admin_router
from .app import build_app
from .auth import decide_device, mint_access_token, signing_key
from .auth import router as auth_router
from .enforce import Gatekeeper
from .faults import Faults
from .ratelimit import RateLimit
from .routing import Router
from .seed import admin_client, seed_tenant
from .tenant import SandboxTenant

log = logging.getLogger("auth0_mcp").getChild("sandbox")  # configured by auth0_mcp.logsetup
T = TypeVar("T")


def plugin_routers() -> list[Router]:
    """Routers that installed plugins contribute through ``auth0_mcp_sandbox_routers``:
    every family's emulator, first- or third-party."""
    from auth0_mcp.plugins import load_plugins

    manager = load_plugins().manager
    return [router for result in manager.hook.auth0_mcp_sandbox_routers()
            for router in (result or ())]


def _rebase_logins(tenant: SandboxTenant, old: str, new: str) -> None:
    """A saved tenant served on another port: logins (refresh tokens, device codes) move with
    the Management API's audience (the tenant itself moves its API and grants)."""
    before, after = f"{old}/api/v2/", f"{new}/api/v2/"
    for name in ("refresh_tokens", "device_codes"):
        for entry in tenant.auth.get(name, {}).values():
            if entry.get("audience") == before:
                entry["audience"] = after


class SandboxServer:
    """A sandbox tenant served on ``http://127.0.0.1:<port>``.

    ``state_file``: load the tenant from it when it exists (else seed one), and save every
    change to it atomically. ``empty``: seed only what logging in needs, no demo data.
    ``extra_routers``: more Management API families; the installed plugins' emulators are
    added unless ``with_plugins`` is False (then only the Authentication API and the admin
    endpoints are served besides ``extra_routers``). ``tls_dir``: serve https with a
    self-signed certificate kept there (tls.py), for clients that only speak https.
    """

    def __init__(self, *, port: int = 0, state_file: Path | None = None, empty: bool = False,
                 faults: Faults | None = None, rate_limit: RateLimit | None = None,
                 extra_routers: Iterable[Router] = (), with_plugins: bool = True,
                 device_interval: int = 5, device_expires_in: int = 900,
                 tls_dir: Path | None = None, settings: dict[str, Any] | None = None) -> None:
        routers: list[Router] = []
        for router in [*extra_routers, *(plugin_routers() if with_plugins else [])]:
            if all(router is not r for r in routers):
                routers.append(router)
        self.routers = routers
        # proto=IPPROTO_TCP: asyncio only sets TCP_NODELAY on accepted sockets that say so;
        # without it Nagle and delayed ACKs add ~40 ms to every response.
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", port))
        self._sock.listen(128)  # connections queue from now on, even before uvicorn runs
        self.port: int = self._sock.getsockname()[1]
        self.tls: tuple[Path, Path] | None = None
        try:
            if tls_dir is not None:
                from .tls import self_signed

                self.tls = self_signed(tls_dir)
            scheme = "https" if self.tls else "http"
            self.tenant = self._tenant(f"{scheme}://127.0.0.1:{self.port}", state_file, empty)
            self.set_device_timings(device_interval, device_expires_in)
            self.tenant.settings.update(settings or {})
            self.gate = Gatekeeper(self.tenant, faults=faults, rate_limit=rate_limit)
            self.app = build_app(self.tenant, [auth_router, admin_router(self.gate), *routers],
                                 self.gate)
        except BaseException:
            self._sock.close()  # a bad state file or clashing routers: no socket left behind
            raise
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _tenant(self, base_url: str, state_file: Path | None, empty: bool) -> SandboxTenant:
        if state_file is not None and state_file.exists():
            tenant = SandboxTenant.load(state_file)
            old = tenant.auth.get("base_url")
            if old and old != base_url:
                _rebase_logins(tenant, old, base_url)
            tenant.base_url = base_url
        else:
            tenant = SandboxTenant(base_url=base_url, state_file=state_file)
            seed_tenant(tenant, self.routers, demo=not empty)
        tenant.auth["base_url"] = base_url
        signing_key(tenant)  # now, not on the first request, and into the state file
        tenant.save()
        return tenant

    # -- facts -------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return self.tenant.base_url

    @property
    def domain(self) -> str:
        """``127.0.0.1:<port>``: what ``AUTH0_DOMAIN`` would hold (use ``base_url`` for http)."""
        return self.tenant.domain

    @property
    def issuer_url(self) -> str:
        """``iss`` of the tokens this tenant issues (with Auth0's trailing slash)."""
        return self.tenant.issuer

    @property
    def admin_credentials(self) -> tuple[str, str]:
        """(client_id, client_secret) of the seeded M2M app allowed every Management scope."""
        client = admin_client(self.tenant)
        return client["client_id"], client["client_secret"]

    # -- helpers for tests -------------------------------------------------------------------

    def _on_loop(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn`` on the server's loop (the tenant's only thread) and wait for it."""
        loop = self._loop
        if loop is None or not loop.is_running() or threading.current_thread() is self._thread:
            return fn(*args)
        future: concurrent.futures.Future[T] = concurrent.futures.Future()

        def call() -> None:
            try:
                future.set_result(fn(*args))
            except BaseException as exc:
                future.set_exception(exc)

        loop.call_soon_threadsafe(call)
        return future.result(timeout=30)

    def with_tenant(self, fn: Callable[[SandboxTenant], T]) -> T:
        """Call ``fn(tenant)`` on the server's loop and return its result: how a test puts in
        place objects whose family's emulator is not installed (or reads state consistently)."""
        return self._on_loop(fn, self.tenant)

    def mint_token(self, scopes: Iterable[str], *, expires_in: int = 3600,
                   audience: str | None = None, sub: str | None = None) -> str:
        """A Management API token with exactly ``scopes``, as the admin application would
        get (``expires_in`` <= 0 gives an expired one)."""
        client_id = self.admin_credentials[0]
        return self._on_loop(lambda: mint_access_token(
            self.tenant, sub=sub or f"{client_id}@clients", scopes=list(scopes),
            audience=audience, expires_in=expires_in, azp=client_id,
            grant_type="client-credentials"))

    def set_faults(self, **settings: Any) -> Faults:
        """Replace all fault settings (no arguments: no faults)."""
        self.gate.faults = Faults.from_settings(settings)
        return self.gate.faults

    def set_rate_limit(self, limit: int = 1000, per_second: float = 500.0) -> None:
        """A new budget for every API (the defaults are the sandbox's own); buckets refill."""
        self._on_loop(self.gate.rate_limit.configure, limit, per_second)

    def approve_device(self, user_code: str, scopes: Iterable[str] | None = None) -> bool:
        """Approve a pending device login, as its user would in the browser (``scopes``:
        grant fewer than were asked for). False when no pending login has that code."""
        granted = None if scopes is None else list(scopes)
        return self._on_loop(decide_device, self.tenant, user_code, True, granted)

    def deny_device(self, user_code: str) -> bool:
        return self._on_loop(decide_device, self.tenant, user_code, False)

    def set_device_timings(self, interval: int = 5, expires_in: int = 900) -> None:
        """Timings of device codes issued from now on (``interval`` 0: never ``slow_down``;
        ``expires_in`` 0: expired at once)."""
        self.tenant.auth["device_interval"] = int(interval)
        self.tenant.auth["device_expires_in"] = int(expires_in)

    def stats(self) -> dict[str, Any]:
        return self.gate.stats()

    # -- lifecycle -----------------------------------------------------------------------------

    def _config(self) -> uvicorn.Config:
        cert, key = self.tls or (None, None)
        return uvicorn.Config(self.app, log_level="warning", lifespan="off", access_log=False,
                              server_header=False, timeout_graceful_shutdown=1,
                              ssl_certfile=cert, ssl_keyfile=key)

    async def _main(self) -> None:
        assert self._server is not None
        self._loop = asyncio.get_running_loop()
        await self._server.serve(sockets=[self._sock])

    def start(self) -> SandboxServer:
        """Serve on a background thread; returns once the port answers."""
        if self._thread is not None:
            raise RuntimeError("this sandbox server was already started")
        self._server = uvicorn.Server(self._config())
        self._thread = threading.Thread(target=asyncio.run, args=(self._main(),),
                                        name=f"auth0-mcp-sandbox-{self.port}", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the sandbox server did not start (see the log)")
            time.sleep(0.005)
        log.info("sandbox tenant serving at %s", self.base_url)
        return self

    def serve_forever(self) -> None:
        """Serve in the foreground (``auth0-mcp sandbox``) until Ctrl-C or SIGTERM."""
        self._server = uvicorn.Server(self._config())
        try:
            asyncio.run(self._main())
        finally:
            self._sock.close()
            self.tenant.save()

    def stop(self) -> None:
        """Stop serving (open connections get a second to finish) and save the tenant."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=5)
            if self._thread.is_alive() and self._server is not None:
                self._server.force_exit = True
                self._thread.join(timeout=5)
        self._sock.close()
        self.tenant.save()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
