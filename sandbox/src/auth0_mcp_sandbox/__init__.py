"""The sandbox tenant: a local Auth0 emulator (Management API v2 + Authentication API) served
over real HTTP on loopback, for trying auth0-mcp without a tenant and for every test.
The framework serves the Authentication API and the admin endpoints; each family's plugin
contributes its Management API emulator through the ``auth0_mcp_sandbox_routers`` hook.

    from auth0_mcp_sandbox import SandboxServer
    with SandboxServer() as box:
        client_id, secret = box.admin_credentials
        ...  # talk to box.base_url

Names are imported lazily: emulator modules import ``auth0_mcp_sandbox.routing`` and must not
pull in the server (uvicorn) with it.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "SandboxServer": "server", "Faults": "faults", "RateLimit": "ratelimit",
    "mint_access_token": "auth", "verify_access_token": "auth",
    "SandboxTenant": "tenant", "Router": "routing", "ApiError": "routing", "Reply": "routing",
    "SandboxRequest": "routing", "seed_tenant": "seed",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
