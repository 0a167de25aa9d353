"""Connection ``options``: the merge that keeps Auth0's PATCH from wiping settings, and the
masking of the secrets connections keep there.

Auth0 replaces ``options`` as a whole on PATCH, so a change naming one setting would drop every
other one (and every secret). The update tool reads the current options, deep-merges the change
into them and writes the result; a secret the model only ever saw masked survives because the
merge keeps the current value wherever the change holds the mask.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from auth0_mcp import ToolError
from auth0_mcp.redaction import REDACTED

# Option keys holding secrets that core's key list does not name; any key containing "secret"
# (consumer_secret, app_secret, X-Auth0-Client-Secret...) is masked too. SAML key
# pairs (decryptionKey, signing_key) are objects whose ``cert`` is the public half; a custom
# database's ``configuration`` holds its scripts' secrets under names the user chose; an
# ``Authorization`` header (custom_headers) carries a credential.
SECRET_OPTIONS = frozenset({"twilio_token", "decryptionkey", "signing_key", "configuration",
                            "authorization"})
PUBLIC_HALF = "cert"
# Masks a model may hand back: ours, and Auth0's own asterisks (log streams, log bodies).
MASK = re.compile(r"\[REDACTED[A-Z_]*\]|\*{4,}")


def is_secret(key: str) -> bool:
    lowered = key.lower()
    return "secret" in lowered or lowered in SECRET_OPTIONS


def is_mask(value: Any) -> bool:
    return isinstance(value, str) and MASK.fullmatch(value) is not None


def mask(value: Any, secret: bool = False) -> Any:
    """A copy with every secret option value replaced by the mask, at any depth."""
    if isinstance(value, Mapping):
        if secret:
            return {k: v if k == PUBLIC_HALF else mask(v, True) for k, v in value.items()}
        return {k: mask(v, is_secret(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [mask(v, secret) for v in value]
    if secret and value not in (None, ""):
        return REDACTED
    return value


def merge(current: Mapping[str, Any], change: Mapping[str, Any], path: str = "options"
          ) -> dict[str, Any]:
    """``change`` deep-merged into ``current``: objects merge key by key, ``null`` removes a
    key, anything else replaces; a masked value keeps the current secret."""
    out = dict(current)
    for key, value in change.items():
        where = f"{path}.{key}"
        if value is None:
            out.pop(key, None)
        elif is_mask(value):
            if key not in current:
                raise ToolError(f"{where} is {value}, a mask, not a value: leave it out to "
                                "keep the current secret, or give the new one")
        elif isinstance(value, Mapping) and isinstance(current.get(key), Mapping):
            out[key] = merge(current[key], value, where)
        else:
            refuse_masks(value, where)
            out[key] = value
    return out


def refuse_masks(value: Any, path: str = "options") -> None:
    """A mask is never written as a secret's value (it would replace the real one)."""
    if is_mask(value):
        raise ToolError(f"{path} is {value}, a mask, not a value: give the real value")
    if isinstance(value, Mapping):
        for key, item in value.items():
            refuse_masks(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            refuse_masks(item, f"{path}[{i}]")


def sealed_keys(current: Mapping[str, Any], change: Mapping[str, Any]) -> list[str]:
    """The custom-database ``configuration`` keys a merge would write back as read: Auth0
    returns their values only encrypted, and writing one back stores the ciphertext as the new
    value (which breaks the database scripts), so each needs its real value or ``null``."""
    kept = current.get("configuration")
    if not isinstance(kept, Mapping) or ("configuration" in change
                                         and change["configuration"] is None):
        return []  # no custom database settings, or all of them removed
    given = change.get("configuration")
    given = given if isinstance(given, Mapping) else {}
    return sorted(k for k in kept if k not in given or is_mask(given[k]))


def touched(current: Mapping[str, Any], merged: Mapping[str, Any]) -> list[str]:
    """Top-level option keys whose value the merge changed, added or removed."""
    keys = set(current) | set(merged)
    return sorted(k for k in keys if current.get(k, ...) != merged.get(k, ...))


def unmasked(value: Any) -> Any:
    """A copy without the masked values (a journaled object, before it is written again)."""
    if isinstance(value, Mapping):
        return {k: unmasked(v) for k, v in value.items() if not is_mask(v)}
    if isinstance(value, list):
        return [unmasked(v) for v in value if not is_mask(v)]
    return value
