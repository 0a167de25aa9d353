"""The Authentication API over real HTTP: client credentials, the device flow (approved,
denied, expired, slow_down), rotating refresh tokens, revocation, discovery and JWKS."""

from __future__ import annotations

import re
from typing import Any

import httpx
import jwt
import pytest

from auth0_mcp_sandbox.auth import AUTH0_CLI_CLIENT_ID, DEVICE_GRANT
from auth0_mcp_sandbox.server import SandboxServer


def verified(box: SandboxServer, http: httpx.Client, token: str, audience: str) -> dict[str, Any]:
    """Claims of ``token``, verified the way an outside client would: with the JWKS."""
    keys = http.get("/.well-known/jwks.json").json()["keys"]
    kid = jwt.get_unverified_header(token)["kid"]
    key = jwt.PyJWK(next(k for k in keys if k["kid"] == kid))
    return jwt.decode(token, key.key, algorithms=["RS256"], audience=audience,
                      issuer=f"{box.base_url}/")


def cc_form(box: SandboxServer, **extra: str) -> dict[str, str]:
    client_id, secret = box.admin_credentials
    return {"grant_type": "client_credentials", "client_id": client_id,
            "client_secret": secret, "audience": f"{box.base_url}/api/v2/", **extra}


def start_device(http: httpx.Client, scope: str = "openid read:clients offline_access",
                 **extra: str) -> dict[str, Any]:
    response = http.post("/oauth/device/code", data={"client_id": AUTH0_CLI_CLIENT_ID,
                                                      "scope": scope, **extra})
    assert response.status_code == 200, response.text
    return response.json()


def poll(http: httpx.Client, device_code: str, client_id: str = AUTH0_CLI_CLIENT_ID
         ) -> httpx.Response:
    return http.post("/oauth/token", data={"grant_type": DEVICE_GRANT,
                                           "device_code": device_code, "client_id": client_id})


def oauth_error(response: httpx.Response) -> tuple[int, str, str]:
    body = response.json()
    assert set(body) == {"error", "error_description"}, body
    return response.status_code, body["error"], body["error_description"]


# --- client credentials ---------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["json", "data"])
def test_client_credentials_answers_like_auth0(box, http, encoding):
    response = http.post("/oauth/token", **{encoding: cc_form(box)})
    assert response.status_code == 200, response.text
    body = response.json()
    assert list(body) == ["access_token", "scope", "expires_in", "token_type"]
    assert body["token_type"] == "Bearer" and body["expires_in"] == 86400
    assert response.headers["cache-control"] == "no-store"
    client_id = box.admin_credentials[0]
    claims = verified(box, http, body["access_token"], f"{box.base_url}/api/v2/")
    assert claims["sub"] == f"{client_id}@clients"
    assert claims["azp"] == client_id and claims["gty"] == "client-credentials"
    assert claims["exp"] - claims["iat"] == 86400
    assert claims["scope"] == body["scope"]
    assert {"read:clients", "create:actions", "read:logs"} <= set(claims["scope"].split())
    assert claims["permissions"] == claims["scope"].split()
    assert http.get("/api/v2/clients", headers={
        "authorization": f"Bearer {body['access_token']}"}).status_code == 200


def test_client_credentials_with_basic_auth_and_narrower_scope(box, http):
    form = cc_form(box, scope="read:clients read:logs")
    client_id, secret = form.pop("client_id"), form.pop("client_secret")
    response = http.post("/oauth/token", data=form, auth=(client_id, secret))
    assert response.status_code == 200, response.text
    assert response.json()["scope"] == "read:clients read:logs"


@pytest.mark.parametrize("change", [{"client_secret": "wrong"}, {"client_id": "nobody"},
                                    {"client_secret": ""}])
def test_bad_client_credentials_are_unauthorized(box, http, change):
    response = http.post("/oauth/token", data={**cc_form(box), **change})
    assert oauth_error(response) == (401, "access_denied", "Unauthorized")


def test_a_public_client_cannot_use_client_credentials(box, http):
    form = {**cc_form(box), "client_id": AUTH0_CLI_CLIENT_ID, "client_secret": ""}
    assert oauth_error(http.post("/oauth/token", data=form))[:2] == (401, "access_denied")


def test_client_credentials_need_a_client_grant(box, http, bearer):
    audience = "https://grantless.example.com/"
    created = http.post("/api/v2/resource-servers", json={"name": "Grantless",
                                                          "identifier": audience},
                        headers=bearer(["create:resource_servers"]))
    assert created.status_code == 201, created.text
    status, error, message = oauth_error(http.post("/oauth/token",
                                                   data=cc_form(box, audience=audience)))
    assert (status, error) == (403, "access_denied")
    assert message.startswith(f'Client is not authorized to access "{audience}". You need to '
                              'create a "client-grant" associated to this API.')


def test_unknown_or_missing_audience(box, http):
    unknown = http.post("/oauth/token", data=cc_form(box, audience="https://nope.example/"))
    assert oauth_error(unknown) == (403, "access_denied", "Service not found: "
                                                          "https://nope.example/")
    form = cc_form(box)
    del form["audience"]
    assert oauth_error(http.post("/oauth/token", data=form))[:2] == (403, "access_denied")


def test_grants_the_sandbox_does_not_emulate_are_refused(box, http):
    response = http.post("/oauth/token", data={**cc_form(box), "grant_type": "password",
                                               "username": "a", "password": "b"})
    assert oauth_error(response) == (403, "unauthorized_client",
                                     "Grant type 'password' not allowed for the client.")


@pytest.mark.parametrize("content,ctype", [(b"{not json", "application/json"),
                                           (b"", "application/json")])
def test_unreadable_token_requests_are_oauth_errors(http, content, ctype):
    response = http.post("/oauth/token", content=content, headers={"content-type": ctype})
    assert oauth_error(response)[:2] == (400, "invalid_request")


# --- the device flow ----------------------------------------------------------------------------


def test_device_code_response(box, http):
    body = start_device(http)
    assert list(body) == ["device_code", "user_code", "verification_uri", "expires_in",
                          "interval", "verification_uri_complete"]
    assert re.fullmatch(r"[B-DF-HJ-NP-TV-XZ]{4}-[B-DF-HJ-NP-TV-XZ]{4}", body["user_code"])
    assert body["verification_uri"] == f"{box.base_url}/activate"
    assert body["verification_uri_complete"] == (f"{box.base_url}/activate?user_code="
                                                 f"{body['user_code']}")
    assert (body["expires_in"], body["interval"]) == (900, 0)


def test_device_flow_approved_in_the_browser(box, http):
    started = start_device(http, audience="https://*.auth0.com/api/v2/")
    pending = poll(http, started["device_code"])
    assert oauth_error(pending) == (403, "authorization_pending",
                                    "User has yet to authorize device code.")
    page = http.get("/activate", params={"user_code": started["user_code"]})
    assert page.headers["content-type"].startswith("text/html")
    assert started["user_code"] in page.text and "Approve" in page.text
    decided = http.post("/sandbox/device", json={"user_code": started["user_code"],
                                                 "action": "approve"})
    assert decided.json() == {"user_code": started["user_code"], "status": "approved"}

    response = poll(http, started["device_code"])
    assert response.status_code == 200, response.text
    body = response.json()
    assert {"access_token", "refresh_token", "id_token", "scope", "expires_in",
            "token_type"} == set(body)
    assert body["scope"] == "openid read:clients offline_access"
    management = f"{box.base_url}/api/v2/"
    claims = verified(box, http, body["access_token"], management)
    assert claims["aud"] == [management, f"{box.base_url}/userinfo"]
    assert re.fullmatch(r"auth0\|[0-9a-f]{24}", claims["sub"])
    assert claims["scope"] == "openid read:clients"
    assert claims["permissions"] == ["read:clients"]
    assert claims["azp"] == AUTH0_CLI_CLIENT_ID and "gty" not in claims
    identity = verified(box, http, body["id_token"], AUTH0_CLI_CLIENT_ID)
    assert identity["sub"] == claims["sub"]
    headers = {"authorization": f"Bearer {body['access_token']}"}
    assert http.get("/api/v2/clients", headers=headers).status_code == 200
    assert http.get("/api/v2/logs", headers=headers).status_code == 403
    # a device code is good for one login
    assert oauth_error(poll(http, started["device_code"]))[:2] == (403, "invalid_grant")


def test_device_flow_grants_only_known_or_approved_scopes(box, http):
    started = start_device(http, scope="read:clients read:logs read:nonsense")
    assert box.approve_device(started["user_code"].lower().replace("-", ""),
                              scopes=["read:logs"])
    body = poll(http, started["device_code"]).json()
    assert body["scope"] == "read:logs" and "refresh_token" not in body
    assert "id_token" not in body  # no openid: no ID token, and the API is the only audience
    assert verified(box, http, body["access_token"], f"{box.base_url}/api/v2/")["aud"] == (
        f"{box.base_url}/api/v2/")
    other = start_device(http, scope="read:clients read:nonsense")
    box.approve_device(other["user_code"])
    assert poll(http, other["device_code"]).json()["scope"] == "read:clients"


def test_device_flow_denied(box, http):
    started = start_device(http)
    assert box.deny_device(started["user_code"])
    assert oauth_error(poll(http, started["device_code"])) == (
        403, "access_denied", "User cancelled the confirmation prompt.")
    assert oauth_error(poll(http, started["device_code"]))[:2] == (403, "invalid_grant")
    assert not box.approve_device(started["user_code"])


def test_device_code_expires_once_then_is_unknown(box, http):
    box.set_device_timings(interval=0, expires_in=0)
    started = start_device(http)
    assert started["expires_in"] == 0
    assert oauth_error(poll(http, started["device_code"]))[:2] == (403, "expired_token")
    assert oauth_error(poll(http, started["device_code"]))[:2] == (403, "invalid_grant")
    refused = http.post("/sandbox/device", json={"user_code": started["user_code"],
                                                 "action": "approve"})
    assert refused.status_code == 404


def test_polling_faster_than_the_interval_slows_down(box, http):
    box.set_device_timings(interval=5)
    started = start_device(http)
    assert started["interval"] == 5
    assert oauth_error(poll(http, started["device_code"]))[1] == "authorization_pending"
    assert oauth_error(poll(http, started["device_code"])) == (
        429, "slow_down", "You are polling faster than the specified interval of 5 seconds.")
    assert oauth_error(poll(http, started["device_code"]))[2].endswith("interval of 10 seconds.")
    box.approve_device(started["user_code"])  # approval is answered however fast one polls
    assert poll(http, started["device_code"]).status_code == 200


def test_device_flow_for_another_application(box, http, bearer):
    headers = bearer(["create:clients"])
    native = http.post("/api/v2/clients", headers=headers, json={
        "name": "TV app", "app_type": "native", "grant_types": [DEVICE_GRANT, "refresh_token"]})
    web = http.post("/api/v2/clients", headers=headers, json={"name": "Web", "app_type":
                                                             "regular_web"})
    assert native.status_code == web.status_code == 201
    tv = native.json()["client_id"]
    started = start_device(http, scope="read:clients", client_id=tv)
    box.approve_device(started["user_code"])
    assert poll(http, started["device_code"], tv).status_code == 200
    refused = http.post("/oauth/device/code", data={"client_id": web.json()["client_id"]})
    assert oauth_error(refused)[:2] == (403, "unauthorized_client")
    unknown = http.post("/oauth/device/code", data={"client_id": "nobody"})
    assert oauth_error(unknown) == (401, "access_denied", "Unauthorized")


def test_device_decision_endpoint_checks_its_input(http):
    assert http.post("/sandbox/device", json={"user_code": "BCDF-GHJK"}).status_code == 400
    missing = http.post("/sandbox/device", json={"user_code": "BCDF-GHJK", "action": "deny"})
    assert missing.status_code == 404


def test_the_auth0_cli_client_is_seeded(box):
    cli = box.tenant.collection("clients")[AUTH0_CLI_CLIENT_ID]
    assert cli["name"] == "Auth0 CLI (sandbox)"
    assert cli["app_type"] == "native" and cli["token_endpoint_auth_method"] == "none"
    assert DEVICE_GRANT in cli["grant_types"]


# --- refresh tokens and revocation --------------------------------------------------------------


def logged_in(box: SandboxServer, http: httpx.Client,
              scope: str = "read:clients read:logs offline_access") -> dict[str, Any]:
    started = start_device(http, scope=scope)
    box.approve_device(started["user_code"])
    response = poll(http, started["device_code"])
    assert response.status_code == 200, response.text
    return response.json()


def use_refresh(http: httpx.Client, token: str, **extra: str) -> httpx.Response:
    return http.post("/oauth/token", data={"grant_type": "refresh_token", "refresh_token": token,
                                           "client_id": AUTH0_CLI_CLIENT_ID, **extra})


def test_refresh_tokens_rotate_and_reuse_revokes_the_family(box, http):
    first = logged_in(box, http)["refresh_token"]
    response = use_refresh(http, first)
    assert response.status_code == 200, response.text
    body = response.json()
    second = body["refresh_token"]
    assert second != first
    assert body["scope"] == "read:clients read:logs offline_access"
    claims = verified(box, http, body["access_token"], f"{box.base_url}/api/v2/")
    assert claims["scope"] == "read:clients read:logs"
    # reusing the retired token fails, and (reuse detection) retires its successor too
    assert oauth_error(use_refresh(http, first)) == (403, "invalid_grant",
                                                     "Unknown or invalid refresh token.")
    assert oauth_error(use_refresh(http, second))[:2] == (403, "invalid_grant")


def test_refresh_with_a_narrower_scope(box, http):
    token = logged_in(box, http)["refresh_token"]
    narrowed = use_refresh(http, token, scope="read:logs")
    assert narrowed.status_code == 200
    claims = verified(box, http, narrowed.json()["access_token"], f"{box.base_url}/api/v2/")
    assert claims["scope"] == "read:logs"
    wider = use_refresh(http, narrowed.json()["refresh_token"], scope="read:logs delete:clients")
    assert oauth_error(wider)[:2] == (403, "access_denied")


def test_refresh_token_of_another_client_is_invalid(box, http):
    token = logged_in(box, http)["refresh_token"]
    client_id, secret = box.admin_credentials
    response = use_refresh(http, token, client_id=client_id, client_secret=secret)
    assert oauth_error(response)[:2] in {(403, "invalid_grant"), (403, "unauthorized_client")}


def test_revoked_refresh_tokens_stop_working(box, http):
    token = logged_in(box, http)["refresh_token"]
    response = http.post("/oauth/revoke", json={"client_id": AUTH0_CLI_CLIENT_ID,
                                                "token": token})
    assert response.status_code == 200 and response.content == b""
    assert oauth_error(use_refresh(http, token))[:2] == (403, "invalid_grant")
    again = http.post("/oauth/revoke", json={"client_id": AUTH0_CLI_CLIENT_ID, "token": token})
    assert again.status_code == 200  # revoking an unknown token is not an error
    missing = http.post("/oauth/revoke", json={"client_id": AUTH0_CLI_CLIENT_ID})
    assert oauth_error(missing)[:2] == (400, "invalid_request")


def test_refresh_tokens_are_stored_hashed(box, http):
    token = logged_in(box, http)["refresh_token"]
    assert token not in str(box.tenant.snapshot())


# --- discovery ----------------------------------------------------------------------------------


def test_jwks_publishes_the_signing_key(box, http):
    response = http.get("/.well-known/jwks.json")
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["cache-control"].startswith("public, max-age=15")
    (key,) = response.json()["keys"]
    assert list(key) == ["alg", "kty", "use", "n", "e", "kid", "x5t", "x5c"]
    assert (key["alg"], key["kty"], key["use"], key["e"]) == ("RS256", "RSA", "sig", "AQAB")
    token = box.mint_token(["read:clients"])
    assert jwt.get_unverified_header(token) == {"alg": "RS256", "kid": key["kid"], "typ": "JWT"}
    claims = verified(box, http, token, f"{box.base_url}/api/v2/")
    assert claims["scope"] == "read:clients"


def test_openid_configuration_points_at_the_sandbox(box, http):
    body = http.get("/.well-known/openid-configuration").json()
    assert body["issuer"] == f"{box.base_url}/"
    for name in ("token_endpoint", "device_authorization_endpoint", "jwks_uri",
                 "revocation_endpoint"):
        assert body[name].startswith(box.base_url)
    assert http.get(body["jwks_uri"].removeprefix(box.base_url)).status_code == 200
    assert list(body)[:3] == ["issuer", "authorization_endpoint", "token_endpoint"]
