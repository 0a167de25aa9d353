"""Request bodies checked the way Auth0 checks them, from its own OpenAPI document.

``request_schemas.json`` (written by ``sandbox/tools/derive_schemas.py``) holds the body schema
of every Management write Auth0 documents. The app validates each emulated write against the
schema of its (method, path template) before the handler runs, so a documented field is never
refused, an undocumented one is refused with Auth0's message, and a new family's emulator gets
this without a line of its own. Messages follow Auth0's validator (z-schema):
``Payload validation error: 'Additional properties not allowed: x' on property p (about p).``
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

from .routing import ApiError

API_PREFIX = "/api/v2"
_PLACEHOLDER = re.compile(r"\{[^}]*\}")


def template_key(method: str, path: str) -> str:
    """``PATCH /clients/{}``: a path template with its placeholders' names (and Starlette
    converters) left out, so ``{id}``, ``{client_id}`` and ``{id:path}`` all match."""
    if path.startswith(API_PREFIX):
        path = path[len(API_PREFIX):]
    return f"{method.upper()} {_PLACEHOLDER.sub('{}', path)}"


@cache
def _document() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("request_schemas.json").read_text("utf-8")
    return json.loads(text)


@cache
def _operations() -> dict[str, dict[str, Any]]:
    return {template_key(*key.split(" ", 1)): schema
            for key, schema in _document()["operations"].items()}


def documented_scopes() -> list[str]:
    """Every scope Auth0's Management API document names."""
    return list(_document()["scopes"])


def body_schema(method: str, path: str) -> dict[str, Any] | None:
    """The documented body schema of a route (its Starlette path), or None."""
    return _operations().get(template_key(method, path))


@cache
def _validator(key: str) -> Draft202012Validator:
    schema = {"$defs": _document()["$defs"], **_operations()[key]}
    return Draft202012Validator(schema)


# z-schema's wording, which Auth0's messages use ({n}: the length of the value)
MESSAGES = {
    "enum": "No enum match for: {json}", "const": "No enum match for: {json}",
    "minLength": "String is too short ({n} chars), minimum {limit}",
    "maxLength": "String is too long ({n} chars), maximum {limit}",
    "pattern": "String does not match pattern {limit}: {value}",
    "minimum": "Value {value} is less than minimum {limit}",
    "maximum": "Value {value} is greater than maximum {limit}",
    "minItems": "Array is too short ({n}), minimum {limit}",
    "maxItems": "Array is too long ({n}), maximum {limit}",
    "minProperties": "Too few properties defined ({n}), minimum {limit}",
    "maxProperties": "Too many properties defined ({n}), maximum {limit}",
    "anyOf": "Data does not match any schemas from 'anyOf'",
}


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    for kind, name in ((float, "number"), (str, "string"), (list, "array"), (dict, "object")):
        if isinstance(value, kind):
            return name
    return type(value).__name__


def _detail(error: ValidationError) -> str:
    schema, value, kind = error.schema, error.instance, error.validator
    limit = error.validator_value
    if kind == "additionalProperties" and isinstance(value, dict) and isinstance(schema, dict):
        known = schema.get("properties", {})
        patterns = [re.compile(p) for p in schema.get("patternProperties", {})]
        extra = [k for k in value if k not in known and not any(p.search(k) for p in patterns)]
        return f"Additional properties not allowed: {','.join(reversed(extra))}"
    if kind == "required" and isinstance(value, dict):
        missing = next((k for k in limit if k not in value), "?")
        return f"Missing required property: {missing}"
    if kind == "type":
        expected = ",".join(limit) if isinstance(limit, list) else limit
        return f"Expected type {expected} but found type {_json_type(value)}"
    template = MESSAGES.get(kind)
    if template is None:
        return error.message
    size = len(value) if isinstance(value, str | list | dict) else 0
    return template.format(value=value, json=json.dumps(value), n=size, limit=limit)


def refusal(error: ValidationError) -> ApiError:
    """Auth0's 400 ``invalid_body`` for one schema violation."""
    where = ""
    if error.absolute_path:
        where = " on property " + ".".join(str(p) for p in error.absolute_path)
        about = error.schema.get("description") if isinstance(error.schema, dict) else None
        if about:
            where += f" ({about.rstrip('.')})"
    return ApiError(400, f"Payload validation error: '{_detail(error)}'{where}.",
                    "invalid_body")


def validate_body(method: str, path: str, body: Any) -> None:
    """Raise Auth0's 400 when ``body`` breaks the documented schema of (method, path); a route
    Auth0 documents no body for is left to its handler."""
    key = template_key(method, path)
    if key not in _operations():
        return
    errors = list(_validator(key).iter_errors(body))
    if errors:
        raise refusal(best_match(errors))
