"""Token sources for ``run``: a static token from the environment, or client credentials that
are re-minted before they expire (the reference cannot re-mint: it never stores the secret).
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs

from .domains import base_url_for
from .errors import LoginError, SetupError, ToolError

if TYPE_CHECKING:
    import asyncio

    import httpx

EXPIRY_MARGIN = 60.0  # seconds before expiry at which a token counts as expired


class CredentialsError(SetupError):
    """Start-up cannot authenticate; the message says what to set or run."""


def unverified_claims(token: str) -> dict[str, Any] | None:
    """Claims of a JWT without checking the signature (Auth0 checks it; we only read exp and
    scopes to fail early and to filter tools). None for opaque tokens.

    Decoded by hand: it is three base64url parts, and a JWT library costs start-up time."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        payload = base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4))
        claims = json.loads(payload)
    except (binascii.Error, ValueError):
        return None
    return claims if isinstance(claims, dict) else None


def scopes_in(claims: Mapping[str, Any]) -> frozenset[str]:
    """The scopes granted by a token's claims or a token response: the ``scope`` string plus
    RBAC ``permissions``. The one scope parser (logins, filtering)."""
    scopes = set(str(claims.get("scope") or "").split())
    permissions = claims.get("permissions")
    if isinstance(permissions, list):
        scopes.update(p for p in permissions if isinstance(p, str))
    return frozenset(scopes)


def granted_scopes(token: str) -> frozenset[str] | None:
    """Scopes of a JWT; None for a token whose claims cannot be read (not filtered)."""
    claims = unverified_claims(token)
    return None if claims is None else scopes_in(claims)


async def request_token(url: str, form: Mapping[str, Any], *,
                        transport: httpx.AsyncBaseTransport | None = None,
                        rejected: str = "",
                        unreachable: str = "check the domain and the network") -> dict[str, Any]:
    """POST a token request (client credentials, refresh token); the body of a 200
    with an access token, else ``LoginError`` ending with the fix (``rejected`` /
    ``unreachable`` say what the caller's user should check). The one token minting path."""
    import httpx

    from .management import USER_AGENT, tls_context

    try:
        async with httpx.AsyncClient(verify=tls_context(), transport=transport, timeout=15.0,
                                     headers={"User-Agent": USER_AGENT}) as http:
            response = await http.post(url, data=dict(form))
    except httpx.HTTPError as exc:
        raise LoginError(f"could not reach {url} to get a token ({type(exc).__name__}): "
                         f"{unreachable}") from None
    body = _json(response)
    if response.status_code != 200 or "access_token" not in body:
        reason = (body.get("error_description") or body.get("error")
                  or " ".join(response.text.split())[:200] or "no details")
        raise LoginError(f"token request failed ({response.status_code}): {reason}{rejected}")
    return dict(body)


async def client_credentials_token(domain: str, client_id: str, client_secret: str, *,
                                   audience: str | None = None, **options: Any) -> dict[str, Any]:
    """A Management API token for an M2M application (``options`` as ``request_token``)."""
    base = base_url_for(domain)
    return await request_token(f"{base}/oauth/token", {
        "grant_type": "client_credentials", "client_id": client_id,
        "client_secret": client_secret, "audience": audience or f"{base}/api/v2/"}, **options)


@attrs.define
class StaticToken:
    """``AUTH0_TOKEN``: used as is; an expired JWT is a clear error, at start and per call."""

    value: str

    def check(self) -> None:
        claims = unverified_claims(self.value)
        if claims is None:
            raise CredentialsError(
                "AUTH0_TOKEN is not a JWT: a Management API access token is three base64url "
                "parts joined by dots. Copy the whole token again, or set AUTH0_CLIENT_ID and "
                "AUTH0_CLIENT_SECRET instead so tokens are minted and renewed")
        exp = claims.get("exp")
        if isinstance(exp, int | float) and exp - EXPIRY_MARGIN < time.time():
            when = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(exp))
            raise CredentialsError(f"AUTH0_TOKEN expired at {when}: get a new token, or use "
                                   "AUTH0_CLIENT_ID/AUTH0_CLIENT_SECRET so it is re-minted")

    async def token(self) -> str:
        try:
            self.check()
        except CredentialsError as exc:
            raise ToolError(str(exc)) from None
        return self.value

    def ready(self) -> str:
        """The token without awaiting: ``run`` answers the handshake before an event loop."""
        self.check()
        return self.value

    async def invalidate(self) -> bool:
        return False


@attrs.define
class ClientCredentials:
    """Mints Management API tokens with the client-credentials grant, caching each until shortly
    before it expires; a 401 forces a re-mint."""

    domain: str
    client_id: str
    client_secret: str = attrs.field(repr=False)
    audience: str | None = None
    transport: httpx.AsyncBaseTransport | None = None
    _token: str | None = attrs.field(default=None, init=False, repr=False)
    _expires_at: float = attrs.field(default=0.0, init=False)
    _lock: asyncio.Lock | None = attrs.field(default=None, init=False)

    @property
    def base_url(self) -> str:
        return base_url_for(self.domain)

    async def token(self) -> str:
        if self._lock is None:  # made here: importing asyncio early slows the handshake
            import asyncio

            self._lock = asyncio.Lock()
        async with self._lock:
            if self._token is None or time.time() >= self._expires_at - EXPIRY_MARGIN:
                await self._mint()
            assert self._token is not None
            return self._token

    async def invalidate(self) -> bool:
        self._token = None
        return True

    async def _mint(self) -> None:
        body = await client_credentials_token(
            self.domain, self.client_id, self.client_secret, audience=self.audience,
            transport=self.transport,
            rejected=". Check AUTH0_CLIENT_ID/AUTH0_CLIENT_SECRET and that the application is "
                     "authorized for the Management API.",
            unreachable="check AUTH0_DOMAIN (your-tenant.eu.auth0.com) and the network")
        self._token = body["access_token"]
        self._expires_at = time.time() + float(body.get("expires_in", 86400))


def _json(response: httpx.Response) -> Mapping[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, Mapping) else {}


@attrs.frozen
class Credentials:
    """What ``run`` authenticates with: the tenant domain and a token source."""

    domain: str
    tokens: Any  # TokenSource
    source: str  # "env-token", "client-credentials", "sandbox", "profile:<name>"
    known_secrets: tuple[str, ...] = ()


def from_environment(env: Mapping[str, str]) -> Credentials | None:
    """``AUTH0_DOMAIN`` + ``AUTH0_TOKEN``, or ``AUTH0_DOMAIN`` + ``AUTH0_CLIENT_ID`` +
    ``AUTH0_CLIENT_SECRET``; None when neither is configured."""
    domain = env.get("AUTH0_DOMAIN", "").strip()
    token = env.get("AUTH0_TOKEN", "").strip()
    client_id = env.get("AUTH0_CLIENT_ID", "").strip()
    secret = env.get("AUTH0_CLIENT_SECRET", "").strip()
    if not (token or client_id or secret):
        return None
    if not domain:
        raise CredentialsError("AUTH0_DOMAIN is required with AUTH0_TOKEN or AUTH0_CLIENT_ID "
                               "(e.g. AUTH0_DOMAIN=your-tenant.eu.auth0.com)")
    try:
        base_url_for(domain)
    except ValueError as exc:
        raise CredentialsError(f"AUTH0_DOMAIN: {exc}") from None
    if token:
        static = StaticToken(token)
        static.check()
        return Credentials(domain, static, "env-token", (token,))
    if not (client_id and secret):
        missing = "AUTH0_CLIENT_SECRET" if client_id else "AUTH0_CLIENT_ID"
        raise CredentialsError(f"{missing} is missing: client credentials need both "
                               "AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET")
    return Credentials(domain, ClientCredentials(domain, client_id, secret),
                       "client-credentials", (secret,))
