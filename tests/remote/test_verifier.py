"""Token validation for remote mode: every way a token can be wrong is rejected."""

from __future__ import annotations

import base64
import json
import time

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from auth0_mcp.remote.verifier import JwksVerifier, normalize_issuer

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
