"""Logging in and staying logged in: the OAuth device flow (RFC 8628, honouring ``interval``
and ``slow_down``), client credentials, and a token source that refreshes a stored login before
it expires and keeps the rotated refresh token (reference #166)."""

from __future__ import annotations

import time
import webbrowser
from collections.abc import Awaitable, Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

import anyio
import httpx

from ..credentials import client_credentials_token, request_token, unverified_claims
from ..domains import is_loopback
from ..errors import LoginError
from ..management import USER_AGENT, tls_context
from .store import Store, StoredLogin

AUTH0_CLI_CLIENT_ID = "2lhnuYMRQ8IpR5hNsOhDFQqrGQUQMRm5"
DEFAULT_AUTH_SERVER = "https://auth0.auth0.com"
WILDCARD_AUDIENCE = "https://*.auth0.com/api/v2/"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
MARGIN = 120.0  # refresh this many seconds before expiry


def auth_server_url(value: str) -> str:
    """https, or http for a loopback address (the sandbox)."""
    value = value.rstrip("/")
    parts = urlsplit(value if "://" in value else f"https://{value}")
    if parts.scheme == "http" and not is_loopback(parts.hostname or ""):
        raise LoginError("the authorization server must use https (http only for loopback)")
    return f"{parts.scheme}://{parts.netloc}"


def domain_from_token(access_token: str) -> str:
    """The tenant a device-flow token is for: the host of its ``.../api/v2/`` audience."""
    claims = unverified_claims(access_token)
    if claims is None:
        raise LoginError("the login answered with an access token that is not a JWT")
    audiences = claims.get("aud") or []
    for aud in [audiences] if isinstance(audiences, str) else audiences:
        if aud.endswith("/api/v2/"):
            parts = urlsplit(aud)
            if parts.scheme == "http":
                return f"http://{parts.netloc}"
            return parts.netloc
    raise LoginError("the token names no Management API audience")


async def device_login(
    auth_server: str,
    scopes: Iterable[str],
    *,
    client_id: str = AUTH0_CLI_CLIENT_ID,
    audience: str = WILDCARD_AUDIENCE,
    show: Callable[[str], None] = print,
    open_browser: bool = True,
    transport: httpx.AsyncBaseTransport | None = None,
    sleep: Callable[[float], Awaitable[Any]] = anyio.sleep,
) -> dict[str, Any]:
    """Run the device flow to the end; returns the token response or raises LoginError."""
    base = auth_server_url(auth_server)
    async with httpx.AsyncClient(verify=tls_context(), transport=transport, timeout=30,
                                 headers={"User-Agent": USER_AGENT}) as http:
        started = await http.post(f"{base}/oauth/device/code", data={
            "client_id": client_id, "scope": " ".join(scopes), "audience": audience})
        if started.status_code != 200:
            raise LoginError(f"the device code request failed ({started.status_code}): "
                             f"{started.text[:200]}")
        flow = started.json()
        url = flow.get("verification_uri_complete") or flow["verification_uri"]
        show(f"Open {url} and confirm the code {flow['user_code']}.")
        if open_browser:
            webbrowser.open(url)
        interval = float(flow.get("interval", 5))
        deadline = time.monotonic() + float(flow.get("expires_in", 900))
        while True:
            await sleep(interval)
            answer = await http.post(f"{base}/oauth/token", data={
                "grant_type": DEVICE_GRANT, "device_code": flow["device_code"],
                "client_id": client_id})
            body = answer.json() if answer.content else {}
            if answer.status_code == 200:
                return body
            error = body.get("error")
            if error == "authorization_pending" and time.monotonic() < deadline:
                continue
            if error == "slow_down":
                interval += 5  # RFC 8628 §3.5
                continue
            if error == "access_denied":
                raise LoginError("the login was denied in the browser")
            if error in ("expired_token", "authorization_pending"):
                raise LoginError("the code expired before it was confirmed; run init again")
            raise LoginError(f"login failed: {body.get('error_description') or error}")


class StoredProfileTokens:
    """A TokenSource over a stored profile: refreshed ``MARGIN`` seconds before expiry, at start
    and during a long session; rotated refresh tokens are saved."""

    def __init__(self, store: Store, name: str,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.store = store
        self.name = name
        self.transport = transport
        self._lock = anyio.Lock()

    def profile(self) -> StoredLogin:
        profile = self.store.load(self.name)
        if profile is None:
            raise LoginError(f"no stored login named {self.name!r}: run `auth0-mcp init "
                             f"--profile {self.name}`")
        return profile

    async def token(self) -> str:
        async with self._lock:
            profile = self.profile()
            if profile.expires_at - MARGIN <= time.time():
                profile = await self._renew(profile)
            return profile.access_token

    async def invalidate(self) -> bool:
        profile = self.profile()
        if profile.kind == "client_credentials" or profile.refresh_token:
            profile.expires_at = 0
            self.store.save(profile)
            return True
        return False

    @property
    def _again(self) -> str:
        return f". Log in again with `auth0-mcp init --profile {self.name}`."

    async def _renew(self, profile: StoredLogin) -> StoredLogin:
        if profile.kind == "client_credentials":
            assert profile.client_id and profile.client_secret
            body = await client_credentials_token(
                profile.domain, profile.client_id, profile.client_secret,
                transport=self.transport, rejected=self._again)
        elif profile.refresh_token and profile.auth_server:
            body = await request_token(f"{profile.auth_server}/oauth/token", {
                "grant_type": "refresh_token", "refresh_token": profile.refresh_token,
                "client_id": profile.client_id or AUTH0_CLI_CLIENT_ID},
                transport=self.transport, rejected=self._again)
        else:
            raise LoginError(f"the login {profile.name!r} expired and cannot be refreshed: run "
                             f"`auth0-mcp init --profile {profile.name}` again")
        profile.access_token = body["access_token"]
        profile.expires_at = time.time() + float(body.get("expires_in", 86400))
        profile.refresh_token = body.get("refresh_token", profile.refresh_token)
        self.store.save(profile)
        return profile
