"""The sandbox's own endpoints under ``/sandbox/`` for tests, benchmarks and people trying
things out: set faults and the rate-limit budget, mint a token with chosen scopes, read
statistics. They need no token (the sandbox only listens on loopback) and are exempt from
faults and rate limits, so a test can always switch a 429 storm off again.

Approving a device login (``POST /sandbox/device``) lives with the device flow in auth.py.
"""

from __future__ import annotations

from typing import Any

from .auth import mint_access_token
from .enforce import Gatekeeper
from .faults import Faults
from .routing import ApiError, Router, SandboxRequest
from .seed import admin_client


def _number(body: dict[str, Any], name: str, default: float, *, minimum: float = 0) -> float:
    value = body.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
        raise ApiError(400, f"{name} must be a number >= {minimum}", "invalid_body")
    return value


def admin_router(gate: Gatekeeper) -> Router:
    router = Router("sandbox-admin")

    def route(method: str, path: str):
        return router.route(method, path, authenticated=False)

    @route("POST", "/sandbox/faults")
    def set_faults(req: SandboxRequest) -> dict[str, Any]:
        """Replace every fault setting (``{}`` switches them all off)."""
        try:
            gate.faults = Faults.from_settings(req.json_object())
        except ValueError as exc:
            raise ApiError(400, str(exc), "invalid_body") from None
        return gate.faults.settings()

    @route("GET", "/sandbox/faults")
    def get_faults(req: SandboxRequest) -> dict[str, Any]:
        return gate.faults.settings()

    @route("POST", "/sandbox/rate-limit")
    def set_rate_limit(req: SandboxRequest) -> dict[str, Any]:
        """New budget for every API: ``{"limit": 10, "per_second": 2}``; buckets start full."""
        body = req.json_object()
        limit = int(_number(body, "limit", gate.rate_limit.limit, minimum=1))
        per_second = _number(body, "per_second", gate.rate_limit.per_second)
        gate.rate_limit.configure(limit, per_second)
        return {"limit": limit, "per_second": per_second}

    @route("POST", "/sandbox/tokens")
    def tokens(req: SandboxRequest) -> dict[str, Any]:
        """A Management API token with the given scopes, as if the sandbox admin application
        had asked for it (``expires_in`` may be negative: an already expired token)."""
        body = req.json_object()
        scopes = body.get("scopes", [])
        if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
            raise ApiError(400, "scopes must be a list of strings", "invalid_body")
        expires_in = int(_number(body, "expires_in", 3600, minimum=-10**9))
        client_id = str(body.get("client_id") or admin_client(req.tenant)["client_id"])
        token = mint_access_token(req.tenant, sub=str(body.get("sub") or f"{client_id}@clients"),
                                  scopes=scopes, audience=body.get("audience"),
                                  expires_in=expires_in, azp=client_id,
                                  grant_type="client-credentials")
        return {"access_token": token, "scope": " ".join(scopes), "expires_in": expires_in,
                "token_type": "Bearer"}

    @route("GET", "/sandbox/stats")
    def stats(req: SandboxRequest) -> dict[str, Any]:
        return {**gate.stats(), "logs": len(req.tenant.logs),
                "collections": {k: len(v) for k, v in req.tenant.collections.items()},
                "faults": gate.faults.settings(),
                "rate_limit": {"limit": gate.rate_limit.limit,
                               "per_second": gate.rate_limit.per_second}}

    return router
