"""The sandbox's Authentication API: tokens, the device flow, revocation and discovery.

Device codes and refresh tokens live in ``tenant.auth`` so ``--state`` keeps logins across
restarts. Refresh tokens rotate: each use returns a new one and retires the old one.
"""

from __future__ import annotations

import html
import secrets
import time
from typing import Any

from .keys import jwks, mint_access_token
from .routing import OAuthError, Reply, Router, SandboxRequest
from .tenant import SandboxTenant

router = Router("auth")

AUTH0_CLI_CLIENT_ID = "2lhnuYMRQ8IpR5hNsOhDFQqrGQUQMRm5"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ"
DEFAULT_INTERVAL = 5
DEVICE_EXPIRES_IN = 900
TOKEN_LIFETIME = 86400


def _state(tenant: SandboxTenant, name: str) -> dict[str, Any]:
    return tenant.auth.setdefault(name, {})


def _form(req: SandboxRequest) -> dict[str, Any]:
    if not isinstance(req.body, dict):
        raise OAuthError(400, "invalid_request", "Missing request body")
    return req.body


def _client(tenant: SandboxTenant, client_id: str | None) -> dict[str, Any]:
    client = tenant.collection("clients").get(client_id or "")
    if client is None:
        raise OAuthError(401, "access_denied", "Unauthorized")
    return client


def _user_code() -> str:
    pick = "".join(secrets.choice(USER_CODE_ALPHABET) for _ in range(8))
    return f"{pick[:4]}-{pick[4:]}"


def _token_response(tenant: SandboxTenant, *, sub: str, scopes: list[str], audience: str,
                    client_id: str, grant: str, refresh: bool,
                    expires_in: int | None = None) -> dict[str, Any]:
    lifetime = expires_in or int(tenant.auth.get("token_lifetime", TOKEN_LIFETIME))
    api_scopes = [s for s in scopes if s not in ("openid", "profile", "email", "offline_access")]
    body: dict[str, Any] = {
        "access_token": mint_access_token(tenant, sub=sub, scopes=api_scopes, audience=audience,
                                          expires_in=lifetime, azp=client_id,
                                          grant_type=grant if grant == "client-credentials"
                                          else None),
        "scope": " ".join(scopes),
        "expires_in": lifetime,
        "token_type": "Bearer",
    }
    if refresh:
        token = "v1." + secrets.token_urlsafe(48)
        _state(tenant, "refresh_tokens")[token] = {"client_id": client_id, "sub": sub,
                                                   "scope": scopes, "audience": audience}
        body["refresh_token"] = token
    tenant.save()
    return body


@router.route("POST", "/oauth/token", authenticated=False)
def token(req: SandboxRequest) -> dict[str, Any]:
    form = _form(req)
    grant = form.get("grant_type")
    if grant == "client_credentials":
        return _client_credentials(req.tenant, form)
    if grant == DEVICE_GRANT:
        return _device_token(req.tenant, form)
    if grant == "refresh_token":
        return _refresh(req.tenant, form)
    raise OAuthError(400, "unsupported_grant_type", f"Unsupported grant type: {grant}")


def _client_credentials(tenant: SandboxTenant, form: dict[str, Any]) -> dict[str, Any]:
    client = _client(tenant, form.get("client_id"))
    if not client.get("client_secret") or not secrets.compare_digest(
            str(client.get("client_secret")), str(form.get("client_secret", ""))):
        raise OAuthError(401, "access_denied", "Unauthorized")
    audience = form.get("audience") or tenant.management_audience
    grant = next((g for g in tenant.collection("client_grants").values()
                  if g.get("client_id") == client["client_id"] and g.get("audience") == audience),
                 None)
    if grant is None:
        raise OAuthError(403, "access_denied",
                         f'Client is not authorized to access "{audience}". You need to create a '
                         '"client-grant" associated to this API. See: '
                         "https://auth0.com/docs/api/v2#!/Client_Grants/post_client_grants")
    return _token_response(tenant, sub=f"{client['client_id']}@clients",
                           scopes=list(grant.get("scope", [])), audience=audience,
                           client_id=client["client_id"], grant="client-credentials",
                           refresh=False)


@router.route("POST", "/oauth/device/code", authenticated=False)
def device_code(req: SandboxRequest) -> dict[str, Any]:
    form = _form(req)
    client_id = form.get("client_id")
    if client_id != AUTH0_CLI_CLIENT_ID and client_id not in req.tenant.collection("clients"):
        raise OAuthError(401, "unauthorized_client", "Unknown client.")
    code = secrets.token_urlsafe(32)
    user_code = _user_code()
    interval = int(req.tenant.auth.get("device_interval", DEFAULT_INTERVAL))
    expires_in = int(req.tenant.auth.get("device_expires_in", DEVICE_EXPIRES_IN))
    _state(req.tenant, "device_codes")[code] = {
        "user_code": user_code, "client_id": client_id,
        "scope": str(form.get("scope", "")).split(),
        "audience": form.get("audience") or req.tenant.management_audience,
        "expires_at": time.time() + expires_in, "interval": interval, "last_poll": 0.0,
        "status": "pending", "sub": "auth0|" + secrets.token_hex(12),
    }
    uri = f"{req.base_url}/activate"
    return {"device_code": code, "user_code": user_code, "verification_uri": uri,
            "verification_uri_complete": f"{uri}?user_code={user_code}",
            "expires_in": expires_in, "interval": interval}


def _device_token(tenant: SandboxTenant, form: dict[str, Any]) -> dict[str, Any]:
    codes = _state(tenant, "device_codes")
    entry = codes.get(str(form.get("device_code", "")))
    if entry is None or entry["client_id"] != form.get("client_id"):
        raise OAuthError(403, "invalid_grant", "Invalid or expired device code.")
    now = time.time()
    if now > entry["expires_at"]:  # said once; the code is then unknown (invalid_grant)
        codes.pop(form["device_code"], None)
        raise OAuthError(403, "expired_token", "Device code expired.")
    if entry["status"] == "denied":
        codes.pop(form["device_code"], None)
        raise OAuthError(403, "access_denied", "User cancelled the confirmation prompt or "
                                               "consent page.")
    if entry["status"] == "pending":
        too_fast = now - entry["last_poll"] < entry["interval"]
        entry["last_poll"] = now
        if too_fast:
            entry["interval"] += 5
            raise OAuthError(429, "slow_down", "You are polling faster than the specified "
                                               "interval of 5 seconds.")
        raise OAuthError(403, "authorization_pending", "User has yet to authorize device code.")
    codes.pop(form["device_code"], None)
    audience = entry["audience"]
    if "*" in audience:  # Auth0's wildcard Management API audience: this tenant
        audience = tenant.management_audience
    scopes = entry.get("granted_scope") or entry["scope"]
    return _token_response(tenant, sub=entry["sub"], scopes=scopes, audience=audience,
                           client_id=entry["client_id"], grant="device",
                           refresh="offline_access" in scopes)


def _refresh(tenant: SandboxTenant, form: dict[str, Any]) -> dict[str, Any]:
    tokens = _state(tenant, "refresh_tokens")
    entry = tokens.pop(str(form.get("refresh_token", "")), None)
    if entry is None or entry["client_id"] != form.get("client_id"):
        raise OAuthError(403, "invalid_grant", "Unknown or invalid refresh token.")
    return _token_response(tenant, sub=entry["sub"], scopes=entry["scope"],
                           audience=entry["audience"], client_id=entry["client_id"],
                           grant="refresh", refresh=True)


@router.route("POST", "/oauth/revoke", authenticated=False)
def revoke(req: SandboxRequest) -> Reply:
    form = _form(req)
    entry = _state(req.tenant, "refresh_tokens").get(str(form.get("token", "")))
    if entry is not None and entry["client_id"] == form.get("client_id"):
        del _state(req.tenant, "refresh_tokens")[form["token"]]
        req.tenant.save()
    return Reply(body=None, status=200)


def decide_device(tenant: SandboxTenant, user_code: str, approve: bool,
                  scopes: list[str] | None = None) -> bool:
    """Approve or deny a pending device code (what the person does in the browser)."""
    for entry in _state(tenant, "device_codes").values():
        if entry["user_code"] == user_code.upper() and entry["status"] == "pending":
            entry["status"] = "approved" if approve else "denied"
            if scopes is not None:
                entry["granted_scope"] = scopes
            return True
    return False


@router.route("POST", "/sandbox/device", authenticated=False)
def device_decision(req: SandboxRequest) -> dict[str, Any]:
    body = req.body if isinstance(req.body, dict) else {}
    action = body.get("action")
    if action not in ("approve", "deny") or not body.get("user_code"):
        raise OAuthError(400, "invalid_request", "send {user_code, action: approve|deny}")
    if not decide_device(req.tenant, str(body["user_code"]), action == "approve",
                         body.get("scopes")):
        raise OAuthError(404, "not_found", "no pending device code with that user code")
    return {"user_code": body["user_code"], "status": f"{action}d"}


@router.route("GET", "/activate", authenticated=False)
def activate(req: SandboxRequest) -> Reply:
    code = html.escape(req.query.get("user_code", ""))
    page = f"""<!doctype html><html><head><title>Sandbox tenant: device activation</title>
<meta name="viewport" content="width=device-width"></head><body style="font-family:sans-serif">
<h1>auth0-mcp sandbox tenant</h1><p>A device asks to sign in with code <b>{code}</b>.</p>
<button onclick="decide('approve')">Approve</button> <button onclick="decide('deny')">Deny</button>
<p id="out"></p><script>
async function decide(action) {{
  const r = await fetch('/sandbox/device', {{method: 'POST', headers: {{'content-type':
    'application/json'}}, body: JSON.stringify({{user_code: '{code}', action}})}});
  document.getElementById('out').textContent = r.ok ? 'Done: ' + action + 'd.' : 'Failed.';
}}</script></body></html>"""
    return Reply(body=page, headers={"content-type": "text/html; charset=utf-8"})


@router.route("GET", "/.well-known/jwks.json", authenticated=False)
def jwks_endpoint(req: SandboxRequest) -> dict[str, Any]:
    return jwks(req.tenant)


@router.route("GET", "/.well-known/openid-configuration", authenticated=False)
def discovery(req: SandboxRequest) -> dict[str, Any]:
    base = req.base_url
    return {
        "issuer": req.tenant.issuer,
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
        "response_types_supported": ["code", "token", "id_token", "code token",
                                     "code id_token", "token id_token",
                                     "code token id_token"],
        "code_challenge_methods_supported": ["S256", "plain"],
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["public"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post",
                                                  "private_key_jwt"],
        "claims_supported": ["aud", "auth_time", "created_at", "email", "email_verified", "exp",
                             "family_name", "given_name", "iat", "identities", "iss", "name",
                             "nickname", "phone_number", "picture", "sub"],
        "request_uri_parameter_supported": False,
        "request_parameter_supported": False,
        "id_token_signing_alg_values_supported": ["HS256", "RS256", "PS256"],
        "token_endpoint_auth_signing_alg_values_supported": ["RS256", "RS384", "PS256"],
        "end_session_endpoint": f"{base}/oidc/logout",
    }

