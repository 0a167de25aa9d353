"""The tenant's signing key and the RS256 access tokens it issues.

The key is generated once per tenant and kept (as PEM) in ``tenant.auth`` so a ``--state`` file
keeps tokens valid across restarts.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable, Mapping
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from .routing import ApiError
from .tenant import SandboxTenant

_cache: dict[str, tuple[Any, str]] = {}


def signing_key(tenant: SandboxTenant) -> tuple[Any, str]:
    """(private key, kid), created on first use."""
    pem = tenant.auth.get("signing_key_pem")
    if pem is None:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
        tenant.auth["signing_key_pem"] = pem
    if pem not in _cache:
        key = serialization.load_pem_private_key(pem.encode(), password=None)
        kid = hashlib.sha256(pem.encode()).hexdigest()[:32]
        _cache[pem] = (key, kid)
    return _cache[pem]


def jwks(tenant: SandboxTenant) -> dict[str, Any]:
    key, kid = signing_key(tenant)
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    return {"keys": [{"kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid,
                      "n": public["n"], "e": public["e"]}]}


def mint_access_token(tenant: SandboxTenant, *, sub: str, scopes: Iterable[str],
                      audience: str | Iterable[str] | None = None, expires_in: int = 86400,
                      azp: str | None = None, grant_type: str | None = None,
                      extra_claims: Mapping[str, Any] | None = None) -> str:
    """An RS256 JWT carrying ``scope`` (space-separated) and ``permissions``, as Auth0 issues
    for the Management API."""
    key, kid = signing_key(tenant)
    now = int(time.time())
    scope_list = [s for s in dict.fromkeys(scopes) if s]
    claims: dict[str, Any] = {
        "iss": tenant.issuer,
        "sub": sub,
        "aud": audience if audience is not None else tenant.management_audience,
        "iat": now,
        "exp": now + int(expires_in),
        "scope": " ".join(scope_list),
        "permissions": [s for s in scope_list if ":" in s],
    }
    if azp:
        claims["azp"] = azp
    if grant_type:
        claims["gty"] = grant_type
    claims.update(extra_claims or {})
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


def unauthorized(message: str) -> ApiError:
    return ApiError(401, message, extra={"attributes": {"error": message}},
                    headers={"WWW-Authenticate": "Bearer"})


def verify_access_token(tenant: SandboxTenant, token: str,
                        audience: str | None = None) -> dict[str, Any]:
    """Claims of a token this tenant issued for ``audience`` (default: its Management API), or
    Auth0's 401 bodies."""
    key, kid = signing_key(tenant)
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise unauthorized("Invalid token") from None
    if header.get("alg") != "RS256":
        raise unauthorized("Invalid token")
    if header.get("kid") != kid:
        raise unauthorized("Invalid signature received for JSON Web Token validation")
    try:
        claims = jwt.decode(token, key.public_key(), algorithms=["RS256"],
                            audience=audience or tenant.management_audience,
                            issuer=tenant.issuer)
    except jwt.ExpiredSignatureError:
        raise unauthorized("Expired token received for JSON Web Token validation") from None
    except jwt.InvalidSignatureError:
        raise unauthorized("Invalid signature received for JSON Web Token validation") from None
    except jwt.PyJWTError:
        raise unauthorized("Invalid token") from None
    if claims.get("jti") and claims["jti"] in tenant.auth.get("revoked_jtis", []):
        raise unauthorized("Invalid token")
    return claims
