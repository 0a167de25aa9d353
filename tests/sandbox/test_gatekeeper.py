"""Enforcement and faults: Auth0's 401/400/403 bodies, rate-limit headers and 429 budget,
and each injected fault."""

from __future__ import annotations

import time

import httpx

from auth0_mcp_sandbox.enforce import RateLimit
from auth0_mcp_sandbox.server import SandboxServer


def get(box: SandboxServer, token: str | None = None, header: str | None = None) -> httpx.Response:
    headers = {"authorization": header or f"Bearer {token}"} if (token or header) else {}
    return httpx.get(f"{box.base_url}/api/v2/clients", headers=headers)


def test_tokens_and_scopes():
    with SandboxServer(empty=True) as box:
        missing = get(box)
        assert missing.status_code == 401 and missing.json()["message"] == \
            "Missing authentication"
        assert missing.headers["www-authenticate"] == "Bearer"
        assert get(box, header="Basic abc").json()["errorCode"] == "Bearer"
        expired = get(box, box.mint_token(["read:clients"], expires_in=-60)).json()
        assert expired["message"] == "Expired token received for JSON Web Token validation"
        assert expired["attributes"] == {"error": expired["message"]}
        # Auth0 answers a bearer value that is not a JWT as a malformed header
        assert get(box, "not-a-jwt").json()["errorCode"] == "Bearer"
        with SandboxServer(empty=True) as other:
            foreign = get(box, other.mint_token(["read:clients"])).json()
        assert foreign["statusCode"] == 401
        denied = get(box, box.mint_token(["read:logs"])).json()
        assert denied == {"statusCode": 403, "error": "Forbidden", "errorCode":
                          "insufficient_scope", "message": "Insufficient scope, expected any "
                          "of: read:clients,read:client_summary"}


def test_rate_limit_headers_and_budget():
    with SandboxServer(empty=True,
                       rate_limit=RateLimit(limit=3, per_second=0.5)) as box:
        token = box.mint_token(["read:clients"])
        answers = [get(box, token) for _ in range(4)]
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        assert [a.headers["x-ratelimit-remaining"] for a in answers[:3]] == ["2", "1", "0"]
        assert int(answers[3].headers["x-ratelimit-reset"]) >= int(time.time())
        assert answers[3].json()["errorCode"] == "too_many_requests"


def test_faults():
    with SandboxServer(empty=True) as box:
        token = box.mint_token(["read:clients"])
        box.set_faults(errors_next=1)
        page = get(box, token)
        assert page.status_code == 503 and page.headers["content-type"].startswith("text/html")
        assert get(box, token).status_code == 200
        box.set_faults(malformed_next=1)
        broken = get(box, token)
        assert broken.status_code == 200
        try:
            broken.json()
            raise AssertionError("the body should not be valid JSON")
        except ValueError:
            pass
        box.set_faults(rate_limit_storm=True, storm_headers=False)
        storm = get(box, token)
        assert storm.status_code == 429 and "x-ratelimit-reset" not in storm.headers
        box.set_faults(latency_ms=150)
        started = time.perf_counter()
        assert get(box, token).status_code == 200
        assert time.perf_counter() - started >= 0.15
        box.set_faults()
