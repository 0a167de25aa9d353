"""Running a sandbox tenant: bind a loopback port, seed or load the tenant, serve it with
uvicorn on a background thread (its own event loop, so the MCP server's loop and the tenant
never share one), and stop it cleanly.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import uvicorn

from .admin import admin_router
from .app import build_app
from .auth import decide_device
from .auth import router as auth_router
from .enforce import Faults, Gatekeeper, RateLimit
from .keys import mint_access_token
from .routing import Router
from .seed import ADMIN_CLIENT_NAME, seed_tenant
from .tenant import SandboxTenant

log = logging.getLogger("auth0_mcp.sandbox")


def plugin_routers() -> list[Router]:
    """Routers that installed plugins contribute through ``auth0_mcp_sandbox_routers``."""
    from ..plugins import load_plugins

    routers: list[Router] = []
    for _name, plugin in load_plugins().manager.list_name_plugin():
        hook = getattr(plugin, "auth0_mcp_sandbox_routers", None)
        if hook is not None:
            routers.extend(hook() or ())
    return routers


class SandboxServer:
    """A sandbox tenant served on ``http://127.0.0.1:<port>``."""

    def __init__(self, *, port: int = 0, state_file: Path | None = None, empty: bool = False,
                 faults: Faults | None = None, rate_limit: RateLimit | None = None,
                 extra_routers: Iterable[Router] = (), with_plugins: bool = True) -> None:
        from .management import ROUTERS

        # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on accepted sockets whose
        # proto says TCP, and without it keep-alive responses stall ~40 ms (Nagle + delayed ACK)
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", port))
        self.port = self._sock.getsockname()[1]
        base_url = f"http://127.0.0.1:{self.port}"
        routers = [*ROUTERS, *extra_routers, *(plugin_routers() if with_plugins else [])]
        if state_file is not None and state_file.exists():
            self.tenant = SandboxTenant.load(state_file)
            self.tenant.base_url = base_url
        else:
            self.tenant = SandboxTenant(base_url=base_url, state_file=state_file)
            seed_tenant(self.tenant, routers, demo=not empty)
            self.tenant.save()
        self.gate = Gatekeeper(self.tenant, faults=faults, rate_limit=rate_limit)
        self.app = build_app(self.tenant, [auth_router, admin_router(self.gate), *routers],
                             self.gate)
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    # -- facts -------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return self.tenant.base_url

    @property
    def domain(self) -> str:
        return self.tenant.domain

    @property
    def issuer_url(self) -> str:
        """The OAuth issuer (``http://127.0.0.1:<port>/``), as tokens carry it."""
        return self.tenant.issuer

    @property
    def admin_credentials(self) -> tuple[str, str]:
        """(client_id, client_secret) of the seeded M2M app allowed every Management scope."""
        for client in self.tenant.collection("clients").values():
            if client.get("name") == ADMIN_CLIENT_NAME:
                return client["client_id"], client["client_secret"]
        raise LookupError("the sandbox admin application was deleted")

    # -- helpers for tests -------------------------------------------------------------------

    def mint_token(self, scopes: Iterable[str], *, expires_in: int = 3600,
                   audience: str | None = None, sub: str = "sandbox|tests") -> str:
        return mint_access_token(self.tenant, sub=sub, scopes=scopes, audience=audience,
                                 expires_in=expires_in)

    def stats(self) -> dict[str, Any]:
        """Requests the sandbox has answered (tests count them to prove that nothing was
        sent), log events and objects per collection."""
        return {"requests": self.gate.requests, "logs": len(self.tenant.logs),
                "collections": {k: len(v) for k, v in self.tenant.collections.items()}}

    def set_faults(self, **settings: Any) -> Faults:
        self.gate.faults = Faults(**settings)
        return self.gate.faults

    def approve_device(self, user_code: str, scopes: list[str] | None = None) -> bool:
        return decide_device(self.tenant, user_code, True, scopes)

    def deny_device(self, user_code: str) -> bool:
        return decide_device(self.tenant, user_code, False)

    # -- lifecycle -----------------------------------------------------------------------------

    def _config(self) -> uvicorn.Config:
        return uvicorn.Config(self.app, log_level="warning", lifespan="off",
                              access_log=False, timeout_graceful_shutdown=1)

    def start(self) -> SandboxServer:
        """Serve on a background thread; returns once the port answers."""
        self._server = uvicorn.Server(self._config())
        self._thread = threading.Thread(target=self._serve, name="auth0-mcp-sandbox",
                                        daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the sandbox server did not start")
            time.sleep(0.01)
        return self

    def _serve(self) -> None:
        assert self._server is not None
        asyncio.run(self._server.serve(sockets=[self._sock]))

    def serve_forever(self) -> None:
        """Serve in the foreground (``auth0-mcp sandbox``) until Ctrl-C."""
        self._server = uvicorn.Server(self._config())
        try:
            self._serve()
        finally:
            self._sock.close()

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._sock.close()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
