"""Token validation for remote mode: every way a token can be wrong is rejected."""

from __future__ import annotations

import base64
import json
import time

import anyio
import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from auth0_mcp.remote.verifier import IssuerUnavailable, JwksVerifier, normalize_issuer
from auth0_mcp.state import StateStore

ISSUER = "https://team.eu.auth0.com/"
AUDIENCE = "https://mcp.example.com/mcp"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def jwk(key: rsa.RSAPrivateKey, kid: str) -> dict:
    data = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    return {**data, "kid": kid, "use": "sig", "alg": "RS256"}


class Jwks:
    def __init__(self) -> None:
        self.fetches = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.fetches += 1
        assert str(request.url) == f"{ISSUER}.well-known/jwks.json"
        return httpx.Response(200, json={"keys": [jwk(KEY, "k1")]})


def claims(**overrides) -> dict:
    now = int(time.time())
    base = {"iss": ISSUER, "aud": [AUDIENCE, f"{ISSUER}userinfo"], "sub": "auth0|alice",
            "azp": "client-1", "iat": now, "exp": now + 600, "permissions": ["read:clients"],
            "scope": "openid read:logs"}
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def sign(payload: dict, *, key=KEY, kid="k1", alg="RS256") -> str:
    return jwt.encode(payload, key, algorithm=alg, headers={"kid": kid})


@pytest.fixture
def jwks() -> Jwks:
    return Jwks()


@pytest.fixture
def verifier(jwks: Jwks) -> JwksVerifier:
    return JwksVerifier(ISSUER, AUDIENCE, transport=httpx.MockTransport(jwks), leeway=5,
                        refetch_interval=60)


async def test_valid_token_gives_subject_and_permissions(verifier: JwksVerifier):
    token = await verifier.verify_token(sign(claims()))
    assert token is not None
    assert token.subject == "auth0|alice" and token.client_id == "client-1"
    assert token.scopes == ["openid", "read:clients", "read:logs"]


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _public_pem() -> bytes:
    return KEY.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo)


def _hs256_with_public_key() -> str:
    import hashlib
    import hmac

    header = _b64({"alg": "HS256", "typ": "JWT", "kid": "k1"})
    body = _b64(claims())
    mac = hmac.new(_public_pem(), f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"


BAD = {
    "expired": lambda: sign(claims(exp=int(time.time()) - 60)),
    "not yet valid": lambda: sign(claims(nbf=int(time.time()) + 600)),
    "wrong audience": lambda: sign(claims(aud="https://other.example.com")),
    "wrong issuer": lambda: sign(claims(iss="https://evil.auth0.com/")),
    "alg none": lambda: f"{_b64({'alg': 'none', 'kid': 'k1'})}.{_b64(claims())}.",
    "HS256 with the public key": _hs256_with_public_key,
    "forged signature": lambda: sign(claims(), key=OTHER_KEY),
    "unknown kid": lambda: sign(claims(), key=OTHER_KEY, kid="k9"),
    "not a JWT": lambda: "opaque-token",
    "no subject": lambda: sign(claims(sub=None)),
}


@pytest.mark.parametrize("case", sorted(BAD))
async def test_bad_tokens_are_rejected(verifier: JwksVerifier, case: str):
    assert await verifier.verify_token(BAD[case]()) is None


async def test_unknown_kid_refetch_is_rate_limited(verifier: JwksVerifier, jwks: Jwks):
    assert await verifier.verify_token(sign(claims())) is not None
    assert jwks.fetches == 1
    for _ in range(5):
        assert await verifier.verify_token(sign(claims(), key=OTHER_KEY, kid="k9")) is None
    assert jwks.fetches == 1  # inside the refetch interval: no stampede on the issuer


def test_issuer_must_be_https_except_loopback():
    assert normalize_issuer("team.eu.auth0.com") == "https://team.eu.auth0.com/"
    assert normalize_issuer("http://127.0.0.1:8484") == "http://127.0.0.1:8484/"
    with pytest.raises(ValueError):
        normalize_issuer("http://team.eu.auth0.com")


class DownJwks:
    """An issuer that refuses connections, or (``hang``) accepts them and never answers."""

    def __init__(self, *, hang: bool = False) -> None:
        self.fetches = 0
        self.hang = hang
        self.up = False

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.fetches += 1
        if self.up:
            return httpx.Response(200, json={"keys": [jwk(KEY, "k1")]})
        if self.hang:
            await anyio.sleep(3600)
        raise httpx.ConnectError("connection refused", request=request)


def down_verifier(issuer: DownJwks) -> JwksVerifier:
    return JwksVerifier(ISSUER, AUDIENCE, transport=httpx.MockTransport(issuer),
                        fetch_timeout=0.2, failure_ttl=60)


async def verify_all(verifier: JwksVerifier, n: int) -> list[str]:
    outcomes: list[str] = []

    async def one() -> None:
        try:
            outcomes.append("ok" if await verifier.verify_token(sign(claims())) else "401")
        except IssuerUnavailable:
            outcomes.append("503")

    async with anyio.create_task_group() as tg:
        for _ in range(n):
            tg.start_soon(one)
    return outcomes


async def test_unreachable_jwks_is_fetched_once_for_concurrent_callers():
    issuer = DownJwks()
    verifier = down_verifier(issuer)
    assert await verify_all(verifier, 20) == ["503"] * 20
    assert issuer.fetches == 1
    assert await verify_all(verifier, 5) == ["503"] * 5  # the failure is remembered briefly
    assert issuer.fetches == 1


async def test_hanging_jwks_times_out_once_for_all_waiting_callers():
    issuer = DownJwks(hang=True)
    verifier = down_verifier(issuer)
    with anyio.fail_after(30):  # a guard, not a measurement: 3 x 10 s waits would trip it
        assert await verify_all(verifier, 3) == ["503"] * 3
    assert issuer.fetches == 1


async def test_recovers_once_the_failure_expires():
    issuer = DownJwks()
    verifier = JwksVerifier(ISSUER, AUDIENCE, transport=httpx.MockTransport(issuer),
                            fetch_timeout=0.2, failure_ttl=0)
    assert await verify_all(verifier, 2) == ["503"] * 2
    issuer.up = True
    assert await verify_all(verifier, 2) == ["ok"] * 2


async def test_keys_are_shared_through_the_state_store(jwks: Jwks, store: StateStore):
    state = store
    first = JwksVerifier(ISSUER, AUDIENCE, transport=httpx.MockTransport(jwks), state=state)
    assert await first.verify_token(sign(claims())) is not None
    unreachable = DownJwks()
    second = JwksVerifier(ISSUER, AUDIENCE, transport=httpx.MockTransport(unreachable),
                          state=state)
    assert await second.verify_token(sign(claims())) is not None
    assert (jwks.fetches, unreachable.fetches) == (1, 0)
