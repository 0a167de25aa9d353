"""Validating callers' Auth0 access tokens (JWTs) against the issuer's JWKS.

Only an allow-list of asymmetric algorithms is accepted (so ``alg: none`` and HS256 signed with
the public key both fail), issuer and audience must match exactly, ``exp``/``nbf`` get a small
leeway, and an unknown ``kid`` triggers one JWKS refetch at most every ``refetch_interval``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any

import anyio
import httpx
import jwt
from mcp.server.auth.provider import AccessToken

from ..credentials import scopes_in
from ..domains import is_loopback
from ..management import USER_AGENT, tls_context

log = logging.getLogger("auth0_mcp.remote")

ALGORITHMS = ("RS256", "PS256")


def normalize_issuer(issuer: str) -> str:
    """Auth0 issuers end with a slash; accept a bare domain too."""
    issuer = issuer.strip()
    if "://" not in issuer:
        issuer = f"https://{issuer}"
    if not issuer.endswith("/"):
        issuer += "/"
    scheme, rest = issuer.split("://", 1)
    host = rest.split("/", 1)[0].rsplit(":", 1)[0] if not rest.startswith("[") else (
        rest.split("]", 1)[0] + "]")
    if scheme != "https" and not (scheme == "http" and is_loopback(host)):
        raise ValueError(f"the OAuth issuer must use https (http only for loopback): {issuer}")
    return issuer


def scopes_of(claims: dict[str, Any]) -> list[str]:
    return sorted(scopes_in(claims))


class JwksVerifier:
    """The SDK's ``TokenVerifier`` protocol for Auth0-issued JWTs."""

    def __init__(self, issuer: str, audience: str, *, algorithms: Sequence[str] = ALGORITHMS,
                 leeway: float = 30.0, refetch_interval: float = 30.0,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.issuer = normalize_issuer(issuer)
        self.audience = audience
        self.algorithms = list(algorithms)
        self.leeway = leeway
        self.refetch_interval = refetch_interval
        self.jwks_url = f"{self.issuer}.well-known/jwks.json"
        self._transport = transport
        self._keys: dict[str, Any] = {}
        self._fetched_at = 0.0
        self._lock = anyio.Lock()

    async def _refresh(self, *, force: bool) -> None:
        async with self._lock:
            now = time.monotonic()
            if self._keys and not force:
                return
            if force and now - self._fetched_at < self.refetch_interval:
                return
            self._fetched_at = now
            try:
                async with httpx.AsyncClient(verify=tls_context(), transport=self._transport,
                                             timeout=10.0,
                                             headers={"User-Agent": USER_AGENT}) as http:
                    response = await http.get(self.jwks_url)
                    response.raise_for_status()
                    jwks = response.json()
            except (httpx.HTTPError, ValueError) as exc:
                log.warning("could not fetch JWKS from %s: %s", self.jwks_url, exc)
                return
            keys = {}
            for jwk in jwks.get("keys", []):
                if jwk.get("kid") and jwk.get("kty") == "RSA":
                    keys[jwk["kid"]] = jwt.PyJWK.from_dict(jwk).key
            self._keys = keys

    async def _key_for(self, kid: str | None) -> Any:
        await self._refresh(force=False)
        if kid not in self._keys:
            await self._refresh(force=True)
        return self._keys.get(kid) if kid else None

    async def verify_token(self, token: str) -> AccessToken | None:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            return None
        if header.get("alg") not in self.algorithms:
            return None
        key = await self._key_for(header.get("kid"))
        if key is None:
            return None
        try:
            claims = jwt.decode(
                token, key, algorithms=self.algorithms, audience=self.audience,
                issuer=self.issuer, leeway=self.leeway,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError as exc:
            log.info("rejected token: %s", type(exc).__name__)
            return None
        return AccessToken(
            token=token,
            client_id=str(claims.get("azp") or claims.get("client_id") or claims["sub"]),
            scopes=scopes_of(claims),
            expires_at=int(claims["exp"]),
            resource=self.audience,
            subject=str(claims["sub"]),
            claims={"iss": claims["iss"]},
        )
