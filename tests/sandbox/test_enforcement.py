"""What wraps every route: bearer tokens (401/400 variants), scopes (403), rate limits (headers,
429 once the budget is spent), each injected fault, sapi log events and Server-Timing."""

from __future__ import annotations

import json
import time

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from auth0_mcp_sandbox.server import SandboxServer, plugin_routers

TOO_MANY = {"statusCode": 429, "error": "Too Many Requests",
            "message": "Global limit has been reached", "errorCode": "too_many_requests"}


def route_scopes(method: str, path: str) -> tuple[str, ...]:
    return next(r.scopes for router in plugin_routers() for r in router.routes
                if (r.method, r.path) == (method, path))


def unauthorized(message: str) -> dict[str, object]:
    return {"statusCode": 401, "error": "Unauthorized", "message": message,
            "attributes": {"error": message}}


# --- bearer tokens --------------------------------------------------------------------------


def test_missing_token(http):
    response = http.get("/api/v2/clients")
    assert response.status_code == 401
    assert response.json() == {"statusCode": 401, "error": "Unauthorized",
                               "message": "Missing authentication"}
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("header", ["Bearer", "Basic dXNlcjpwYXNz", "Token a.b.c",
                                    "Bearer not-a-jwt", "Bearer a.b.c d"])
def test_malformed_authorization_header(http, header):
    response = http.get("/api/v2/clients", headers={"authorization": header})
    assert response.status_code == 400
    assert response.json() == {"statusCode": 400, "error": "Bad Request",
                               "message": "Bad HTTP authentication header format",
                               "errorCode": "Bearer"}


def test_garbage_token_is_invalid(http):
    response = http.get("/api/v2/clients", headers={"authorization": "Bearer aaa.bbb.ccc"})
    assert response.status_code == 401
    assert response.json() == unauthorized("Invalid token")


def test_expired_token(http, bearer):
    response = http.get("/api/v2/clients", headers=bearer(["read:clients"], expires_in=-60))
    assert response.status_code == 401
    assert response.json() == unauthorized("Expired token received for JSON Web Token "
                                           "validation")


def test_token_signed_with_another_key(box, http):
    token = box.mint_token(["read:clients"])
    claims = jwt.decode(token, options={"verify_signature": False})
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    kid = jwt.get_unverified_header(token)["kid"]
    forged = jwt.encode(claims, other, algorithm="RS256", headers={"kid": kid})
    for candidate in (forged, jwt.encode(claims, other, algorithm="RS256",
                                         headers={"kid": "another-key"})):
        response = http.get("/api/v2/clients", headers={"authorization": f"Bearer {candidate}"})
        assert response.status_code == 401
        assert response.json() == unauthorized("Invalid signature received for JSON Web Token "
                                               "validation")


def test_token_for_another_api_is_a_bad_audience(http, bearer):
    response = http.get("/api/v2/clients", headers=bearer(["read:clients"],
                                                          audience="https://api.example/"))
    assert response.status_code == 401
    assert response.json() == unauthorized("Bad audience: https://api.example/")


def test_insufficient_scope(http, bearer):
    expected = route_scopes("GET", "/api/v2/clients")
    response = http.get("/api/v2/clients", headers=bearer(["read:logs"]))
    assert response.status_code == 403
    assert response.json() == {"statusCode": 403, "error": "Forbidden",
                               "message": "Insufficient scope, expected any of: "
                                          + ",".join(expected),
                               "errorCode": "insufficient_scope"}


def test_any_one_of_the_route_scopes_is_enough(http, bearer):
    for scope in route_scopes("GET", "/api/v2/clients"):
        assert http.get("/api/v2/clients", headers=bearer([scope])).status_code == 200


def test_authentication_api_needs_no_token(http):
    assert http.get("/.well-known/jwks.json").status_code == 200


# --- rate limits ----------------------------------------------------------------------------


def test_rate_limit_headers_on_every_api_response(http, bearer):
    now = int(time.time())
    for response in (http.get("/api/v2/clients", headers=bearer(["read:clients"])),
                     http.get("/api/v2/clients"),  # a 401 too
                     http.get("/.well-known/openid-configuration")):
        assert int(response.headers["x-ratelimit-limit"]) == 1000
        assert 0 <= int(response.headers["x-ratelimit-remaining"]) < 1000
        assert int(response.headers["x-ratelimit-reset"]) >= now  # an epoch second


def test_429_once_the_budget_is_spent(box, http, bearer):
    headers = bearer(["read:clients"])
    box.set_rate_limit(3, per_second=0.001)
    remaining = [int(http.get("/api/v2/clients", headers=headers)
                     .headers["x-ratelimit-remaining"]) for _ in range(3)]
    assert remaining == [2, 1, 0]
    refused = http.get("/api/v2/clients", headers=headers)
    assert refused.status_code == 429
    assert refused.json() == TOO_MANY
    assert refused.headers["x-ratelimit-remaining"] == "0"
    assert int(refused.headers["x-ratelimit-reset"]) > time.time()
    # the Authentication API has its own bucket: a client can still get a token
    assert http.get("/.well-known/jwks.json").status_code == 200


def test_authentication_api_429_is_an_oauth_error(box, http):
    box.set_rate_limit(1, per_second=0.001)
    assert http.get("/.well-known/jwks.json").status_code == 200
    refused = http.get("/.well-known/jwks.json")
    assert refused.status_code == 429
    assert refused.json() == {"error": "too_many_requests",
                              "error_description": "Global limit has been reached"}


def test_admin_endpoints_are_never_limited(box, http):
    box.set_rate_limit(1, per_second=0.001)
    box.set_faults(rate_limit_storm=True, include_auth=True)
    for _ in range(3):
        assert http.get("/sandbox/stats").status_code == 200
    assert http.post("/sandbox/faults", json={}).json()["rate_limit_storm"] is False
    assert http.post("/sandbox/rate-limit", json={"limit": 1000, "per_second": 500}
                     ).status_code == 200


# --- faults ---------------------------------------------------------------------------------


def test_latency_fault_shows_in_server_timing(box, http, bearer):
    box.set_faults(latency_ms=60)
    response = http.get("/api/v2/clients", headers=bearer(["read:clients"]))
    assert response.status_code == 200
    assert float(response.headers["server-timing"].split("dur=")[1]) >= 59


def test_server_error_with_auth0_body_hits_the_next_request_only(box, http, bearer):
    headers = bearer(["read:clients"])
    box.set_faults(errors_next=1, error_status=503, error_html=False)
    failed = http.get("/api/v2/clients", headers=headers)
    assert failed.status_code == 503
    assert failed.json() == {"statusCode": 503, "error": "Service Unavailable",
                             "message": "Service temporarily unavailable"}
    assert http.get("/api/v2/clients", headers=headers).status_code == 200


def test_server_error_as_a_proxy_html_page(box, http, bearer):
    box.set_faults(errors_next=1, error_status=502, error_html=True)
    failed = http.get("/api/v2/clients", headers=bearer(["read:clients"]))
    assert failed.status_code == 502
    assert failed.headers["content-type"].startswith("text/html")
    assert "502 Bad Gateway" in failed.text
    with pytest.raises(ValueError):
        json.loads(failed.text)


def test_error_rate_is_repeatable_with_a_seed(box, http, bearer):
    headers = bearer(["read:clients"])

    def statuses() -> list[int]:
        box.set_faults(error_rate=0.5, seed=42)
        return [http.get("/api/v2/clients", params={"per_page": 1}, headers=headers).status_code
                for _ in range(20)]

    first = statuses()
    assert first == statuses()
    assert {200, 503} == set(first)


@pytest.mark.parametrize("with_headers", [True, False])
def test_429_storm(box, http, bearer, with_headers):
    headers = bearer(["read:clients"])
    box.set_faults(rate_limit_storm=True, storm_headers=with_headers)
    for _ in range(3):
        refused = http.get("/api/v2/clients", headers=headers)
        assert refused.status_code == 429 and refused.json() == TOO_MANY
        assert ("x-ratelimit-remaining" in refused.headers) is with_headers
        if with_headers:
            assert refused.headers["x-ratelimit-remaining"] == "0"
    box.set_faults()
    assert http.get("/api/v2/clients", headers=headers).status_code == 200


def test_throttle_next_n_requests(box, http, bearer):
    headers = bearer(["read:clients"])
    box.set_faults(throttle_next=2)
    statuses = [http.get("/api/v2/clients", headers=headers).status_code for _ in range(3)]
    assert statuses == [429, 429, 200]


def test_malformed_body(box, http, bearer):
    headers = bearer(["read:clients"])
    box.set_faults(malformed_next=1)
    broken = http.get("/api/v2/clients", headers=headers)
    assert broken.status_code == 200
    with pytest.raises(ValueError):
        broken.json()
    assert isinstance(http.get("/api/v2/clients", headers=headers).json(), list)


def test_faults_spare_the_token_endpoint_unless_asked(box, http):
    client_id, secret = box.admin_credentials
    form = {"grant_type": "client_credentials", "client_id": client_id,
            "client_secret": secret, "audience": f"{box.base_url}/api/v2/"}
    box.set_faults(rate_limit_storm=True)
    assert http.post("/oauth/token", data=form).status_code == 200
    box.set_faults(errors_next=1, include_auth=True)
    assert http.post("/oauth/token", data=form).status_code == 503


def test_faults_endpoint_validates_settings(http, box):
    assert http.post("/sandbox/faults", json={"latency": 5}).status_code == 400
    assert http.post("/sandbox/faults", json={"error_rate": "high"}).status_code == 400
    assert http.post("/sandbox/faults", json={"error_status": 200}).status_code == 400
    applied = http.post("/sandbox/faults", json={"errors_next": 2, "error_status": 500})
    assert applied.status_code == 200
    assert applied.json()["errors_next"] == 2
    assert box.gate.faults.errors_next == 2


# --- sapi log events, timing, odds and ends --------------------------------------------------


def test_writes_are_logged_as_sapi_events(box, http, bearer):
    headers = bearer(["create:resource_servers", "read:resource_servers"])
    before = len(box.tenant.logs)
    assert http.get("/api/v2/resource-servers", headers=headers).status_code == 200
    assert len(box.tenant.logs) == before  # reads are not logged
    created = http.post("/api/v2/resource-servers", headers=headers, json={
        "name": "Logged", "identifier": "https://logged.example/", "signing_alg": "HS256",
        "signing_secret": "a-very-long-signing-secret-of-32-chars"})
    assert created.status_code == 201, created.text
    event = box.tenant.logs[-1]
    assert list(event)[:4] == ["date", "type", "description", "client_id"]
    assert list(event)[-3:] == ["log_id", "_id", "isMobile"]
    client_id = box.admin_credentials[0]
    assert (event["type"], event["description"]) == ("sapi", "Create a resource server")
    assert event["client_id"] == client_id
    assert event["client_name"] == "auth0-mcp sandbox admin"
    request = event["details"]["request"]
    assert (request["method"], request["path"], request["channel"]) == (
        "post", "/api/v2/resource-servers", "api")
    assert request["body"]["signing_secret"] == "*****"
    assert request["auth"]["credentials"]["scopes"] == ["create:resource_servers",
                                                        "read:resource_servers"]
    assert event["details"]["response"]["statusCode"] == 201
    assert "a-very-long-signing-secret" not in json.dumps(event)
    # a failed write is not a "successful API operation"
    missing = http.patch("/api/v2/resource-servers/000000000000000000000000", headers=bearer(
        ["update:resource_servers"]), json={"name": "x"})
    assert missing.status_code == 404
    assert box.tenant.logs[-1] is event


def test_every_response_says_how_long_the_sandbox_took(http, bearer):
    for response in (http.get("/api/v2/clients", headers=bearer(["read:clients"])),
                     http.get("/api/v2/clients"), http.get("/.well-known/jwks.json")):
        name, _, duration = response.headers["server-timing"].partition(";dur=")
        assert name == "app" and float(duration) >= 0


def test_unknown_paths_and_methods(http):
    assert http.get("/api/v2/nothing-here").json() == {"statusCode": 404, "error": "Not Found",
                                                      "message": "Not Found"}
    assert http.put("/.well-known/jwks.json").status_code == 405


def test_body_limits_and_bad_json(http, bearer):
    headers = bearer(["create:clients"])
    too_big = http.post("/api/v2/clients", headers=headers,
                        json={"name": "x", "description": "d" * (1024 * 1024)})
    assert too_big.status_code == 413
    bad = http.post("/api/v2/clients", headers={**headers, "content-type": "application/json"},
                    content=b"{nope")
    assert bad.status_code == 400 and bad.json()["errorCode"] == "invalid_body"


def test_admin_tokens_and_stats(box: SandboxServer, http: httpx.Client):
    minted = http.post("/sandbox/tokens", json={"scopes": ["read:logs"], "expires_in": 60})
    assert minted.status_code == 200
    token = minted.json()["access_token"]
    before = http.get("/sandbox/stats").json()
    assert http.get("/api/v2/logs", headers={"authorization": f"Bearer {token}"}
                    ).status_code == 200
    after = http.get("/sandbox/stats").json()
    assert after["requests"] == before["requests"] + 1
    assert after["by_status"]["200"] == before["by_status"].get("200", 0) + 1
    assert after["collections"]["clients"] >= 2
    assert http.post("/sandbox/tokens", json={"scopes": "read:logs"}).status_code == 400
