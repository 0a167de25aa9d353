"""How Auth0 merges ``user_metadata``/``app_metadata`` on PATCH, in one place: the sandbox
applies it and a plan can show the object as it will be after the write."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

FIELDS = ("user_metadata", "app_metadata")


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
