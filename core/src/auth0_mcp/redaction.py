"""Secret redaction applied to every tool result and error before it leaves the server.

Masks by meaning, not just by name: a string ``refresh_token`` is a secret, while a client's
``refresh_token`` *settings object* is configuration and stays readable (the reference masks it).
Strings that look like JWTs or PEM private keys are masked wherever they appear, and values the
process knows to be secret (its own token, client secret) are masked inside any text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

REDACTED = "[REDACTED]"

# Keys whose string (or any) value is a secret.
SECRET_KEYS = frozenset({
    "client_secret", "signing_secret", "private_key", "password", "api_key", "access_token",
    "id_token", "refresh_token", "device_code", "code_verifier", "client_assertion", "mfa_token",
    "otp", "recovery_code", "secret", "pkcs8", "aws_secret_access_key",
})
# Keys whose value is a secret even when it is an object or list.
SECRET_CONTAINERS = frozenset({"encryption_key"})

_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*")
# A secret key with a string (or list) value, a secret container or Action secrets with any
# value, as they show in an answer's JSON text once lowercased (see Redactor.clean).
_SECRET_KEY_IN_JSON = re.compile(
    '"(?:(?:' + "|".join(map(re.escape, sorted(SECRET_KEYS))) + ')":["\\[]|(?:'
    + "|".join(map(re.escape, sorted(SECRET_CONTAINERS | {"secrets"}))) + ')":)')
_PEM_PRIVATE = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----",
                          re.S)


class Redactor:
    """Holds the process's own secrets so they are masked even inside free text."""

    def __init__(self, known_secrets: Iterable[str] = ()) -> None:
        self._known: set[str] = {s for s in known_secrets if s and len(s) >= 8}
        # As they show inside JSON text, quotes, backslashes and control characters escaped.
        self._known_in_json = self._known | {json.dumps(s, ensure_ascii=False)[1:-1]
                                             for s in self._known}

    def clean(self, dumped: str) -> bool:
        """True when ``dumped`` (a value's JSON text as ``json.dumps`` writes it with
        ``separators=(",", ":")`` and ``ensure_ascii=False``) shows nothing ``data`` would
        mask: no secret key, no PEM or JWT marker, no known secret. Then the value needs no
        walk, which for a big answer costs more than the call's own work."""
        if "PRIVATE KEY" in dumped or "eyJ" in dumped:
            return False
        if any(secret in dumped for secret in self._known_in_json):
            return False
        return _SECRET_KEY_IN_JSON.search(dumped.lower()) is None

    def text(self, value: str) -> str:
        for secret in self._known:
            if secret in value:
                value = value.replace(secret, REDACTED)
        # Every string of every answer comes through here: the substring tests skip the
        # regular expressions for the (nearly all) strings that cannot match them.
        if "PRIVATE KEY" in value:
            value = _PEM_PRIVATE.sub(REDACTED, value)
        if "eyJ" in value:
            value = _JWT.sub(REDACTED, value)
        return value

    def data(self, value: Any, key: str | None = None, parent: str | None = None) -> Any:
        lowered = key.lower() if key else None
        if lowered in SECRET_CONTAINERS and value:
            return REDACTED
        if isinstance(value, dict):
            return {k: self.data(v, k, lowered) for k, v in value.items()}
        if isinstance(value, list):
            return [self.data(v, key, parent) for v in value]
        if isinstance(value, str):
            if lowered in SECRET_KEYS and value:
                return REDACTED
            if lowered == "value" and parent == "secrets" and value:  # Action secret values
                return REDACTED
            return self.text(value)
        return value
