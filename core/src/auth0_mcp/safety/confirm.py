"""Confirmation: the policy that decides which calls need a person's yes, and the sealed,
single-use token a client without elicitation sends back to apply a plan.

A token is HMAC-sealed by this server's key and binds the tool, the canonical arguments, the
hash of the target state the plan was made from and the plan's requests; it expires (10
minutes by default) and is spent through ``StateStore.claim`` so it works once, across
instances when the store is shared.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from collections.abc import Mapping
from typing import Any

import attrs

from ..state import StateStore
from .journal import canonical
from .plan import Plan

CONFIRM = "confirm"  # the argument a confirmation token comes back in
DEFAULT_TTL = 600.0


def arguments_digest(arguments: Mapping[str, Any]) -> str:
    rest = {k: v for k, v in arguments.items() if k != CONFIRM}
    return hashlib.sha256(canonical(rest).encode()).hexdigest()[:32]


class Refused(Exception):
    """A confirmation token that cannot apply this call; the message says why."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@attrs.define
class Sealer:
    """Seals and spends confirmation tokens. ``key`` defaults to a fresh per-process key
    (``AUTH0_MCP_CONFIRM_KEY`` shares one between instances)."""

    state: StateStore
    key: bytes = attrs.field(factory=lambda: (os.environ.get("AUTH0_MCP_CONFIRM_KEY", "").encode()
                                              or secrets.token_bytes(32)))
    ttl: float = DEFAULT_TTL
    clock: Any = time.time

    def seal(self, tool: str, arguments: Mapping[str, Any], plan: Plan) -> str:
        claims = {"t": tool, "a": arguments_digest(arguments), "s": plan.state[:32],
                  "p": plan.digest[:32],
                  "x": int(self.clock() + self.ttl), "n": secrets.token_urlsafe(9)}
        body = _b64(json.dumps(claims, separators=(",", ":")).encode())
        return f"{body}.{self._mac(body)}"

    def _mac(self, body: str) -> str:
        return _b64(hmac.new(self.key, body.encode(), hashlib.sha256).digest()[:24])

    async def spend(self, token: Any, tool: str, arguments: Mapping[str, Any],
                    plan: Plan) -> None:
        """Accept ``token`` for this call once, or raise Refused saying why."""
        if not isinstance(token, str) or token.count(".") != 1:
            raise Refused("the confirm token is not one this server issued")
        body, mac = token.split(".")
        if not hmac.compare_digest(mac, self._mac(body)):
            raise Refused("the confirm token is not one this server issued")
        claims = json.loads(_unb64(body))
        if claims["x"] < self.clock():
            raise Refused("the confirm token has expired")
        if claims["t"] != tool or claims["a"] != arguments_digest(arguments):
            raise Refused("the confirm token was issued for other arguments (or another tool)")
        if not await self.state.claim(f"confirm:{claims['n']}", self.ttl + 60):
            raise Refused("the confirm token was already used")
        if claims["s"] != plan.state[:32]:
            raise Refused("the target changed since the plan was made")
        if claims["p"] != plan.digest[:32]:
            raise Refused("the call would now send other requests than the plan showed")
