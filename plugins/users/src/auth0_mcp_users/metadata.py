"""How Auth0 merges ``user_metadata``/``app_metadata`` on PATCH, in one place: the sandbox
applies it and a plan can show the object as it will be after the write."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

FIELDS = ("user_metadata", "app_metadata")
# Fields app_metadata may not hold (Auth0's metadata field-name rules).
RESERVED = frozenset({"blocked", "clientID", "created_at", "email", "email_verified",
                      "global_client_id", "globalClientID", "identities", "lastIP", "lastLogin",
                      "metadata", "user_id", "loginsCount"})


def refusal(field: str, value: Any) -> str | None:
    """Why Auth0 refuses this metadata (its field-name rules: no ``.`` or ``$`` in a name at
    any depth; app_metadata cannot hold the fields it reserves), or None."""
    if not isinstance(value, Mapping):
        return None
    if field == "app_metadata":
        reserved = sorted(RESERVED & set(value))
        if reserved:
            return f"app_metadata cannot hold {reserved[0]!r}, a field Auth0 reserves"
    stack: list[tuple[str, Any]] = [(field, value)]
    while stack:  # not recursive: nesting depth is the caller's choice
        where, item = stack.pop()
        if isinstance(item, list):
            stack += [(where, v) for v in item]
        elif isinstance(item, Mapping):
            for key, v in item.items():
                if "." in key or "$" in key:
                    return (f"{where}.{key} has '.' or '$' in a field name, which Auth0 "
                            "refuses: nest it instead ({\"a\": {\"b\": ...}}, not {\"a.b\": ...})")
                stack.append((f"{where}.{key}", v))
    return None


def merge(current: Mapping[str, Any] | None, change: Mapping[str, Any]) -> dict[str, Any]:
    """Top-level keys merged, a null removes its key, nested objects are replaced whole; an
    empty object clears everything."""
    if not change:
        return {}
    merged = dict(current or {})
    for key, value in change.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def after_patch(user: Mapping[str, Any], body: Mapping[str, Any]) -> dict[str, Any]:
    """The user as Auth0 will hold it after ``PATCH /users/{id}`` with ``body`` (secrets such
    as a new password are not part of the profile)."""
    result = dict(user)
    for key, value in body.items():
        if key in FIELDS:
            result[key] = merge(user.get(key), value or {})
            if not result[key]:
                del result[key]
        elif key in ("password", "connection", "client_id", "verify_email",
                     "verify_phone_number"):
            continue
        elif value is None:
            result.pop(key, None)
        else:
            result[key] = value
    return result
