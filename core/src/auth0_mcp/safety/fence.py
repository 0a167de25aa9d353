"""Untrusted text, fenced: free text that end users or third parties control (log
descriptions, user names and emails, user agents, descriptions, metadata) reaches the model
between U+2039 and U+203A (single angle quotes), which the server instructions define as
data, never instructions.

Done once, on every result, by field name: cheap (two characters a value) and no family has
to remember it. A value cannot close its own fence: the marks inside it are replaced.
"""

from __future__ import annotations

from typing import Any

OPEN, CLOSE = "\u2039", "\u203a"
# Strings under these keys are written by people other than the administrator.
UNTRUSTED = frozenset({
    "description", "user_agent", "user_name", "username", "email", "nickname", "given_name",
    "family_name", "client_name", "details",
})
# Every string inside these objects is.
UNTRUSTED_CONTAINERS = frozenset({"user_metadata", "app_metadata", "client_metadata",
                                  "metadata", "details"})
# In an object that is a user (it has a user_id), the name is the user's own.
USER_KEYS = frozenset({"name"})


def fence_text(value: str) -> str:
    if value.startswith(OPEN) and value.endswith(CLOSE) and len(value) > 1:
        inner = value[1:-1]
        if OPEN not in inner and CLOSE not in inner:
            return value  # already fenced (a result shaped twice)
    return OPEN + value.replace(OPEN, "<").replace(CLOSE, ">") + CLOSE


def unfence(value: Any) -> Any:
    """``value`` with the fences of an answer taken off: a model that copies a fenced ``bob@x.com``
    from an answer into its next call's arguments means ``bob@x.com``."""
    if isinstance(value, dict):
        return {k: unfence(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unfence(v) for v in value]
    if isinstance(value, str) and len(value) > 1 and value[0] == OPEN and value[-1] == CLOSE:
        return value[1:-1]
    return value


def fence(value: Any, untrusted: bool = False) -> Any:
    """``value`` with every untrusted string fenced."""
    if isinstance(value, dict):
        is_user = "user_id" in value
        return {k: fence(v, untrusted or k in UNTRUSTED or k in UNTRUSTED_CONTAINERS
                         or (is_user and k in USER_KEYS)) for k, v in value.items()}
    if isinstance(value, list):
        return [fence(v, untrusted) for v in value]
    if untrusted and isinstance(value, str) and value:
        return fence_text(value)
    return value
