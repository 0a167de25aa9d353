"""The sandbox's Authentication API: the tenant's signing key and RS256 tokens, ``/oauth/token``
(client credentials, device code, rotating refresh tokens), the device flow, revocation and
discovery. Messages and statuses follow reference/auth0-api.md §6-8.

Everything that must survive a restart with ``--state`` (the key, device codes, refresh tokens)
lives in ``tenant.auth``; refresh tokens are stored hashed, as the state file is on disk.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import html
import json
import re
import secrets
import time
from collections.abc import Iterable, Mapping
from typing import Any

import attrs
import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from .routing import ApiError, OAuthError, Reply, Router, SandboxRequest
from .tenant import SandboxTenant

AUTH0_CLI_CLIENT_ID = "2lhnuYMRQ8IpR5hNsOhDFQqrGQUQMRm5"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
OIDC_SCOPES = frozenset({"openid", "profile", "email", "address", "phone", "offline_access"})
USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ"  # no vowels: no words, no 0/O or 1/I confusion
UNAUTHORIZED_CLIENT = (401, "access_denied", "Unauthorized")
NO_STORE = {"cache-control": "no-store", "pragma": "no-cache"}
DISCOVERY_HEADERS = {
    "cache-control": "public, max-age=15, stale-while-revalidate=15, stale-if-error=86400",
    "access-control-allow-origin": "*",
    "access-control-expose-headers": "X-RateLimit-Limit, X-RateLimit-Remaining, "
                                     "X-RateLimit-Reset",
}

# --- the signing key ------------------------------------------------------------------------


@attrs.frozen
class SigningKey:
    private: rsa.RSAPrivateKey
    kid: str
    jwk: dict[str, Any]


_keys: dict[str, SigningKey] = {}  # parsed keys by PEM: parsing costs more than a request


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _self_signed(key: rsa.RSAPrivateKey, tenant: SandboxTenant) -> str:
    """A certificate for ``x5c``/``x5t``, as Auth0 publishes (``CN`` = the tenant's host)."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, tenant.domain.split(":")[0])])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=3650))
            .sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def signing_key(tenant: SandboxTenant) -> SigningKey:
    """The tenant's 2048-bit RSA key, created on first use and kept in ``tenant.auth``
    (``signing_key_pem``, ``signing_cert_pem``; the kid derives from the PEM, so it is stable
    across restarts with ``--state``)."""
    pem = tenant.auth.get("signing_key_pem")
    private: rsa.RSAPrivateKey | None = None
    if pem is None:
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = tenant.auth["signing_key_pem"] = private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()).decode()
    cached = _keys.get(pem)
    if cached is None:
        if private is None:  # the sandbox's own key, from its state file: no costly re-check
            loaded = serialization.load_pem_private_key(
                pem.encode(), password=None, unsafe_skip_rsa_key_validation=True)
            assert isinstance(loaded, rsa.RSAPrivateKey)
            private = loaded
        if "signing_cert_pem" not in tenant.auth:
            tenant.auth["signing_cert_pem"] = _self_signed(private, tenant)
        cert = x509.load_pem_x509_certificate(tenant.auth["signing_cert_pem"].encode())
        der = cert.public_bytes(serialization.Encoding.DER)
        numbers = private.public_key().public_numbers()
        kid = hashlib.sha256(pem.encode()).hexdigest()[:32]
        jwk = {"alg": "RS256", "kty": "RSA", "use": "sig",
               "n": _b64url(numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big")),
               "e": _b64url(numbers.e.to_bytes((numbers.e.bit_length() + 7) // 8, "big")),
               "kid": kid, "x5t": _b64url(hashlib.sha1(der).digest()),
               "x5c": [base64.b64encode(der).decode()]}
        cached = _keys[pem] = SigningKey(private, kid, jwk)
    return cached


def jwks(tenant: SandboxTenant) -> dict[str, Any]:
    return {"keys": [dict(signing_key(tenant).jwk)]}


# --- access tokens ----------------------------------------------------------------------------


def mint_access_token(tenant: SandboxTenant, *, sub: str, scopes: Iterable[str],
                      audience: str | list[str] | None = None, expires_in: int = 86400,
                      azp: str | None = None, grant_type: str | None = None,
                      extra_claims: Mapping[str, Any] | None = None) -> str:
    """An RS256 JWT shaped like Auth0's: ``iss``, ``sub``, ``aud`` (default: the Management
    API), ``iat``/``exp``, ``azp``, ``scope`` (space-separated), ``gty`` and ``permissions``."""
    key = signing_key(tenant)
    now = int(time.time())
    granted = [s for s in dict.fromkeys(scopes) if s]
    claims: dict[str, Any] = {
        "iss": tenant.issuer,
        "sub": sub,
        "aud": audience if audience is not None else tenant.management_audience,
        "iat": now,
        "exp": now + int(expires_in),
    }
    if azp:
        claims["azp"] = azp
    if granted:
        claims["scope"] = " ".join(granted)
    if grant_type:
        claims["gty"] = grant_type
    claims["permissions"] = [s for s in granted if s not in OIDC_SCOPES]
    claims.update(extra_claims or {})
    return jwt.encode(claims, key.private, algorithm="RS256", headers={"kid": key.kid})


def unauthorized(message: str) -> ApiError:
    """Auth0's 401: the message repeated in ``attributes.error``, plus a Bearer challenge."""
    return ApiError(401, message, extra={"attributes": {"error": message}},
                    headers={"WWW-Authenticate": "Bearer"})


def verify_access_token(tenant: SandboxTenant, token: str,
                        audience: str | None = None) -> dict[str, Any]:
    """The claims of a token this tenant issued for ``audience`` (default: the Management
    API), or the 401 Auth0 answers with."""
    key = signing_key(tenant)
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise unauthorized("Invalid token") from None
    if header.get("alg") != "RS256":
        raise unauthorized("Invalid token")
    if header.get("kid") != key.kid:  # signed by another key (another tenant, an old key)
        raise unauthorized("Invalid signature received for JSON Web Token validation")
    try:
        claims = jwt.decode(token, key.private.public_key(), algorithms=["RS256"],
                            issuer=tenant.issuer, options={"verify_aud": False,
                                                           "require": ["exp", "iat"]})
    except jwt.ExpiredSignatureError:
        raise unauthorized("Expired token received for JSON Web Token validation") from None
    except jwt.InvalidSignatureError:
        raise unauthorized("Invalid signature received for JSON Web Token validation") from None
    except jwt.PyJWTError:
        raise unauthorized("Invalid token") from None
    wanted = audience or tenant.management_audience
    aud = claims.get("aud")
    auds = aud if isinstance(aud, list) else [aud]
    if wanted not in auds:
        raise unauthorized(f"Bad audience: {' '.join(str(a) for a in auds)}")
    return claims


def granted_scopes(claims: Mapping[str, Any]) -> set[str]:
    """``scope`` plus ``permissions``: Auth0 honours either on the Management API."""
    scopes = set(str(claims.get("scope") or "").split())
    return scopes | {str(p) for p in claims.get("permissions") or ()}


# --- settings and state -------------------------------------------------------------------------

DEVICE_INTERVAL = 5  # seconds between polls; 0 never answers slow_down (tests)
DEVICE_EXPIRES_IN = 900


def device_timings(tenant: SandboxTenant) -> tuple[int, int]:
    """(interval, expires_in) for new device codes: tenant settings, like Auth0's, kept in
    ``tenant.auth`` as ``device_interval`` and ``device_expires_in``."""
    return (int(tenant.auth.get("device_interval", DEVICE_INTERVAL)),
            int(tenant.auth.get("device_expires_in", DEVICE_EXPIRES_IN)))


def _state(tenant: SandboxTenant, name: str) -> dict[str, Any]:
    return tenant.auth.setdefault(name, {})


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def device_user(tenant: SandboxTenant) -> dict[str, str]:
    """The one person who approves device logins in the sandbox (stable across logins)."""
    user = tenant.auth.get("device_user")
    if user is None:
        user = tenant.auth["device_user"] = {
            "user_id": "auth0|" + secrets.token_hex(12), "name": "Sandbox Admin",
            "nickname": "sandbox-admin", "email": "admin@sandbox.example.com"}
    return user


# --- request helpers ------------------------------------------------------------------------------


def _form(req: SandboxRequest) -> dict[str, str]:
    """The parameters, form-encoded or JSON (both are accepted, reference §6)."""
    if req.body is not None and not isinstance(req.body, dict):
        raise OAuthError(400, "invalid_request", "The request body must be a JSON object or "
                                                 "form-encoded parameters.")
    form = {k: v if isinstance(v, str) else json.dumps(v) for k, v in (req.body or {}).items()
            if v is not None}
    basic = req.headers.get("authorization", "")
    if basic[:6].lower() == "basic ":  # client_secret_basic
        try:
            client_id, _, secret = base64.b64decode(basic[6:]).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise OAuthError(*UNAUTHORIZED_CLIENT) from None
        form.setdefault("client_id", client_id)
        form.setdefault("client_secret", secret)
    return form


def _required(form: Mapping[str, str], name: str) -> str:
    value = form.get(name)
    if not value:
        raise OAuthError(400, "invalid_request", f"Missing required parameter: {name}")
    return value


def _client(tenant: SandboxTenant, form: Mapping[str, str], grant: str, *,
            confidential: bool = False) -> dict[str, Any]:
    """The calling application, authenticated: confidential clients (and every client for
    ``confidential`` grants) must send their secret; the grant must be enabled for it."""
    client = tenant.collection("clients").get(form.get("client_id") or "")
    if client is None:
        raise OAuthError(*UNAUTHORIZED_CLIENT)
    secret = client.get("client_secret")
    public = client.get("token_endpoint_auth_method") == "none" or not secret
    if confidential and public:
        raise OAuthError(*UNAUTHORIZED_CLIENT)
    if not public or form.get("client_secret"):
        if not secret or not secrets.compare_digest(str(secret),
                                                    str(form.get("client_secret", ""))):
            raise OAuthError(*UNAUTHORIZED_CLIENT)
    if "grant_types" in client and grant not in client["grant_types"]:
        raise OAuthError(403, "unauthorized_client",
                         f"Grant type '{grant}' not allowed for the client.")
    return client


def _api(tenant: SandboxTenant, audience: str | None) -> dict[str, Any]:
    """The resource server an ``audience`` names; Auth0's wildcard Management audience
    (``https://*.auth0.com/api/v2/``, used by the Auth0 CLI) means this tenant's."""
    audience = audience or tenant.auth.get("default_audience")
    if not audience:
        raise OAuthError(403, "access_denied", "No audience parameter was provided, and no "
                                               "default audience has been configured")
    if "*" in audience and audience.endswith("/api/v2/"):
        audience = tenant.management_audience
    for api in tenant.collection("resource_servers").values():
        if api.get("identifier") == audience:
            return api
    raise OAuthError(403, "access_denied", f"Service not found: {audience}")


def _user_scopes(api: Mapping[str, Any], requested: Iterable[str]) -> list[str]:
    """What a user token may carry: OIDC scopes and the API's own; Auth0 drops the rest."""
    defined = {s.get("value") for s in api.get("scopes") or ()}
    return [s for s in dict.fromkeys(requested) if s in OIDC_SCOPES or s in defined]


def _token_reply(body: dict[str, Any]) -> Reply:
    return Reply(body=body, headers=NO_STORE)


# --- the grants ---------------------------------------------------------------------------------


def client_credentials(tenant: SandboxTenant, form: Mapping[str, str]) -> dict[str, Any]:
    client = _client(tenant, form, "client_credentials", confidential=True)
    api = _api(tenant, form.get("audience"))
    audience = api["identifier"]
    grant = next((g for g in tenant.collection("client_grants").values()
                  if g.get("client_id") == client["client_id"]
                  and g.get("audience") == audience), None)
    if grant is None:
        raise OAuthError(403, "access_denied",
                         f'Client is not authorized to access "{audience}". You need to create '
                         'a "client-grant" associated to this API. See: '
                         "https://auth0.com/docs/api/v2#!/Client_Grants/post_client_grants")
    scopes = list(grant.get("scope") or [])
    if form.get("scope"):
        asked = set(form["scope"].split())
        scopes = [s for s in scopes if s in asked]
    lifetime = int(api.get("token_lifetime") or 86400)
    token = mint_access_token(tenant, sub=f"{client['client_id']}@clients", scopes=scopes,
                              audience=audience, expires_in=lifetime, azp=client["client_id"],
                              grant_type="client-credentials")
    body: dict[str, Any] = {"access_token": token}
    if scopes:
        body["scope"] = " ".join(scopes)
    body.update({"expires_in": lifetime, "token_type": "Bearer"})
    return body


def _user_tokens(tenant: SandboxTenant, *, client_id: str, sub: str, scopes: list[str],
                 audience: str, family: str | None = None) -> dict[str, Any]:
    """Tokens for a person: the access token (for ``openid`` its ``aud`` is [API, userinfo],
    as Auth0 issues it), an ID token for ``openid``, a rotating refresh token for
    ``offline_access``."""
    api = next((a for a in tenant.collection("resource_servers").values()
                if a.get("identifier") == audience), {})
    lifetime = int(api.get("token_lifetime") or 86400)
    access_scopes = [s for s in scopes if s != "offline_access"]
    body: dict[str, Any] = {
        "access_token": mint_access_token(
            tenant, sub=sub, scopes=access_scopes, expires_in=lifetime, azp=client_id,
            audience=[audience, f"{tenant.issuer}userinfo"] if "openid" in scopes else audience),
    }
    if "offline_access" in scopes:
        token = "v1." + secrets.token_urlsafe(48)
        _state(tenant, "refresh_tokens")[_digest(token)] = {
            "client_id": client_id, "sub": sub, "scope": scopes, "audience": audience,
            "family": family or secrets.token_hex(8), "rotated": False,
            "issued_at": int(time.time())}
        body["refresh_token"] = token
    if "openid" in scopes:
        user = device_user(tenant)
        now = int(time.time())
        claims = {"nickname": user["nickname"], "name": user["name"], "email": user["email"],
                  "email_verified": True, "iss": tenant.issuer, "aud": client_id, "sub": sub,
                  "iat": now, "exp": now + 36000}
        key = signing_key(tenant)
        body["id_token"] = jwt.encode(claims, key.private, algorithm="RS256",
                                      headers={"kid": key.kid})
    body.update({"scope": " ".join(scopes), "expires_in": lifetime, "token_type": "Bearer"})
    return body


def device_token(tenant: SandboxTenant, form: Mapping[str, str]) -> dict[str, Any]:
    """One poll of the device flow (reference §7): pending, slow_down, expired (said once,
    then the code is unknown), denied, or the tokens."""
    code = _required(form, "device_code")
    client = _client(tenant, form, DEVICE_GRANT)
    codes = _state(tenant, "device_codes")
    entry = codes.get(_digest(code))
    if entry is None or entry["client_id"] != client["client_id"]:
        raise OAuthError(403, "invalid_grant", "Invalid or expired device code.")
    now = time.time()
    if now >= entry["expires_at"]:
        del codes[_digest(code)]
        raise OAuthError(403, "expired_token", "The device code has expired. Start a new "
                                               "login.")
    if entry["status"] == "denied":
        del codes[_digest(code)]
        raise OAuthError(403, "access_denied", "User cancelled the confirmation prompt.")
    if entry["status"] == "pending":
        last, entry["last_poll"] = entry.get("last_poll"), now
        if last is not None and now - last < entry["interval"]:
            interval = entry["interval"]
            entry["interval"] += 5  # RFC 8628: the client must slow down by 5 seconds
            raise OAuthError(429, "slow_down", "You are polling faster than the specified "
                                               f"interval of {interval} seconds.")
        raise OAuthError(403, "authorization_pending", "User has yet to authorize device code.")
    del codes[_digest(code)]
    return _user_tokens(tenant, client_id=client["client_id"], sub=entry["sub"],
                        scopes=entry["granted_scope"], audience=entry["audience"])


def refresh(tenant: SandboxTenant, form: Mapping[str, str]) -> dict[str, Any]:
    """Rotation: each use retires the token; using a retired one again revokes its whole
    family (Auth0's reuse detection)."""
    token = _required(form, "refresh_token")
    client = _client(tenant, form, "refresh_token")
    tokens = _state(tenant, "refresh_tokens")
    entry = tokens.get(_digest(token))
    if entry is None or entry["client_id"] != client["client_id"]:
        raise OAuthError(403, "invalid_grant", "Unknown or invalid refresh token.")
    if entry["rotated"]:
        revoke_family(tenant, entry["family"])
        raise OAuthError(403, "invalid_grant", "Unknown or invalid refresh token.")
    scopes = list(entry["scope"])
    if form.get("scope"):
        asked = list(dict.fromkeys(form["scope"].split()))
        if not set(asked) <= set(scopes):
            raise OAuthError(403, "access_denied", "The requested scope exceeds the scope "
                                                   "granted to the refresh token.")
        scopes = asked + (["offline_access"] if "offline_access" not in asked else [])
    entry["rotated"] = True
    return _user_tokens(tenant, client_id=client["client_id"], sub=entry["sub"],
                        scopes=scopes, audience=entry["audience"], family=entry["family"])


def revoke_family(tenant: SandboxTenant, family: str) -> None:
    tokens = _state(tenant, "refresh_tokens")
    for digest in [d for d, e in tokens.items() if e["family"] == family]:
        del tokens[digest]


# --- device codes -------------------------------------------------------------------------------


def _user_code() -> str:
    pick = "".join(secrets.choice(USER_CODE_ALPHABET) for _ in range(8))
    return f"{pick[:4]}-{pick[4:]}"


def _normal_code(user_code: str) -> str:
    letters = re.sub(r"[^A-Za-z]", "", user_code).upper()[:8]
    return f"{letters[:4]}-{letters[4:]}" if len(letters) > 4 else letters


def start_device_flow(tenant: SandboxTenant, form: Mapping[str, str],
                      base_url: str) -> dict[str, Any]:
    client = tenant.collection("clients").get(form.get("client_id") or "")
    if client is None:
        raise OAuthError(*UNAUTHORIZED_CLIENT)
    if "grant_types" in client and DEVICE_GRANT not in client["grant_types"]:
        raise OAuthError(403, "unauthorized_client",
                         f"Grant type '{DEVICE_GRANT}' not allowed for the client.")
    # without an audience the sandbox logs into its own Management API (its reason to exist)
    api = _api(tenant, form.get("audience") or form.get("resource")
               or tenant.management_audience)
    codes = _state(tenant, "device_codes")
    now = time.time()
    for digest in [d for d, e in codes.items() if e["expires_at"] < now - 3600]:
        del codes[digest]  # long-expired codes nobody polls any more
    interval, expires_in = device_timings(tenant)
    code, user_code = secrets.token_urlsafe(24), _user_code()
    requested = str(form.get("scope") or "").split()
    codes[_digest(code)] = {
        "user_code": user_code, "client_id": client["client_id"], "audience": api["identifier"],
        "scope": _user_scopes(api, requested), "granted_scope": None, "status": "pending",
        "interval": interval, "last_poll": None, "expires_at": now + expires_in,
        "sub": device_user(tenant)["user_id"]}
    uri = f"{base_url}/activate"
    return {"device_code": code, "user_code": user_code, "verification_uri": uri,
            "expires_in": expires_in, "interval": interval,
            "verification_uri_complete": f"{uri}?user_code={user_code}"}


def decide_device(tenant: SandboxTenant, user_code: str, approve: bool,
                  scopes: Iterable[str] | None = None) -> bool:
    """What the person does in the browser: approve (optionally granting only ``scopes``) or
    deny a pending, unexpired device code. False when there is no such code."""
    wanted = _normal_code(user_code)
    for entry in _state(tenant, "device_codes").values():
        if entry["user_code"] == wanted and entry["status"] == "pending" \
                and time.time() < entry["expires_at"]:
            entry["status"] = "approved" if approve else "denied"
            granted = entry["scope"] if scopes is None else list(scopes)
            entry["granted_scope"] = granted
            return True
    return False


_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Device activation - auth0-mcp sandbox</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 32em; margin: 3em auto">
<h1>Device activation</h1>
<p>This is the local <b>auth0-mcp sandbox tenant</b>. A device asks to sign in as
<b>{user}</b>.</p>
<form id="f"><label>Code <input name="user_code" value="{code}" autocomplete="off"
 style="font-size: 1.4em; letter-spacing: .2em; width: 9em"></label></form>
<p><button onclick="decide('approve')">Approve</button>
<button onclick="decide('deny')">Deny</button></p>
<p id="out" role="status"></p>
<script>
async function decide(action) {{
  const user_code = document.querySelector('input[name=user_code]').value;
  const r = await fetch('/sandbox/device', {{method: 'POST',
    headers: {{'content-type': 'application/json'}},
    body: JSON.stringify({{user_code, action}})}});
  document.getElementById('out').textContent = r.ok
    ? (action === 'approve' ? 'Approved: you can close this page.' : 'Denied.')
    : 'No pending login with that code (it may have expired).';
}}
document.getElementById('f').addEventListener('submit', e => e.preventDefault());
</script></body></html>
"""


# --- the router -----------------------------------------------------------------------------------


router = Router("authentication")  # the Authentication API: no route needs a bearer token


def _route(method: str, path: str):
    return router.route(method, path, authenticated=False)


@_route("POST", "/oauth/token")
def token(req: SandboxRequest) -> Reply:
    form = _form(req)
    grant = _required(form, "grant_type")
    if grant == "client_credentials":
        body = client_credentials(req.tenant, form)
    elif grant == DEVICE_GRANT:
        body = device_token(req.tenant, form)
    elif grant == "refresh_token":
        body = refresh(req.tenant, form)
    else:  # password, authorization_code, ...: no users or browsers to emulate
        raise OAuthError(403, "unauthorized_client",
                         f"Grant type '{grant}' not allowed for the client.")
    req.tenant.save()
    return _token_reply(body)


@_route("POST", "/oauth/device/code")
def device_code(req: SandboxRequest) -> Reply:
    body = start_device_flow(req.tenant, _form(req), req.base_url)
    req.tenant.save()
    return _token_reply(body)


@_route("POST", "/oauth/revoke")
def revoke(req: SandboxRequest) -> Reply:
    form = _form(req)
    revoked = _required(form, "token")
    client = _client(req.tenant, form, "refresh_token")
    entry = _state(req.tenant, "refresh_tokens").get(_digest(revoked))
    if entry is not None and entry["client_id"] == client["client_id"]:
        revoke_family(req.tenant, entry["family"])
        req.tenant.save()
    return Reply(body=None, status=200)


@_route("POST", "/sandbox/device")
def device_decision(req: SandboxRequest) -> dict[str, Any]:
    body = req.json_object()
    action = body.get("action")
    scopes = body.get("scopes")
    if action not in ("approve", "deny") or not isinstance(body.get("user_code"), str) \
            or not (scopes is None or isinstance(scopes, list)):
        raise ApiError(400, 'Send {"user_code": "XXXX-XXXX", "action": "approve" | "deny", '
                            '"scopes": [...] (optional)}.', "invalid_body")
    if not decide_device(req.tenant, body["user_code"], action == "approve", scopes):
        raise ApiError(404, "No pending device login with that user code.",
                       "inexistent_device_code")
    req.tenant.save()
    return {"user_code": _normal_code(body["user_code"]), "status": f"{action}d"}


@_route("GET", "/activate")
def activate(req: SandboxRequest) -> Reply:
    page = _PAGE.format(code=html.escape(_normal_code(req.query.get("user_code", ""))),
                        user=html.escape(device_user(req.tenant)["email"]))
    return Reply(body=page, headers={"content-type": "text/html; charset=utf-8"})


@_route("GET", "/.well-known/jwks.json")
def jwks_endpoint(req: SandboxRequest) -> Reply:
    return Reply(body=jwks(req.tenant), headers=DISCOVERY_HEADERS)


@_route("GET", "/.well-known/openid-configuration")
def discovery(req: SandboxRequest) -> Reply:
    return Reply(body=openid_configuration(req.tenant), headers=DISCOVERY_HEADERS)


def openid_configuration(tenant: SandboxTenant) -> dict[str, Any]:
    """The discovery document, in the order of the 2022 capture (reference §8)."""
    base = tenant.base_url
    return {
        "issuer": tenant.issuer,
        "authorization_endpoint": f"{base}/authorize",
        "token_endpoint": f"{base}/oauth/token",
        "device_authorization_endpoint": f"{base}/oauth/device/code",
        "userinfo_endpoint": f"{base}/userinfo",
        "mfa_challenge_endpoint": f"{base}/mfa/challenge",
        "jwks_uri": f"{base}/.well-known/jwks.json",
        "registration_endpoint": f"{base}/oidc/register",
        "revocation_endpoint": f"{base}/oauth/revoke",
        "scopes_supported": ["openid", "profile", "offline_access", "name", "given_name",
                             "family_name", "nickname", "email", "email_verified", "picture",
                             "created_at", "identities", "phone", "address"],
        "response_types_supported": ["code", "token", "id_token", "code token", "code id_token",
                                     "token id_token", "code token id_token"],
        "code_challenge_methods_supported": ["S256", "plain"],
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["HS256", "RS256", "PS256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post",
                                                  "private_key_jwt"],
        "claims_supported": ["aud", "auth_time", "created_at", "email", "email_verified", "exp",
                             "family_name", "given_name", "iat", "identities", "iss", "name",
                             "nickname", "phone_number", "picture", "sub"],
        "request_uri_parameter_supported": False,
        "request_parameter_supported": False,
        "token_endpoint_auth_signing_alg_values_supported": ["RS256", "RS384", "PS256"],
    }
