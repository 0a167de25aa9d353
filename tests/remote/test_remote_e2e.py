"""Remote mode end to end: ``auth0-mcp run --transport http --oauth-issuer ...`` in a process,
a sandbox tenant as the authorization server, real callers with real tokens."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import anyio
import httpx
import httpx2
import jwt
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from auth0_mcp.testing.processes import CLEAN_ENV, EXE, free_port, stop, wait_until_up
from auth0_mcp_sandbox.auth import jwks, mint_access_token, signing_key
from auth0_mcp_sandbox.server import SandboxServer

AUDIENCE = "https://mcp.example.test/mcp"
READ = ["read:clients", "read:resource_servers", "read:logs", "read:forms", "read:actions",
        "read:client_grants"]
WRITE = ["create:clients", "update:clients", "delete:clients", "create:resource_servers",
         "update:resource_servers", "delete:resource_servers"]


@pytest.fixture(scope="module")
def issuer() -> Iterator[SandboxServer]:
    with SandboxServer(empty=True) as box:
        yield box


@pytest.fixture(scope="module")
def remote(issuer: SandboxServer, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[tuple[str, Path]]:
    audit = tmp_path_factory.mktemp("audit") / "audit.jsonl"
    port = free_port()
    proc = subprocess.Popen(
        [EXE, "run", "--sandbox", "--transport", "http", "--port", str(port),
         "--oauth-issuer", issuer.issuer_url, "--oauth-audience", AUDIENCE,
         "--audit-log", str(audit)],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=CLEAN_ENV)
    url = f"http://127.0.0.1:{port}/mcp"
    try:
        wait_until_up(url, proc)
        yield url, audit
    finally:
        stop(proc)


def token(box: SandboxServer, scopes: list[str], *, sub: str = "auth0|alice", **kw) -> str:
    return mint_access_token(box.tenant, sub=sub, scopes=scopes, audience=AUDIENCE, **kw)


def client(url: str, bearer: str, mode: str = "auto") -> Client:
    """A caller's session; ``mode="legacy"``: the 2025 era, whose reads take the HTTP fast
    path (remote/fastpath.py), "auto": the 2026 era, served by the SDK."""
    http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {bearer}"})
    return Client(streamable_http_client(url, http_client=http), mode=mode)


async def names(url: str, bearer: str) -> set[str]:
    async with client(url, bearer) as c:
        return {t.name for t in (await c.list_tools()).tools}


def test_unauthenticated_gets_401_pointing_at_metadata(remote: tuple[str, Path],
                                                       issuer: SandboxServer):
    url, _ = remote
    response = httpx.post(url, json={"jsonrpc": "2.0", "id": 1, "method": "ping"})
    assert response.status_code == 401
    assert "resource_metadata=" in response.headers["www-authenticate"]
    base = url.rsplit("/mcp", 1)[0]
    metadata = httpx.get(f"{base}/.well-known/oauth-protected-resource/mcp").json()
    assert metadata["authorization_servers"] == [issuer.issuer_url]


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def bad_tokens(box: SandboxServer, other: SandboxServer) -> dict[str, str]:
    now = int(time.time())
    good = jwt.decode(token(box, READ), options={"verify_signature": False})
    public = jwt.algorithms.RSAAlgorithm.from_jwk(json.dumps(jwks(box.tenant)["keys"][0]))
    from cryptography.hazmat.primitives import serialization

    pem = public.public_bytes(serialization.Encoding.PEM,
                              serialization.PublicFormat.SubjectPublicKeyInfo)
    header = _b64({"alg": "HS256", "typ": "JWT", "kid": jwks(box.tenant)["keys"][0]["kid"]})
    body = _b64(good)
    mac = hmac.new(pem, f"{header}.{body}".encode(), hashlib.sha256).digest()
    other_key, other_kid = signing_key(other.tenant).private, signing_key(other.tenant).kid
    own_kid = signing_key(box.tenant).kid
    return {
        "expired": token(box, READ, expires_in=-120),
        "not yet valid": token(box, READ, extra_claims={"nbf": now + 600}),
        "wrong audience": mint_access_token(box.tenant, sub="auth0|alice", scopes=READ,
                                            audience="https://other.example/api"),
        "wrong issuer": token(box, READ, extra_claims={"iss": "https://evil.auth0.com/"}),
        "alg none": f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{body}.",
        "HS256 with the public key": f"{header}.{body}."
                                     f"{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}",
        # the right claims and our kid, signed with somebody else's key
        "forged signature": jwt.encode(good, other_key, algorithm="RS256",
                                       headers={"kid": own_kid}),
        "unknown kid": jwt.encode(good, other_key, algorithm="RS256",
                                  headers={"kid": other_kid}),
    }


def test_every_bad_token_is_rejected_with_401(remote: tuple[str, Path],
                                              issuer: SandboxServer):
    url, _ = remote
    with SandboxServer(empty=True) as other:
        for case, bearer in bad_tokens(issuer, other).items():
            response = httpx.post(url, json={"jsonrpc": "2.0", "id": 1, "method": "ping"},
                                  headers={"Authorization": f"Bearer {bearer}",
                                           "Accept": "application/json, text/event-stream"})
            assert response.status_code == 401, case


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_callers_see_only_what_their_permissions_allow(remote: tuple[str, Path],
                                                            issuer: SandboxServer, mode: str):
    url, audit = remote
    reader = token(issuer, READ, sub="auth0|reader")
    admin = token(issuer, READ + WRITE, sub="auth0|admin")
    results: dict[str, set[str]] = {}

    async def listing(who: str, bearer: str) -> None:
        results[who] = await names(url, bearer)

    async with anyio.create_task_group() as tg:
        tg.start_soon(listing, "reader", reader)
        tg.start_soon(listing, "admin", admin)
    assert "auth0_create_application" in results["admin"]
    assert "auth0_create_application" not in results["reader"]
    assert "auth0_list_applications" in results["reader"]
    # undo is offered only beside a write it could undo
    assert "auth0_undo" in results["admin"] and "auth0_undo" not in results["reader"]
    assert results["reader"] < results["admin"]

    before = audit.read_text().splitlines() if audit.exists() else []
    async with client(url, reader, mode) as c:
        listed = await c.call_tool("auth0_list_applications", {"per_page": 2})
        assert not listed.is_error
        denied = await c.call_tool("auth0_create_application", {"name": "Nope"})
        assert denied.is_error and "restricted" in denied.content[0].text
    lines = [json.loads(line) for line in audit.read_text().splitlines()[len(before):]]
    assert [(line["tool"], line["caller"], line["outcome"]) for line in lines] == [
        ("auth0_list_applications", "auth0|reader", "ok"),
        ("auth0_create_application", "auth0|reader", "refused")]
    assert reader not in audit.read_text() and "Bearer" not in audit.read_text()


async def test_the_audit_log_is_a_chain_without_action_secret_values(remote: tuple[str, Path],
                                                                    issuer: SandboxServer):
    from auth0_mcp.safety.journal import read_entries, verify

    url, audit = remote
    secret = "sk_live_remote-audit-9876"
    bearer = token(issuer, ["create:actions", "read:actions"], sub="auth0|dev")
    async with client(url, bearer) as c:
        created = await c.call_tool("auth0_create_action", {
            "name": "Audited", "code": "exports.onExecutePostLogin = async () => {};",
            "supported_triggers": [{"id": "post-login"}], "secrets": {"API_KEY": secret}})
        assert not created.is_error, created.content[0].text
    assert secret not in audit.read_text()
    entries = list(read_entries(audit))
    assert entries[-1]["arguments"]["secrets"] == {"API_KEY": "[REDACTED]"}
    assert entries[-1]["caller"] == "auth0|dev" and verify(entries) == []


def test_per_caller_budget_and_body_limit(issuer: SandboxServer):
    """A noisy caller is told when to retry while others are not; huge bodies are refused."""
    port = free_port()
    proc = subprocess.Popen(
        [EXE, "run", "--sandbox", "--transport", "http", "--port", str(port),
         "--oauth-issuer", issuer.issuer_url, "--oauth-audience", AUDIENCE,
         "--calls-per-minute", "2", "--max-body-bytes", "20000"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=CLEAN_ENV)
    url = f"http://127.0.0.1:{port}/mcp"
    try:
        wait_until_up(url, proc)

        async def calls(bearer: str, n: int, mode: str) -> list[bool]:
            async with client(url, bearer, mode) as c:
                return [(await c.call_tool("auth0_list_forms", {})).is_error for _ in range(n)]

        for mode in ("auto", "legacy"):  # the 2025 era's reads take the fast path
            noisy = anyio.run(calls, token(issuer, READ, sub=f"auth0|noisy-{mode}"), 3, mode)
            assert noisy == [False, False, True], mode
            assert anyio.run(calls, token(issuer, READ, sub=f"auth0|quiet-{mode}"), 1,
                             mode) == [False]
        big = httpx.post(url, content=b"{" + b" " * 50_000 + b"}", headers={
            "Authorization": f"Bearer {token(issuer, READ)}", "Content-Type": "application/json",
            "Accept": "application/json, text/event-stream"})
        assert big.status_code == 413
    finally:
        stop(proc)


def test_a_session_answers_only_the_credential_that_opened_it(remote: tuple[str, Path],
                                                             issuer: SandboxServer):
    """Another caller who learns a session id gets 404, as if it did not exist: for a read
    (answered by the fast path for its owner) as for anything else."""
    url, _ = remote
    base = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream",
            "MCP-Protocol-Version": "2025-11-25"}
    owner = {**base, "Authorization": f"Bearer {token(issuer, READ, sub='auth0|owner')}"}
    thief = {**base, "Authorization": f"Bearer {token(issuer, READ, sub='auth0|thief')}"}
    opened = httpx.post(url, headers=owner, json={
        "jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
            "protocolVersion": "2025-11-25", "capabilities": {},
            "clientInfo": {"name": "t", "version": "0"}}})
    session = {"Mcp-Session-Id": opened.headers["mcp-session-id"]}
    read = {"jsonrpc": "2.0", "id": 1, "method": "tools/call",
            "params": {"name": "auth0_list_forms", "arguments": {}}}
    stolen = httpx.post(url, headers={**thief, **session}, json=read)
    assert stolen.status_code == 404 and "Session not found" in stolen.text
    mine = httpx.post(url, headers={**owner, **session}, json=read)
    assert mine.status_code == 200 and not mine.json()["result"]["isError"]
