"""First run as a new user meets it (issue 15): every start-up failure is one line with the
fix and exit 2, over stdio and HTTP; auth failures during calls blame the credentials, not
the arguments; ``--version`` exists."""

from __future__ import annotations

import base64
import json
import socket
import subprocess
import time

import pytest

from auth0_mcp import __version__
from auth0_mcp.credentials import Credentials, StaticToken
from auth0_mcp.errors import Auth0ApiError
from auth0_mcp.testing import Harness, text_of
from auth0_mcp.testing.processes import CLEAN_ENV, EXE, free_port


def start(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([EXE, "run", *args], stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=60, env={**CLEAN_ENV, **env})


def one_line_exit_2(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("auth0-mcp: error: "), result.stderr
    assert result.stdout == ""
    return lines[0]


def fake_jwt(claims: dict) -> str:
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'RS256', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJl"


TRANSPORTS = [(), ("--transport", "http", "--port", "0")]


@pytest.mark.parametrize("transport", TRANSPORTS, ids=["stdio", "http"])
def test_a_wrong_client_secret_is_one_line_with_the_fix(sandbox, transport):
    client_id, _ = sandbox.admin_credentials
    line = one_line_exit_2(start(*transport, env={
        "AUTH0_DOMAIN": sandbox.base_url, "AUTH0_CLIENT_ID": client_id,
        "AUTH0_CLIENT_SECRET": "not-the-secret"}))
    assert "AUTH0_CLIENT_SECRET" in line and "401" in line


@pytest.mark.parametrize("transport", TRANSPORTS, ids=["stdio", "http"])
def test_an_unreachable_domain_is_one_line_with_the_fix(transport):
    line = one_line_exit_2(start(*transport, env={
        "AUTH0_DOMAIN": f"http://127.0.0.1:{free_port()}", "AUTH0_CLIENT_ID": "id",
        "AUTH0_CLIENT_SECRET": "secret"}))
    assert "could not reach" in line and "AUTH0_DOMAIN" in line


@pytest.mark.parametrize("token, expected", [
    ("garbage", "not a JWT"),
    ("a.b.c", "not a JWT"),
    (fake_jwt({"exp": 1_000_000_000}), "expired"),
])
def test_a_static_token_that_cannot_work_is_refused_at_start(sandbox, token, expected):
    line = one_line_exit_2(start(env={"AUTH0_DOMAIN": sandbox.base_url, "AUTH0_TOKEN": token}))
    assert expected in line and "AUTH0_CLIENT_ID" in line
    assert token not in line or token == "garbage"


def test_a_port_in_use_is_one_line_with_the_fix(sandbox):
    client_id, secret = sandbox.admin_credentials
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        line = one_line_exit_2(start("--transport", "http", "--port", str(port), env={
            "AUTH0_DOMAIN": sandbox.base_url, "AUTH0_CLIENT_ID": client_id,
            "AUTH0_CLIENT_SECRET": secret}))
    assert f"port {port}" in line and "--port" in line


def test_version():
    result = subprocess.run([EXE, "--version"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert result.stdout.strip() == f"auth0-mcp {__version__}"


async def test_a_token_auth0_rejects_says_it_is_the_credentials(auth0_mcp: Harness):
    """A well-formed JWT the tenant did not sign: 401 on the call, and the answer says to fix
    the login, not the arguments."""
    forged = fake_jwt({"exp": time.time() + 3600, "scope": "read:clients",
                       "aud": f"{auth0_mcp.sandbox.base_url}/api/v2/"})
    credentials = Credentials(auth0_mcp.sandbox.base_url, StaticToken(forged), "env-token",
                              (forged,))
    auth0_mcp.credentials = lambda scopes=None, expires_in=3600: credentials  # type: ignore
    result = await auth0_mcp.call("auth0_list_applications", {})
    text = text_of(result)
    assert result.is_error and "credentials" in text and "auth0-mcp session" in text
    assert "Fix the arguments" not in text and forged not in text


@pytest.mark.parametrize("status, body, expected", [
    (400, {"statusCode": 400, "error": "Bad Request", "errorCode": "Bearer",
           "message": "Bad HTTP authentication header format"}, "AUTH0_TOKEN"),
    (401, {"statusCode": 401, "error": "Unauthorized", "message": "Invalid token"},
     "auth0-mcp session"),
    (403, {"statusCode": 403, "error": "Forbidden", "errorCode": "insufficient_scope",
           "message": "Insufficient scope, expected any of: read:clients"},
     "init --scopes"),
])
def test_auth_failures_name_the_credentials_or_scopes(status, body, expected):
    text = Auth0ApiError(status, "GET", "/clients", body).describe()
    assert expected in text and "Fix the arguments" not in text
    assert "credentials" in text or "scope" in text
