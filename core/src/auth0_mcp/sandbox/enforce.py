"""Cross-cutting sandbox behaviour applied to every route (owner: the sandbox-core work).

INTERFACE (used by app.py, keep it):
    gate.admit(request, route, headers) -> claims      may raise ApiError (401/403/429/faults)
    gate.after_success(req, route, reply) -> None      sapi log events, state persistence
    gate.finish(response, route) -> response           rate-limit headers, malformed-body faults
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from .routing import Reply, Route, SandboxRequest
from .tenant import SandboxTenant


class Gatekeeper:
    """Development placeholder until the sandbox-core work lands: admits everything."""

    def __init__(self, tenant: SandboxTenant) -> None:
        self.tenant = tenant

    async def admit(self, request: Request, route: Route, headers: dict[str, str]) -> dict[str, Any]:
        return {}

    def after_success(self, req: SandboxRequest, route: Route, reply: Reply) -> None:
        return None

    def finish(self, response: Response, route: Route) -> Response:
        return response
