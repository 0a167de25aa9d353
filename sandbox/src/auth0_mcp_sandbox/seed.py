"""A fresh tenant: the system Management API, the sandbox's own admin application (allowed
every Management scope), the Auth0 CLI's public client for the device flow, then every
installed family's demo data, each after the families it names in ``seed_after``.

Seeding is idempotent: the tenant remembers which routers seeded it, so seeding again (or
with one more family installed) adds only what is missing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from .auth import AUTH0_CLI_CLIENT_ID, DEVICE_GRANT
from .records import make_client, make_client_grant
from .routing import Router
from .schemas import documented_scopes
from .tenant import SandboxTenant

ADMIN_CLIENT_NAME = "auth0-mcp sandbox admin"
CLI_CLIENT_NAME = "Auth0 CLI (sandbox)"
# Real Management API scopes beyond those the emulated routes check, so tokens and the system
# API's scope list look like a real tenant's (and cover secrets: read:client_keys).
EXTRA_MANAGEMENT_SCOPES = (
    "read:clients", "read:client_summary",  # checked inside routes (/clients/{id}/connections)
    "read:client_keys", "update:client_keys", "read:client_credentials",
    "create:client_credentials", "update:client_credentials", "delete:client_credentials",
    "read:users", "create:users", "update:users", "delete:users", "read:users_app_metadata",
    "update:users_app_metadata", "read:roles", "create:roles", "update:roles", "delete:roles",
    "read:connections", "create:connections", "update:connections", "delete:connections",
    "read:organizations", "create:organizations", "update:organizations",
    "delete:organizations", "read:tenant_settings", "update:tenant_settings", "read:stats",
    "read:logs_users", "read:log_streams", "create:log_streams", "update:log_streams",
    "delete:log_streams",
)


def management_scopes(routers: Iterable[Router]) -> list[str]:
    """Every scope the given routers check and every one Auth0 documents, sorted: the admin
    application may call whatever the installed families' emulators (or their handlers'
    own checks) ask for, whichever families are installed."""
    declared = {s for r in routers for route in r.routes for s in route.scopes}
    return sorted(declared | set(EXTRA_MANAGEMENT_SCOPES) | set(documented_scopes()))


def _system_api(tenant: SandboxTenant, scopes: Sequence[str]) -> dict[str, Any]:
    apis = tenant.collection("resource_servers")
    for api in apis.values():
        if api.get("identifier") == tenant.management_audience:
            return api
    api_id = tenant.new_id("resource_server")
    apis[api_id] = {
        "id": api_id, "name": "Auth0 Management API",
        "identifier": tenant.management_audience, "allow_offline_access": False,
        "skip_consent_for_verifiable_first_party_clients": False, "token_lifetime": 86400,
        "token_lifetime_for_web": 7200, "signing_alg": "RS256",
        "scopes": [{"value": s, "description": s.replace(":", " ").replace("_", " ").capitalize()}
                   for s in scopes],
        "is_system": True,
    }
    return apis[api_id]


def admin_client(tenant: SandboxTenant) -> dict[str, Any]:
    """The seeded machine-to-machine application ``auth0-mcp run --sandbox`` logs in as."""
    for client in tenant.collection("clients").values():
        if client.get("name") == ADMIN_CLIENT_NAME:
            return client
    raise LookupError(f"the sandbox's {ADMIN_CLIENT_NAME!r} application was deleted")


def _cli_client(tenant: SandboxTenant) -> None:
    """The Auth0 CLI's public client, under its real id, so device logins work unchanged."""
    clients = tenant.collection("clients")
    if AUTH0_CLI_CLIENT_ID in clients:
        return
    client = make_client(tenant, {
        "name": CLI_CLIENT_NAME, "app_type": "native", "token_endpoint_auth_method": "none",
        "description": "The public client the Auth0 CLI and auth0-mcp log in with (device flow)",
        "grant_types": [DEVICE_GRANT, "refresh_token"], "callbacks": []})
    stored = clients.pop(client["client_id"])
    clients[AUTH0_CLI_CLIENT_ID] = {**stored, "client_id": AUTH0_CLI_CLIENT_ID}


def seed_order(routers: Iterable[Router]) -> list[Router]:
    """``routers`` with each one after those it names in ``seed_after`` (names not installed
    are ignored); otherwise in the given order. A cycle is a plugin bug: ValueError."""
    pending = list(routers)
    names = {r.name for r in pending}
    done: set[str] = set()
    ordered: list[Router] = []
    while pending:
        ready = next((r for r in pending
                      if all(d in done or d not in names or d == r.name for d in r.seed_after)),
                     None)
        if ready is None:
            cycle = ", ".join(f"{r.name} after {'/'.join(r.seed_after)}" for r in pending)
            raise ValueError(f"sandbox routers' seed_after form a cycle: {cycle}")
        pending.remove(ready)
        ordered.append(ready)
        done.add(ready.name)
    return ordered


def seed_tenant(tenant: SandboxTenant, routers: Iterable[Router], *, demo: bool = True) -> None:
    """Seed a tenant with what logging in needs, then (unless ``demo=False``, ``--empty``) the
    demo data of each router that has not seeded it yet."""
    routers = list(routers)
    scopes = management_scopes(routers)
    _system_api(tenant, scopes)
    try:
        admin = admin_client(tenant)
    except LookupError:
        admin = make_client(tenant, {
            "name": ADMIN_CLIENT_NAME, "app_type": "non_interactive",
            "description": "Used by auth0-mcp run --sandbox and the sandbox's tests",
            "grant_types": ["client_credentials"]})
        make_client_grant(tenant, {"client_id": admin["client_id"],
                                   "audience": tenant.management_audience, "scope": scopes})
    _cli_client(tenant)
    if demo:
        for router in seed_order(routers):
            if router.name in tenant.seeded:
                continue
            for seeder in router.seeders:
                seeder(tenant)
            tenant.seeded.append(router.name)
