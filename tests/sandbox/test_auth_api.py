"""The sandbox's Authentication API over real HTTP: device flow, client credentials, refresh
rotation, revocation, discovery and JWKS."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import jwt
import pytest

from auth0_mcp_sandbox.auth import AUTH0_CLI_CLIENT_ID
from auth0_mcp_sandbox.server import SandboxServer

DEVICE = "urn:ietf:params:oauth:grant-type:device_code"


@pytest.fixture(scope="module")
def box() -> Iterator[SandboxServer]:
    with SandboxServer(empty=True) as server:
        server.tenant.auth["device_interval"] = 0
        yield server


def start_device(box: SandboxServer, scope: str = "read:clients offline_access") -> dict:
    response = httpx.post(f"{box.base_url}/oauth/device/code", data={
        "client_id": AUTH0_CLI_CLIENT_ID, "scope": scope,
        "audience": "https://*.auth0.com/api/v2/"})
    assert response.status_code == 200
    body = response.json()
    assert body["verification_uri_complete"].endswith(body["user_code"])
    return body


def poll(box: SandboxServer, code: str) -> httpx.Response:
    return httpx.post(f"{box.base_url}/oauth/token", data={
        "grant_type": DEVICE, "device_code": code, "client_id": AUTH0_CLI_CLIENT_ID})


def test_device_flow_approved_then_refresh_rotates_and_revoke_works(box: SandboxServer):
    flow = start_device(box)
    pending = poll(box, flow["device_code"])
    assert pending.status_code == 403 and pending.json()["error"] == "authorization_pending"
    assert httpx.get(flow["verification_uri_complete"]).status_code == 200  # the approve page
    assert httpx.post(f"{box.base_url}/sandbox/device", json={
        "user_code": flow["user_code"], "action": "approve"}).status_code == 200
    tokens = poll(box, flow["device_code"]).json()
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    assert claims["aud"] == f"{box.base_url}/api/v2/" and "read:clients" in claims["scope"]
    first = tokens["refresh_token"]
    refreshed = httpx.post(f"{box.base_url}/oauth/token", data={
        "grant_type": "refresh_token", "refresh_token": first,
        "client_id": AUTH0_CLI_CLIENT_ID}).json()
    assert refreshed["refresh_token"] != first
    reused = httpx.post(f"{box.base_url}/oauth/token", data={
        "grant_type": "refresh_token", "refresh_token": first, "client_id": AUTH0_CLI_CLIENT_ID})
    assert reused.status_code == 403 and reused.json()["error"] == "invalid_grant"
    httpx.post(f"{box.base_url}/oauth/revoke", json={"client_id": AUTH0_CLI_CLIENT_ID,
                                                     "token": refreshed["refresh_token"]})
    revoked = httpx.post(f"{box.base_url}/oauth/token", data={
        "grant_type": "refresh_token", "refresh_token": refreshed["refresh_token"],
        "client_id": AUTH0_CLI_CLIENT_ID})
    assert revoked.status_code == 403


def test_device_flow_denied_expired_and_slow_down(box: SandboxServer):
    denied = start_device(box)
    assert box.deny_device(denied["user_code"])
    answer = poll(box, denied["device_code"])
    assert answer.status_code == 403 and answer.json()["error"] == "access_denied"

    box.tenant.auth["device_expires_in"] = -1
    try:
        expired = start_device(box)
    finally:
        box.tenant.auth.pop("device_expires_in")
    first, second = poll(box, expired["device_code"]), poll(box, expired["device_code"])
    assert first.json()["error"] == "expired_token" and second.json()["error"] == "invalid_grant"

    box.tenant.auth["device_interval"] = 5
    try:
        slow = start_device(box)
        assert poll(box, slow["device_code"]).json()["error"] == "authorization_pending"
        too_fast = poll(box, slow["device_code"])
        assert too_fast.status_code == 429 and too_fast.json()["error"] == "slow_down"
    finally:
        box.tenant.auth["device_interval"] = 0


def test_client_credentials_and_its_errors(box: SandboxServer):
    client_id, secret = box.admin_credentials
    ok = httpx.post(f"{box.base_url}/oauth/token", data={
        "grant_type": "client_credentials", "client_id": client_id, "client_secret": secret,
        "audience": f"{box.base_url}/api/v2/"})
    assert list(ok.json()) == ["access_token", "scope", "expires_in", "token_type"]
    bad = httpx.post(f"{box.base_url}/oauth/token", data={
        "grant_type": "client_credentials", "client_id": client_id, "client_secret": "wrong",
        "audience": f"{box.base_url}/api/v2/"})
    assert bad.status_code == 401 and bad.json() == {"error": "access_denied",
                                                     "error_description": "Unauthorized"}
    no_api = httpx.post(f"{box.base_url}/oauth/token", data={
        "grant_type": "client_credentials", "client_id": client_id, "client_secret": secret,
        "audience": "https://nothing.example.com/"})
    assert no_api.status_code == 403 and "Service not found" in no_api.json()[
        "error_description"]
    box.tenant.collection("resource_servers")["5f0000000000000000000001"] = {
        "id": "5f0000000000000000000001", "name": "Orders", "identifier":
        "https://api.example.com/", "signing_alg": "RS256", "scopes": []}
    no_grant = httpx.post(f"{box.base_url}/oauth/token", data={
        "grant_type": "client_credentials", "client_id": client_id, "client_secret": secret,
        "audience": "https://api.example.com/"})
    assert no_grant.status_code == 403 and "client-grant" in no_grant.json()[
        "error_description"]


def test_discovery_and_jwks_verify_minted_tokens(box: SandboxServer):
    discovery = httpx.get(f"{box.base_url}/.well-known/openid-configuration").json()
    assert discovery["issuer"] == box.issuer_url
    keys = httpx.get(discovery["jwks_uri"]).json()["keys"]
    token = box.mint_token(["read:logs"])
    key = jwt.PyJWK.from_dict(keys[0]).key
    claims = jwt.decode(token, key, algorithms=["RS256"], audience=f"{box.base_url}/api/v2/",
                        issuer=box.issuer_url)
    assert claims["permissions"] == ["read:logs"]
