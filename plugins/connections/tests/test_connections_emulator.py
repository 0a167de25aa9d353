"""The sandbox's connections endpoints where no recording shows the behaviour but Auth0's
documentation does: PATCH replaces ``options`` whole, ``/clients`` edits only the named
applications, deletes, paging, duplicate names and the extra scope of
``/clients/{id}/connections``."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest

from auth0_mcp_connections import emulator
from auth0_mcp_sandbox.server import SandboxServer
from auth0_mcp_sandbox.tenant import SandboxTenant

ALL = ["read:connections", "create:connections", "update:connections", "delete:connections",
       "read:clients"]


@pytest.fixture(scope="module")
def box() -> Iterator[SandboxServer]:
    with SandboxServer(with_plugins=False, extra_routers=[emulator.router],
                       device_interval=0) as server:
        yield server


@pytest.fixture
def http(box: SandboxServer) -> Iterator[httpx.Client]:
    headers = {"authorization": f"Bearer {box.mint_token(ALL)}"}
    with httpx.Client(base_url=f"{box.base_url}/api/v2", headers=headers, timeout=10) as c:
        yield c


def app(box: SandboxServer, name: str = "app") -> str:
    """An application put straight into the tenant (the applications family, which serves
    them, may not be installed)."""
    client_id = uuid.uuid4().hex
    box.tenant.collection("clients")[client_id] = {"client_id": client_id, "name": name}
    return client_id


def create(http: httpx.Client, **body) -> dict:
    body.setdefault("name", f"db-{uuid.uuid4().hex[:8]}")
    body.setdefault("strategy", "auth0")
    response = http.post("/connections", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_patch_replaces_options_whole_as_auth0_does(http: httpx.Client):
    made = create(http, options={"passwordPolicy": "good", "brute_force_protection": True})
    patched = http.patch(f"/connections/{made['id']}", json={"options": {"passwordPolicy":
                                                                        "excellent"}})
    assert patched.json()["options"] == {"passwordPolicy": "excellent"}


def test_clients_patch_touches_only_the_named_applications(http: httpx.Client,
                                                           box: SandboxServer):
    clients = [app(box) for _ in range(3)]
    made = create(http)
    assert http.patch(f"/connections/{made['id']}/clients", json=[
        {"client_id": c, "status": True} for c in clients]).status_code == 204
    assert http.patch(f"/connections/{made['id']}/clients", json=[
        {"client_id": clients[1], "status": False}]).status_code == 204
    listed = http.get(f"/connections/{made['id']}/clients").json()
    assert listed == {"clients": [{"client_id": clients[0]}, {"client_id": clients[2]}]}
    mine = http.get(f"/clients/{clients[0]}/connections").json()["connections"]
    assert made["id"] in [c["id"] for c in mine]
    bad = http.patch(f"/connections/{made['id']}/clients", json=[{"client_id": clients[0]}])
    assert bad.status_code == 400 and bad.json()["errorCode"] == "invalid_body"


def test_client_connections_needs_a_clients_scope_too(box: SandboxServer):
    client_id = app(box)
    token = box.mint_token(["read:connections"])
    response = httpx.get(f"{box.base_url}/api/v2/clients/{client_id}/connections",
                         headers={"authorization": f"Bearer {token}"})
    assert response.status_code == 403 and response.json()["errorCode"] == "insufficient_scope"


def test_delete_answers_202_then_204(http: httpx.Client):
    made = create(http)
    first = http.delete(f"/connections/{made['id']}")
    assert first.status_code == 202 and "deleted_at" in first.json()
    assert http.delete(f"/connections/{made['id']}").status_code == 204
    gone = http.get(f"/connections/{made['id']}")
    assert gone.status_code == 404 and gone.json()["errorCode"] == "inexistent_connection"


def test_duplicate_name_is_a_409_and_bad_names_a_400(http: httpx.Client):
    made = create(http)
    assert http.post("/connections", json={"name": made["name"],
                                           "strategy": "auth0"}).status_code == 409
    bad = http.post("/connections", json={"name": "two  spaces", "strategy": "auth0"})
    assert bad.status_code == 400 and bad.json()["errorCode"] == "invalid_body"
    unknown = http.post("/connections", json={"name": "x1", "strategy": "nope"})
    assert unknown.status_code == 400


def test_checkpoint_paging_follows_next_to_the_end(http: httpx.Client):
    for _ in range(3):
        create(http, strategy="oauth2", options={"scope": "openid"})
    seen, cursor = [], None
    while True:
        page = http.get("/connections", params={"take": 2, "strategy": "oauth2",
                                                **({"from": cursor} if cursor else {})}).json()
        seen += [c["id"] for c in page["connections"]]
        cursor = page.get("next")
        if not cursor:
            break
    assert len(seen) == len(set(seen)) >= 3
    totals = http.get("/connections", params={"include_totals": "true", "per_page": 1}).json()
    assert list(totals) == ["total", "start", "limit", "connections"]


def test_fields_keep_id_and_domain_flag(http: httpx.Client):
    got = http.get("/connections/con_Q3pLx8ZcWf2T7KbM",
                   params={"fields": "name", "include_fields": "true"}).json()
    assert set(got) >= {"id", "name", "is_domain_connection"} and "options" not in got


def test_demo_seed_leaves_google_off_for_the_storefront():
    tenant = SandboxTenant()
    clients = tenant.collection("clients")
    for name in ("Storefront", "Storefront Admin", "Order Sync Worker"):
        clients[name.replace(" ", "")] = {"client_id": name.replace(" ", ""), "name": name}
    emulator.seed(tenant)
    stored = tenant.collection("connections")
    assert stored["con_Q3pLx8ZcWf2T7KbM"]["enabled_clients"] == ["Storefront",
                                                                  "StorefrontAdmin"]
    assert stored["con_GoogleOAuth20001"]["enabled_clients"] == ["StorefrontAdmin"]
    assert stored["con_Q3pLx8ZcWf2T7KbM"]["options"]["passwordPolicy"] == "good"
    before = {k: dict(v) for k, v in stored.items()}
    emulator.seed(tenant)  # idempotent: a second seeding changes nothing
    assert {k: dict(v) for k, v in stored.items()} == before


def test_patch_without_display_name_overwrites_it_with_the_name(http: httpx.Client):
    """The Management API reference: "If display_name is not included in the request, the
    field will be overwritten with the name value" (a connection without one keeps none, as
    the recorded PATCH of an AD connection shows)."""
    saml = create(http, strategy="samlp", display_name="Acme SSO",
                  options={"signInEndpoint": "https://sso.example.com/login"})
    patched = http.patch(f"/connections/{saml['id']}", json={"show_as_button": True}).json()
    assert patched["display_name"] == saml["name"]
    plain = create(http, strategy="oauth2", options={"scope": "openid"})
    assert "display_name" not in http.patch(f"/connections/{plain['id']}",
                                            json={"show_as_button": True}).json()


def test_connection_metadata_limits(http: httpx.Client):
    """``ConnectionsMetadata``: at most 10 properties, string values of at most 255."""
    made = create(http, strategy="oauth2", options={"scope": "openid"})
    for metadata in ({f"k{i}": "v" for i in range(11)}, {"k": "v" * 256}, {"k": 1}):
        answer = http.patch(f"/connections/{made['id']}", json={"metadata": metadata})
        assert answer.status_code == 400, metadata
    assert http.patch(f"/connections/{made['id']}",
                      json={"metadata": {"k": "v", "gone": None}}).status_code == 200


def test_at_most_50_applications_per_clients_patch(box: SandboxServer, http: httpx.Client):
    """The API reference: "the limit per PATCH request is 50 clients"."""
    made = create(http, strategy="oauth2", options={"scope": "openid"})
    apps = [app(box) for _ in range(51)]
    too_many = http.patch(f"/connections/{made['id']}/clients",
                          json=[{"client_id": c, "status": True} for c in apps])
    assert too_many.status_code == 400 and "50" in too_many.json()["message"]
    assert http.get(f"/connections/{made['id']}/clients").json()["clients"] == []


def test_an_unknown_strategy_filter_is_a_400(http: httpx.Client):
    """``strategy`` is an enum in the API reference: "google" is not "google-oauth2"."""
    answer = http.get("/connections", params={"strategy": "google"})
    assert answer.status_code == 400 and "google" in answer.json()["message"]


def test_only_oidc_connections_get_a_default_display_name(http: httpx.Client):
    """Recorded: a new samlp (2026) or ad connection answers without display_name, an oidc or
    okta one with its name as display_name."""
    saml = create(http, strategy="samlp",
                  options={"signInEndpoint": "https://sso.example.com/login"})
    oidc = create(http, strategy="oidc", options={
        "client_id": "c", "discovery_url": "https://idp.example.com/.well-known/x"})
    assert "display_name" not in saml and saml["show_as_button"] is False
    assert oidc["display_name"] == oidc["name"]


def test_custom_database_configuration_reads_back_encrypted(http: httpx.Client,
                                                            box: SandboxServer):
    """As Auth0 does: the values come back encrypted, and sending them back stores the
    ciphertext."""
    made = create(http, options={"enabledDatabaseCustomization": True,
                                 "configuration": {"DB_PASSWORD": "plain-1"}})
    shown = http.get(f"/connections/{made['id']}").json()["options"]["configuration"]
    assert shown["DB_PASSWORD"] not in ("plain-1", "") and "plain" not in shown["DB_PASSWORD"]
    assert made["options"]["configuration"] == shown
    http.patch(f"/connections/{made['id']}", json={"options": {"configuration": shown}})
    stored = box.tenant.collection("connections")[made["id"]]["options"]["configuration"]
    assert stored == shown  # the ciphertext is now the value
