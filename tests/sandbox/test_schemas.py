"""Request validation derived from Auth0's OpenAPI document: the committed files are what the
script derives, every emulated write is covered, documented fields pass, unknown ones are
refused with Auth0's message and change nothing; and every log event has its type's fields."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from auth0_mcp_sandbox.app import WRITES
from auth0_mcp_sandbox.log_events import required_fields
from auth0_mcp_sandbox.routing import ApiError
from auth0_mcp_sandbox.schemas import body_schema, validate_body

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "sandbox" / "tools" / "derive_schemas.py"


def _derive():
    spec = importlib.util.spec_from_file_location("derive_schemas", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_files_are_what_the_script_derives():
    derive = _derive()
    if not derive.DEFAULT_SOURCE.is_dir():
        pytest.skip(f"Auth0's OpenAPI documents are not at {derive.DEFAULT_SOURCE}")
    for name, document in derive.TARGETS.items():
        source = json.loads((derive.DEFAULT_SOURCE / document).read_text(encoding="utf-8"))
        committed = (derive.PACKAGE / name).read_text(encoding="utf-8")
        assert committed == derive.render(name, source), (
            f"{name} is stale: run python sandbox/tools/derive_schemas.py")


def test_every_emulated_write_with_a_body_has_auth0s_schema(box):
    """Writes Auth0 documents without a body (deploys) are the only ones without a schema."""
    uncovered = [f"{r.method} {r.path}" for router in box.routers for r in router.routes
                 if r.method in WRITES and r.authenticated and body_schema(r.method, r.path)
                 is None and not r.path.endswith("/deploy")]
    assert uncovered == []


def refusal(method: str, path: str, body: object) -> str:
    with pytest.raises(ApiError) as caught:
        validate_body(method, path, body)
    assert (caught.value.status, caught.value.error_code) == (400, "invalid_body")
    return caught.value.message


def test_messages_are_auth0s():
    assert refusal("POST", "/api/v2/clients", {"name": "x", "zz": 1, "aa": 2}) == (
        "Payload validation error: 'Additional properties not allowed: aa,zz'.")
    assert refusal("POST", "/api/v2/clients", {}) == (
        "Payload validation error: 'Missing required property: name'.")
    assert refusal("PATCH", "/api/v2/clients/{id}", {"app_type": "nope"}).startswith(
        "Payload validation error: 'No enum match for: \"nope\"' on property app_type (")
    assert refusal("POST", "/api/v2/clients", {"name": 5}).startswith(
        "Payload validation error: 'Expected type string but found type integer' on property "
        "name (")
    nested = refusal("POST", "/api/v2/clients", {"name": "x", "addons": {"nope": {}}})
    assert nested.startswith("Payload validation error: 'Additional properties not allowed: "
                             "nope' on property addons (")
    assert refusal("PATCH", "/api/v2/resource-servers/{id:path}", {"identifier": "x"}) == (
        "Payload validation error: 'Additional properties not allowed: identifier'.")


def test_documented_fields_the_old_lists_lacked_are_accepted(http, bearer, box):
    headers = bearer(["create:clients", "update:clients", "create:resource_servers"])
    created = http.post("/api/v2/clients", headers=headers, json={
        "name": "Documented", "app_type": "regular_web",
        "organization_require_behavior": "no_prompt",
        "session_transfer": {"can_create_session_transfer_token": True},
        "require_proof_of_possession": False})
    assert created.status_code == 201, created.text
    assert created.json()["session_transfer"] == {"can_create_session_transfer_token": True}
    api = http.post("/api/v2/resource-servers", headers=headers, json={
        "identifier": "https://documented.example/", "allow_online_access": True,
        "token_lifetime_for_web": 3600})  # accepted by Auth0 in a recording, not documented
    assert api.status_code == 201, api.text


def test_an_unknown_field_changes_nothing(http, bearer, box):
    headers = bearer(["create:clients", "read:clients", "update:clients"])
    before = len(box.tenant.collection("clients"))
    refused = http.post("/api/v2/clients", headers=headers,
                        json={"name": "Nope", "colour": "blue"})
    assert refused.status_code == 400
    assert refused.json() == {"statusCode": 400, "error": "Bad Request", "errorCode":
                              "invalid_body", "message": "Payload validation error: "
                              "'Additional properties not allowed: colour'."}
    assert len(box.tenant.collection("clients")) == before
    client_id = box.admin_credentials[0]
    patched = http.patch(f"/api/v2/clients/{client_id}", headers=headers,
                         json={"description": "x" * 141})
    assert patched.status_code == 400
    assert "String is too long (141 chars), maximum 140" in patched.json()["message"]
    assert box.tenant.collection("clients")[client_id].get("description") != "x" * 141


def test_every_log_event_carries_its_types_fields(box):
    fields = required_fields()
    assert len(fields) > 100 and {"s", "f", "sapi", "seccft"} <= set(fields)
    kinds = {"string": str, "object": dict, "array": list, "boolean": bool}
    for event in box.tenant.logs:
        for name, kind in fields[event["type"]].items():
            assert name in event, (event["type"], name)
            if kind in kinds and event[name] is not None:
                assert isinstance(event[name], kinds[kind]), (event["type"], name)
