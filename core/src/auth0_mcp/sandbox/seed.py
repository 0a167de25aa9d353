"""A fresh tenant: the system Management API, the sandbox's own admin application, the Auth0
CLI's public client for the device flow, then every family's demo data."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .routing import Router
from .tenant import SandboxTenant, iso_now, random_alnum

ADMIN_CLIENT_NAME = "auth0-mcp sandbox admin"
EXTRA_MANAGEMENT_SCOPES = ("read:client_keys", "read:client_credentials", "read:logs_users",
                           "read:users", "update:users", "delete:users", "create:users")


def management_scopes(routers: Iterable[Router]) -> list[str]:
    scopes = {s for r in routers for route in r.routes for s in route.scopes}
    return sorted(scopes | set(EXTRA_MANAGEMENT_SCOPES))


def _client(tenant: SandboxTenant, body: dict[str, Any]) -> dict[str, Any]:
    try:
        from .management.clients import make_client
    except ImportError:  # the clients family is not there: a minimal client still logs in
        client = {"tenant": tenant.name, "client_id": random_alnum(32),
                  "client_secret": random_alnum(64), **body}
        tenant.collection("clients")[client["client_id"]] = client
        return client
    return make_client(tenant, body)


def _system_api(tenant: SandboxTenant, scopes: list[str]) -> None:
    apis = tenant.collection("resource_servers")
    if any(a.get("identifier") == tenant.management_audience for a in apis.values()):
        return
    api_id = tenant.new_id("resource_server")
    apis[api_id] = {
        "id": api_id, "name": "Auth0 Management API", "identifier":
        tenant.management_audience, "allow_offline_access": False,
        "skip_consent_for_verifiable_first_party_clients": False, "token_lifetime": 86400,
        "token_lifetime_for_web": 7200, "signing_alg": "RS256",
        "scopes": [{"value": s, "description": s.replace(":", " ").replace("_", " ").capitalize()}
                   for s in scopes],
        "is_system": True,
    }


def seed_tenant(tenant: SandboxTenant, routers: Iterable[Router], *, demo: bool = True) -> None:
    routers = list(routers)
    scopes = management_scopes(routers)
    _system_api(tenant, scopes)
    admin = _client(tenant, {"name": ADMIN_CLIENT_NAME, "app_type": "non_interactive",
                             "description": "Used by auth0-mcp run --sandbox",
                             "grant_types": ["client_credentials"]})
    grant_id = tenant.new_id("client_grant")
    tenant.collection("client_grants")[grant_id] = {
        "id": grant_id, "client_id": admin["client_id"], "audience": tenant.management_audience,
        "scope": scopes, "subject_type": "client", "created_at": iso_now()}
    from .auth import AUTH0_CLI_CLIENT_ID

    tenant.collection("clients").setdefault(AUTH0_CLI_CLIENT_ID, {
        "tenant": tenant.name, "client_id": AUTH0_CLI_CLIENT_ID, "name": "Auth0 CLI (sandbox)",
        "app_type": "native", "is_first_party": True, "token_endpoint_auth_method": "none",
        "grant_types": ["urn:ietf:params:oauth:grant-type:device_code", "refresh_token"],
        "callbacks": [], "oidc_conformant": True})
    if demo:
        for router in routers:
            for seeder in router.seeders:
                seeder(tenant)
