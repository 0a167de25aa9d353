"""Unauthenticated admin endpoints under ``/sandbox/`` for tests and benchmarks (loopback only,
like the sandbox itself): faults, token minting, statistics."""

from __future__ import annotations

from typing import Any

import attrs

from .enforce import Faults, Gatekeeper
from .keys import mint_access_token
from .routing import ApiError, Router, SandboxRequest


def admin_router(gate: Gatekeeper) -> Router:
    router = Router("sandbox-admin")

    @router.route("POST", "/sandbox/faults", authenticated=False)
    def set_faults(req: SandboxRequest) -> dict[str, Any]:
        body = req.json_object()
        names = {f.name for f in attrs.fields(Faults)}
        unknown = sorted(set(body) - names)
        if unknown:
            raise ApiError(400, f"unknown fault settings: {', '.join(unknown)}", "invalid_body")
        gate.faults = attrs.evolve(gate.faults, **body) if body else Faults()
        return attrs.asdict(gate.faults, filter=lambda a, _v: not a.name.startswith("_"))

    @router.route("POST", "/sandbox/tokens", authenticated=False)
    def tokens(req: SandboxRequest) -> dict[str, Any]:
        body = req.json_object()
        token = mint_access_token(req.tenant, sub=body.get("sub", "sandbox|tests"),
                                  scopes=body.get("scopes", []),
                                  audience=body.get("audience"),
                                  expires_in=int(body.get("expires_in", 3600)))
        return {"access_token": token, "token_type": "Bearer"}

    @router.route("GET", "/sandbox/stats", authenticated=False)
    def stats(req: SandboxRequest) -> dict[str, Any]:
        return {"requests": gate.requests, "logs": len(req.tenant.logs),
                "collections": {k: len(v) for k, v in req.tenant.collections.items()}}

    return router
