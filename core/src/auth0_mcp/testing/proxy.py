"""A round-robin HTTP load balancer on loopback, for tests of several server instances.

Each request goes to the next backend; a backend that refuses the connection (stopped) is
skipped, since nothing reached it. A backend that fails after the request was sent gets the
caller a 502 whose body is a JSON-RPC error for that request: it may or may not have run.
Responses carry ``x-backend`` (the backend's index) so tests can see where requests landed.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from typing import Any

import httpx
import uvicorn
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .processes import free_port

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "upgrade", "host",
              "content-length", "proxy-connection"}


class RoundRobinProxy:
    def __init__(self, backends: Sequence[str]) -> None:
        self.backends = list(backends)  # base URLs, e.g. http://127.0.0.1:8001
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.served: list[int] = []  # backend index per answered request
        self.in_flight = [0] * len(self.backends)  # POSTs sent to each, not yet answered
        self._next = 0
        self._http: httpx.AsyncClient | None = None
        self._server = uvicorn.Server(uvicorn.Config(self._app, host="127.0.0.1",
                                                     port=self.port, log_level="warning",
                                                     lifespan="on", interface="asgi3"))
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    async def _app(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            if self._http is not None:
                await self._http.aclose()
            await send({"type": "lifespan.shutdown.complete"})
            return
        request = Request(scope, receive)
        response = await self._forward(request, await request.body())
        await response(scope, receive, send)

    async def _forward(self, request: Request, body: bytes) -> Response:
        if self._http is None:
            self._http = httpx.AsyncClient(timeout=60)
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
        for _ in range(len(self.backends)):
            index = self._next % len(self.backends)
            self._next += 1
            url = self.backends[index] + request.url.path
            if request.url.query:
                url += "?" + request.url.query
            posted = request.method == "POST"
            self.in_flight[index] += posted
            try:
                answer = await self._http.request(request.method, url, content=body,
                                                  headers=headers)
            except httpx.ConnectError:
                continue  # never reached the backend: the next one may take it
            except httpx.HTTPError as exc:
                return self._bad_gateway(body, f"the instance serving this request failed "
                                         f"mid-call ({type(exc).__name__}): it may or may "
                                         "not have been applied; check, then retry")
            finally:
                self.in_flight[index] -= posted
            self.served.append(index)
            out = {k: v for k, v in answer.headers.items()
                   if k.lower() not in HOP_BY_HOP | {"content-encoding"}}
            out["x-backend"] = str(index)
            return Response(answer.content, status_code=answer.status_code, headers=out)
        return self._bad_gateway(body, "no instance is reachable; retry later")

    @staticmethod
    def _bad_gateway(body: bytes, message: str) -> Response:
        try:
            request_id = json.loads(body).get("id")
        except (ValueError, AttributeError):
            request_id = None
        return JSONResponse({"jsonrpc": "2.0", "id": request_id,
                             "error": {"code": -32603, "message": message}}, status_code=502)

    def start(self) -> RoundRobinProxy:
        self._thread.start()
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError("the proxy did not start")
            threading.Event().wait(0.02)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)

    def __enter__(self) -> RoundRobinProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
