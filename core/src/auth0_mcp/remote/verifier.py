"""Validating callers' Auth0 access tokens (JWTs) against the issuer's JWKS.

Only an allow-list of asymmetric algorithms is accepted (so ``alg: none`` and HS256 signed with
the public key both fail), issuer and audience must match exactly, ``exp``/``nbf`` get a small
leeway, and an unknown ``kid`` triggers one JWKS refetch at most every ``refetch_interval``.
"""

from __future__ import annotations

import json
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
from ..state import StateStore, StateUnavailable

log = logging.getLogger("auth0_mcp.remote")

ALGORITHMS = ("RS256", "PS256")


def _rsa_keys(jwks: dict[str, Any]) -> dict[str, Any]:
    keys = {}
    for jwk in jwks.get("keys", []):
        if isinstance(jwk, dict) and jwk.get("kid") and jwk.get("kty") == "RSA":
            keys[jwk["kid"]] = jwt.PyJWK.from_dict(jwk).key
    return keys


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


class IssuerUnavailable(Exception):
    """The issuer's JWKS cannot be fetched and no keys are known: tokens cannot be checked
    either way, so callers get 503 (retry later), not 401 (sign in again)."""

    retry_after = 5


class JwksVerifier:
    """The SDK's ``TokenVerifier`` protocol for Auth0-issued JWTs.

    Fetches are single-flight with a short timeout and a failure is remembered for
    ``failure_ttl`` seconds, so an unreachable or hanging issuer costs one fetch, not one per
    request (nor 10 s per waiting caller in turn). With a shared ``state`` store the JWKS is
    cached there too, so new instances do not each ask the issuer."""

    def __init__(self, issuer: str, audience: str, *, algorithms: Sequence[str] = ALGORITHMS,
                 leeway: float = 30.0, refetch_interval: float = 30.0,
                 fetch_timeout: float = 3.0, failure_ttl: float = 5.0,
                 state: StateStore | None = None, cache_ttl: float = 600.0,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.issuer = normalize_issuer(issuer)
        self.audience = audience
        self.algorithms = list(algorithms)
        self.leeway = leeway
        self.refetch_interval = refetch_interval
        self.fetch_timeout = fetch_timeout
        self.failure_ttl = failure_ttl
        self.cache_ttl = cache_ttl
        self.jwks_url = f"{self.issuer}.well-known/jwks.json"
        self._state = state
        self._transport = transport
        self._keys: dict[str, Any] = {}
        self._fetched_at = 0.0
        self._failed_until = 0.0
        self._lock = anyio.Lock()

    def _unavailable(self) -> None:
        """Raise while a recent fetch failed and no keys are known; with keys, carry on."""
        if not self._keys and time.monotonic() < self._failed_until:
            raise self._down()

    def _down(self) -> IssuerUnavailable:
        return IssuerUnavailable(f"the token issuer's JWKS ({self.jwks_url}) is unreachable")

    async def _refresh(self, *, force: bool) -> None:
        if self._keys and not force:
            return
        self._unavailable()
        async with self._lock:  # single flight: waiters see the result of the one fetch
            now = time.monotonic()
            if self._keys and not force:
                return
            if force and now - self._fetched_at < self.refetch_interval:
                return
            self._unavailable()
            if now < self._failed_until:
                return  # keys known, issuer down: unknown kids stay unknown for now
            jwks = None if force else await self._shared()
            if jwks is None:
                self._fetched_at = now
                jwks = await self._fetch()
                if jwks is None:
                    self._failed_until = time.monotonic() + self.failure_ttl
                    if not self._keys:
                        raise self._down()
                    return
            self._keys = _rsa_keys(jwks)

    async def _fetch(self) -> dict[str, Any] | None:
        try:
            with anyio.fail_after(self.fetch_timeout):
                async with httpx.AsyncClient(verify=tls_context(), transport=self._transport,
                                             timeout=self.fetch_timeout,
                                             headers={"User-Agent": USER_AGENT}) as http:
                    response = await http.get(self.jwks_url)
                    response.raise_for_status()
                    jwks = response.json()
        except (httpx.HTTPError, ValueError, TimeoutError) as exc:
            log.warning("could not fetch JWKS from %s: %s", self.jwks_url,
                        type(exc).__name__ if isinstance(exc, TimeoutError) else exc)
            return None
        if not isinstance(jwks, dict):
            log.warning("JWKS from %s is not a JSON object", self.jwks_url)
            return None
        if self._state is not None:
            try:
                await self._state.put(self._cache_key, json.dumps(jwks).encode(),
                                      self.cache_ttl)
            except StateUnavailable as exc:
                log.warning("JWKS not shared: %s", exc)
        return jwks

    async def _shared(self) -> dict[str, Any] | None:
        """The JWKS another instance fetched, if the shared store has it (a cache: when the
        store is down, the issuer is asked instead)."""
        if self._state is None:
            return None
        try:
            raw = await self._state.get(self._cache_key)
            return json.loads(raw) if raw else None
        except (StateUnavailable, ValueError) as exc:
            log.warning("shared JWKS cache unusable: %s", exc)
            return None

    @property
    def _cache_key(self) -> str:
        return f"jwks:{self.issuer}"

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
