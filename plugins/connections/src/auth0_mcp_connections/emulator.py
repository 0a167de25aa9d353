"""The sandbox's Auth0 connections: ``/connections``, their enabled applications and
``/clients/{id}/connections``, with the statuses and bodies the recordings show.

The only module of this plugin that imports the sandbox framework (the plugin hook imports it
lazily), so the tools install and run without it.
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

from auth0_mcp_sandbox.routing import (
    ApiError,
    Reply,
    Router,
    SandboxRequest,
    check_body,
    invalid_body,
    offset_page,
    project,
    stored,
)
from auth0_mcp_sandbox.tenant import SandboxTenant, iso_now, random_alnum

router = Router("connections", seed_after=("clients",))
COLLECTION = "connections"
NOT_FOUND = ("The connection does not exist", "inexistent_connection")
CLIENT_NOT_FOUND = ("The client does not exist", "inexistent_client")
NAME = re.compile(r"^[a-zA-Z0-9](-[a-zA-Z0-9]|[a-zA-Z0-9])*$")
STRATEGIES = frozenset({
    "ad", "adfs", "amazon", "apple", "dropbox", "bitbucket", "auth0-oidc", "auth0", "baidu",
    "bitly", "box", "custom", "daccount", "dwolla", "email", "evernote-sandbox", "evernote",
    "exact", "facebook", "fitbit", "github", "google-apps", "google-oauth2", "instagram", "ip",
    "line", "linkedin", "oauth1", "oauth2", "office365", "oidc", "okta", "paypal",
    "paypal-sandbox", "pingfederate", "planningcenter", "salesforce-community",
    "salesforce-sandbox", "salesforce", "samlp", "sharepoint", "shopify", "shop", "sms",
    "soundcloud", "thirtysevensignals", "twitter", "untappd", "vkontakte", "waad", "weibo",
    "windowslive", "wordpress", "yahoo", "yandex",
})
ENTERPRISE = frozenset({"ad", "adfs", "google-apps", "office365", "oidc", "okta",
                        "pingfederate", "samlp", "waad", "auth0-oidc"})
MAX_CLIENTS_PER_PATCH = 50  # "the limit per PATCH request is 50 clients" (API reference)
NAMED = frozenset({"oidc", "okta"})  # answer display_name = name when created without one
PROVISIONED = frozenset({"ad", "adfs", "samlp", "pingfederate"})  # answer a ticket URL
UPDATABLE: dict[str, type | tuple[type, ...]] = {
    "display_name": str, "options": dict, "enabled_clients": list,
    "is_domain_connection": bool, "show_as_button": bool, "realms": list, "metadata": dict,
    "authentication": dict, "connected_accounts": dict, "cross_app_access_requesting_app": dict,
    "cross_app_access_resource_app": dict,
}
CREATABLE = {**UPDATABLE, "name": str, "strategy": str}
# Key order of Auth0's answers, as recorded; anything else follows.
ORDER = ("id", "options", "strategy", "name", "provisioning_ticket_url", "is_domain_connection",
         "show_as_button", "authentication", "connected_accounts", "display_name",
         "enabled_clients", "realms")
ALWAYS = ("id", "is_domain_connection", "authentication", "connected_accounts")  # despite fields


def find(tenant: SandboxTenant, connection_id: str) -> dict[str, Any]:
    return stored(tenant, COLLECTION, connection_id, *NOT_FOUND)


def enabled_clients(tenant: SandboxTenant, connection: dict[str, Any]) -> list[str]:
    """The connection's applications that still exist (deleting a client unbinds it)."""
    clients = tenant.collection("clients")
    return [c for c in connection.get("enabled_clients") or [] if c in clients]


def sealed(value: Any) -> str:
    """How a custom database's ``configuration`` value reads back: encrypted (Auth0 never
    returns it in the clear). An opaque stand-in; the sandbox cannot decrypt it either."""
    return "2.0$" + hashlib.sha256(str(value).encode()).hexdigest()[:40]


def readable_options(options: dict[str, Any]) -> dict[str, Any]:
    configuration = options.get("configuration")
    if not isinstance(configuration, dict):
        return options
    return {**options, "configuration": {k: sealed(v) for k, v in configuration.items()}}


def shown(connection: dict[str, Any], req: SandboxRequest) -> dict[str, Any]:
    """Auth0's key order, live ``enabled_clients``, ``configuration`` values encrypted, and its
    ``fields`` projection, which keeps the id and a few flags whatever was asked for
    (recorded)."""
    full = {**connection, "enabled_clients": enabled_clients(req.tenant, connection)}
    if isinstance(full.get("options"), dict):
        full["options"] = readable_options(full["options"])
    ordered = {k: full[k] for k in ORDER if k in full}
    ordered.update({k: v for k, v in full.items() if k not in ordered})
    picked = project(ordered, req)
    if req.query.get("fields") and req.query_bool("include_fields", True):
        picked = {k: v for k, v in ordered.items() if k in picked or k in ALWAYS}
    return picked


def check_metadata(metadata: Any) -> None:
    """``ConnectionsMetadata``: at most 10 properties, each a string of at most 255 (or
    null)."""
    if metadata is None:
        return
    if len(metadata) > 10:
        raise invalid_body(f"Too many properties defined ({len(metadata)}), maximum 10",
                           "metadata")
    for key, value in metadata.items():
        if value is not None and not isinstance(value, str):
            raise invalid_body("Expected type string", f"metadata.{key}")
        if isinstance(value, str) and len(value) > 255:
            raise invalid_body(f"String is too long ({len(value)} chars), maximum 255",
                               f"metadata.{key}")


def check_options(strategy: str, options: dict[str, Any]) -> None:
    """The option rules Auth0 enforced in the recordings (database attributes, enterprise
    domains)."""
    if strategy == "okta" and not options.get("domain"):
        raise ApiError(400, "options.domain is required", "invalid_body")
    attributes = options.get("attributes")
    if strategy != "auth0" or not isinstance(attributes, dict):
        return
    for other in ("requires_username", "validation"):
        if other in options:
            raise ApiError(400, f"Cannot set both options.attributes and options.{other}",
                           "invalid_body")
    active = [name for name, spec in attributes.items()
              if isinstance(spec, dict) and (spec.get("identifier") or {}).get("active")]
    if not active:
        raise ApiError(400, "attributes must contain one active identifier", "invalid_body")
    for name in active:
        if (attributes[name].get("signup") or {}).get("status") != "required":
            raise ApiError(400, f"attribute {name} must also be required on signup",
                           "invalid_body")
    if (attributes.get("email") or {}).get("unique") is False:
        raise ApiError(400, "cannot add non-unique email attribute", "invalid_body")


def oidc_defaults(strategy: str, options: dict[str, Any]) -> dict[str, Any]:
    """The settings Auth0 adds to every OIDC/Okta connection's options, on create and after a
    PATCH replaced them (recorded); the discovery document itself is not fetched."""
    options.setdefault("schema_version", "oidc-V4")
    options.setdefault("attribute_map", {
        "mapping_mode": "basic_profile" if strategy == "okta" else "bind_all"})
    options.setdefault("connection_settings", {
        "pkce": "auto" if options.get("type") == "front_channel" else "disabled"})
    return options


def derive(strategy: str, options: dict[str, Any]) -> dict[str, Any]:
    if strategy == "samlp":
        return derive_saml(options)
    if strategy in ("oidc", "okta"):
        return oidc_defaults(strategy, options)
    return options


def derive_saml(options: dict[str, Any]) -> dict[str, Any]:
    """What Auth0 adds to a SAML connection's options from its ``signingCert`` (recorded):
    the certificate again as ``cert``, its SHA-1 thumbprint, expiry and subject, and the
    default assertion decryption settings."""
    options.setdefault("assertion_decryption_settings",
                       {"algorithm_profile": "v2026-1", "algorithm_exceptions": []})
    pem = options.get("signingCert")
    if not isinstance(pem, str) or "BEGIN CERTIFICATE" not in pem:
        return options
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import NameOID

    try:
        cert = x509.load_pem_x509_certificate(pem.encode())
    except ValueError:
        raise invalid_body("signingCert is not a PEM certificate", "options") from None
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    options.update(
        cert=pem, thumbprints=[cert.fingerprint(hashes.SHA1()).hex()],  # Auth0 shows SHA-1
        expires=cert.not_valid_after_utc.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        subject={"commonName": str(names[0].value)} if names else {})
    return options


def check_clients(tenant: SandboxTenant, client_ids: list[Any], prop: str) -> None:
    if any(not isinstance(c, str) for c in client_ids):
        raise invalid_body("Expected type string", prop)
    clients = tenant.collection("clients")
    if any(c not in clients for c in client_ids):
        raise ApiError(404, *CLIENT_NOT_FOUND)


def make_connection(tenant: SandboxTenant, body: dict[str, Any], *,
                    connection_id: str | None = None) -> dict[str, Any]:
    """Validate, store and return a new connection with Auth0's defaults."""
    check_body(body, CREATABLE, required=("name", "strategy"))
    check_metadata(body.get("metadata"))
    name, strategy = body["name"], body["strategy"]
    if len(name) > 128 or not NAME.match(name):
        raise invalid_body(f"String does not match pattern {NAME.pattern}", "name")
    if strategy not in STRATEGIES:
        raise invalid_body(f'No enum match for: "{strategy}"', "strategy")
    if any(c.get("name") == name for c in tenant.collection(COLLECTION).values()):
        raise ApiError(409, "A connection with the same name already exists",
                       "connection_conflict")
    options = dict(body.get("options") or {})
    check_options(strategy, options)
    derive(strategy, options)
    check_clients(tenant, body.get("enabled_clients") or [], "enabled_clients")
    connection_id = connection_id or "con_" + random_alnum(16)
    connection: dict[str, Any] = {"id": connection_id, "options": options,
                                  "strategy": strategy, "name": name}
    if strategy in PROVISIONED:
        connection["provisioning_ticket_url"] = (
            f"{tenant.base_url}/p/{strategy}/{random_alnum(32)}")
    connection["is_domain_connection"] = False
    if strategy in ENTERPRISE:
        connection["show_as_button"] = False
    if strategy in NAMED:
        connection["display_name"] = name
    connection.update(authentication={"active": True}, connected_accounts={"active": False},
                      enabled_clients=[], realms=[name])
    connection.update({k: v for k, v in body.items() if k != "options"})
    tenant.collection(COLLECTION)[connection_id] = connection
    return connection


def checkpoint(req: SandboxRequest, items: list[dict[str, Any]], key: str) -> dict[str, Any]:
    """Auth0's ``from``/``take`` page: ``{<key>, next}``, ``next`` an opaque cursor (base64 of
    the offset here) left out on the last page; ``include_totals`` is ignored."""
    take = req.query_int("take", 50, minimum=1, maximum=100) or 50
    cursor = req.query.get("from") or ""
    try:
        start = int(base64.urlsafe_b64decode(cursor.encode()).decode()) if cursor else 0
    except ValueError:
        raise ApiError(400, "Query validation error: 'from' is not a valid checkpoint",
                       "invalid_query_string") from None
    body: dict[str, Any] = {key: items[start:start + take]}
    if start + take < len(items):
        body["next"] = base64.urlsafe_b64encode(str(start + take).encode()).decode()
    return body


def strategy_filter(req: SandboxRequest) -> set[str]:
    """The ``strategy`` query values, each one of Auth0's strategies (an enum)."""
    strategies = set(req.query_list("strategy"))
    unknown = sorted(strategies - STRATEGIES)
    if unknown:
        raise ApiError(400, f"Query validation error: 'No enum match for: \"{unknown[0]}\"' "
                       "on property strategy.", "invalid_query_string")
    return strategies


@router.get("/api/v2/connections", scope="read:connections")
def list_connections(req: SandboxRequest) -> Any:
    items = list(req.tenant.collection(COLLECTION).values())
    strategies = strategy_filter(req)
    if strategies:
        items = [c for c in items if c["strategy"] in strategies]
    if req.query.get("name"):
        items = [c for c in items if c["name"] == req.query["name"]]
    if "take" in req.query or "from" in req.query:
        return checkpoint(req, [shown(c, req) for c in items], "connections")
    return offset_page(req, items, "connections", render=shown)


@router.get("/api/v2/connections/{id}", scope="read:connections")
def get_connection(req: SandboxRequest) -> Any:
    return shown(find(req.tenant, req.path_params["id"]), req)


@router.post("/api/v2/connections", scope="create:connections")
def create_connection(req: SandboxRequest) -> Reply:
    connection = make_connection(req.tenant, req.json_object())
    return Reply(shown(connection, req), 201)


@router.patch("/api/v2/connections/{id}", scope="update:connections")
def update_connection(req: SandboxRequest) -> Any:
    """Auth0 replaces ``options`` as a whole: what the body leaves out of it is gone."""
    connection = find(req.tenant, req.path_params["id"])
    body = req.json_object()
    check_body(body, UPDATABLE)
    check_metadata(body.get("metadata"))
    if "display_name" not in body and "display_name" in connection:
        body["display_name"] = connection["name"]  # the API reference: left out, overwritten
    if "options" in body:
        check_options(connection["strategy"], body["options"] or {})
        body["options"] = derive(connection["strategy"], dict(body["options"] or {}))
    if body.get("enabled_clients") is None:
        body.pop("enabled_clients", None)  # null: leave the applications as they are
    else:
        check_clients(req.tenant, body["enabled_clients"], "enabled_clients")
    connection.update(body)
    return shown(connection, req)


@router.delete("/api/v2/connections/{id}", scope="delete:connections")
def delete_connection(req: SandboxRequest) -> Reply:
    """202 with ``deleted_at``; 204 when it is already gone (both recorded)."""
    if req.tenant.collection(COLLECTION).pop(req.path_params["id"], None) is None:
        return Reply(None, 204)
    return Reply({"deleted_at": iso_now()}, 202)


@router.get("/api/v2/connections/{id}/clients", scope="read:connections")
def connection_clients(req: SandboxRequest) -> Any:
    connection = find(req.tenant, req.path_params["id"])
    rows = [{"client_id": c} for c in enabled_clients(req.tenant, connection)]
    return checkpoint(req, rows, "clients")


@router.patch("/api/v2/connections/{id}/clients", scope="update:connections")
def update_connection_clients(req: SandboxRequest) -> Reply:
    """``[{client_id, status}]``: enable (true) or disable (false) each application; the
    connection's other applications stay as they are."""
    connection = find(req.tenant, req.path_params["id"])
    changes = req.body
    if not isinstance(changes, list) or not changes:
        raise invalid_body("Expected type array", "body")
    if len(changes) > MAX_CLIENTS_PER_PATCH:
        raise invalid_body(f"Array is too long ({len(changes)}), maximum "
                           f"{MAX_CLIENTS_PER_PATCH}", "body")
    for change in changes:
        if not isinstance(change, dict):
            raise invalid_body("Expected type object", "body[]")
        check_body(change, {"client_id": str, "status": bool}, required=("client_id",))
        if not isinstance(change.get("status"), bool):
            raise invalid_body("Missing required property: status")
    check_clients(req.tenant, [c["client_id"] for c in changes], "client_id")
    current = list(connection.get("enabled_clients") or [])
    for change in changes:
        if change["status"] and change["client_id"] not in current:
            current.append(change["client_id"])
        elif not change["status"] and change["client_id"] in current:
            current.remove(change["client_id"])
    connection["enabled_clients"] = current
    return Reply(None, 204)


@router.delete("/api/v2/connections/{id}/users", scope="delete:users")
def delete_connection_user(req: SandboxRequest) -> Reply:
    """Delete a database connection's user by e-mail (204 whether or not one existed)."""
    connection = find(req.tenant, req.path_params["id"])
    email = (req.query.get("email") or "").lower()
    if not email:
        raise ApiError(400, "Query validation error: 'Missing required property: email'.",
                       "invalid_query_string")
    users = req.tenant.collection("users")
    for user_id, user in list(users.items()):
        if str(user.get("email", "")).lower() == email and any(
                i.get("connection") == connection["name"] for i in user.get("identities", [])):
            del users[user_id]
    return Reply(None, 204)


@router.get("/api/v2/clients/{id}/connections", scope="read:connections")
def client_connections(req: SandboxRequest) -> Any:
    """The connections enabled for one application (also needs read:clients or
    read:client_summary)."""
    scopes = set(str(req.claims.get("scope", "")).split())
    if not scopes & {"read:clients", "read:client_summary"}:
        raise ApiError(403, "Insufficient scope, expected any of: read:clients,"
                       "read:client_summary", "insufficient_scope")
    client_id = req.path_params["id"]
    if client_id not in req.tenant.collection("clients"):
        raise ApiError(404, *CLIENT_NOT_FOUND)
    strategies = strategy_filter(req)
    items = [c for c in req.tenant.collection(COLLECTION).values()
             if client_id in (c.get("enabled_clients") or [])
             and (not strategies or c["strategy"] in strategies)]
    return checkpoint(req, [shown(c, req) for c in items], "connections")


# --- the demo tenant ----------------------------------------------------------------------

STOREFRONT = "Storefront"
DATABASE_APPS = ("Storefront", "Storefront Admin", "Shop iOS", "Shop Android", "Partner Portal",
                 "Support Desk", "Marketing Site", "Kiosk App", "Docs Portal")
GOOGLE_APPS = ("Storefront Admin", "Support Desk", "Marketing Site", "Docs Portal")
DEMO: list[tuple[dict[str, Any], tuple[str, ...]]] = [
    ({"id": "con_Q3pLx8ZcWf2T7KbM", "name": "Username-Password-Authentication",
      "strategy": "auth0", "options": {
          "mfa": {"active": True, "return_enroll_settings": True},
          "passwordPolicy": "good", "password_complexity_options": {"min_length": 8},
          "password_history": {"enable": False, "size": 5},
          "password_no_personal_info": {"enable": False},
          "password_dictionary": {"enable": False, "dictionary": []},
          "brute_force_protection": True, "disable_signup": False, "requires_username": False,
          "import_mode": False, "strategy_version": 2,
          "authentication_methods": {"password": {"enabled": True},
                                     "passkey": {"enabled": False}}}},
     DATABASE_APPS),
    ({"id": "con_GoogleOAuth20001", "name": "google-oauth2", "strategy": "google-oauth2",
      "options": {"email": True, "profile": True, "scope": ["email", "profile"],
                  "client_id": "348120754321-demo.apps.googleusercontent.com",
                  "client_secret": "GOCSPX-sandbox-demo-google-secret"}},
     GOOGLE_APPS),
    ({"id": "con_AcmeSamlSso00001", "name": "acme-saml", "strategy": "samlp",
      "display_name": "Acme SSO", "options": {
          "signInEndpoint": "https://sso.acme.example/saml2/login",
          "signOutEndpoint": "https://sso.acme.example/saml2/logout",
          "domain_aliases": ["acme.example"], "signatureAlgorithm": "rsa-sha256",
          "digestAlgorithm": "sha256", "protocolBinding":
          "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"}},
     ("Partner Portal",)),
]


@router.seed
def seed(tenant: SandboxTenant) -> None:
    """The database every demo user is in and Google login for some apps (not Storefront, so
    "enable Google for the Storefront" has something to do); only what is missing is added."""
    by_name: dict[str, list[str]] = {}
    for client_id, client in tenant.collection("clients").items():
        by_name.setdefault(client.get("name", ""), []).append(client_id)
    stored = tenant.collection(COLLECTION)
    for body, apps in DEMO:
        if body["id"] in stored or any(c["name"] == body["name"] for c in stored.values()):
            continue
        fields = {k: v for k, v in body.items() if k != "id"}
        connection = make_connection(tenant, fields, connection_id=body["id"])
        connection["enabled_clients"] = [c for app in apps for c in by_name.get(app, [])]
