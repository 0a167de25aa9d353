"""The objects logging in rests on: applications (``clients``) and client grants, built with
the defaults Auth0 fills in on create.

They live in the framework, not in the applications family's emulator, because the
Authentication API (client credentials, device flow) and the seeded admin application need them
whichever families are installed; the applications plugin serves them over ``/api/v2``.
Neither function validates its body: callers do (the emulator through the request schemas).
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from .routing import ApiError
from .tenant import SandboxTenant, random_alnum

GRANTS = {
    "spa": ["authorization_code", "implicit", "refresh_token"],
    "native": ["authorization_code", "implicit", "refresh_token"],
    "regular_web": ["authorization_code", "implicit", "refresh_token", "client_credentials"],
    "non_interactive": ["client_credentials"],
}


def _certificate(client_id: str) -> str:
    """A certificate-shaped public value (never a private key, unlike 2018-era Auth0)."""
    digest = hashlib.sha512(client_id.encode()).digest() * 8
    body = base64.b64encode(digest).decode()
    lines = "\r\n".join(body[i:i + 64] for i in range(0, len(body), 64))
    return f"-----BEGIN CERTIFICATE-----\r\n{lines}\r\n-----END CERTIFICATE-----"


def merge(stored: dict[str, Any], changes: dict[str, Any]) -> None:
    """Auth0's PATCH on applications: objects merge shallowly, anything else is replaced."""
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(stored.get(key), dict):
            stored[key] = {**stored[key], **value}
        else:
            stored[key] = value


def make_client(tenant: SandboxTenant, body: dict[str, Any]) -> dict[str, Any]:
    """Create, store and return a client with Auth0's defaults (including its secret); the
    answer carries ``encrypted``, which only Auth0's create answer has."""
    client_id = random_alnum(32)
    app_type = body.get("app_type")
    client: dict[str, Any] = {
        "tenant": tenant.name, "global": False, "is_token_endpoint_ip_header_trusted": False,
        **({"description": body["description"]} if "description" in body else {}),
        "name": body["name"], "is_first_party": True, "sso_disabled": False,
        "cross_origin_auth": False, "oidc_conformant": True,
        "refresh_token": {"expiration_type": "non-expiring", "leeway": 0,
                          "infinite_token_lifetime": True, "infinite_idle_token_lifetime": True,
                          "token_lifetime": 2592000, "idle_token_lifetime": 1296000,
                          "rotation_type": "non-rotating"},
        "encrypted": True,
        "signing_keys": [{"cert": _certificate(client_id),
                          "pkcs7": _certificate(client_id).replace("CERTIFICATE", "PKCS7"),
                          "subject": f"/CN={tenant.name}"}],
        "client_id": client_id, "callback_url_template": False,
        "client_secret": random_alnum(64),
        "jwt_configuration": {"alg": "RS256", "lifetime_in_seconds": 36000,
                              "secret_encoded": False},
        "grant_types": list(GRANTS.get(app_type or "", GRANTS["regular_web"])),
        "custom_login_page_on": True,
    }
    if app_type in ("spa", "native"):
        client["token_endpoint_auth_method"] = "none"
    elif app_type:
        client["token_endpoint_auth_method"] = "client_secret_post"
    merge(client, body)
    tenant.collection("clients")[client_id] = {k: v for k, v in client.items()
                                               if k != "encrypted"}
    return client


def make_client_grant(tenant: SandboxTenant, body: dict[str, Any]) -> dict[str, Any]:
    """Create, store and return a grant, refusing an unknown client or API and a second grant
    for the same pair as Auth0 does."""
    client_id = body.get("client_id")  # optional for a default grant (``default_for``)
    if client_id is not None and client_id not in tenant.collection("clients"):
        raise ApiError(404, "Client not found", "inexistent_client")
    if not any(a.get("identifier") == body["audience"]
               for a in tenant.collection("resource_servers").values()):
        raise ApiError(404, "Resource server not found", "inexistent_resource_server")
    grants = tenant.collection("client_grants")
    if client_id is not None and any(g.get("client_id") == client_id
                                     and g["audience"] == body["audience"]
                                     for g in grants.values()):
        raise ApiError(409, "A client grant for this client and audience already exists.",
                       "conflict")
    grant = {"id": tenant.new_id("client_grant"),
             **({"client_id": client_id} if client_id is not None else {}),
             "audience": body["audience"], "scope": list(body.get("scope") or []),
             **{k: v for k, v in body.items() if k not in ("client_id", "audience", "scope")}}
    grant.setdefault("subject_type", "client")
    grants[grant["id"]] = grant
    return grant
