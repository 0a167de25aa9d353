"""Auth0's rate limiting: a token bucket per API, reported on every response.

Auth0 keeps separate buckets for the Management API and the Authentication API (reference
§3), so spending the Management budget in a test still lets a client fetch a token. The
defaults (1000 burst, 500/s) never bother normal use; tests shrink them to see 429s.
"""

from __future__ import annotations

import math
import time

import attrs


@attrs.frozen
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset: int  # UTC epoch second when the bucket is full again (a timestamp, not a duration)

    def headers(self) -> dict[str, str]:
        return {"x-ratelimit-limit": str(self.limit),
                "x-ratelimit-remaining": str(self.remaining),
                "x-ratelimit-reset": str(self.reset)}


@attrs.define
class TokenBucket:
    """``limit`` requests at once, refilled continuously at ``per_second``."""

    limit: int = 1000
    per_second: float = 500.0
    _level: float = attrs.field(init=False)
    _at: float = attrs.field(init=False, factory=time.monotonic)

    def __attrs_post_init__(self) -> None:
        self._level = float(self.limit)

    def _refill(self) -> None:
        now = time.monotonic()
        self._level = min(float(self.limit), self._level + (now - self._at) * self.per_second)
        self._at = now

    def _decision(self, allowed: bool) -> Decision:
        missing = self.limit - self._level
        wait = math.ceil(missing / self.per_second) if missing > 0 and self.per_second > 0 \
            else 0
        return Decision(allowed, self.limit, int(self._level), int(time.time()) + wait)

    def take(self) -> Decision:
        """Spend one request if the bucket allows it."""
        self._refill()
        allowed = self._level >= 1
        if allowed:
            self._level -= 1
        return self._decision(allowed)

    def empty(self) -> Decision:
        """A 429 as if the bucket had run dry (the fault injector's storms)."""
        self._refill()
        return Decision(False, self.limit, 0, int(time.time()) + 1)


@attrs.define
class RateLimit:
    """The budget: ``limit`` burst refilled at ``per_second``, one bucket of it per API."""

    limit: int = 1000
    per_second: float = 500.0
    _buckets: dict[str, TokenBucket] = attrs.field(init=False, factory=dict)

    def bucket(self, api: str) -> TokenBucket:
        if api not in self._buckets:
            self._buckets[api] = TokenBucket(self.limit, self.per_second)
        return self._buckets[api]

    def configure(self, limit: int, per_second: float) -> None:
        """New budget, full buckets."""
        self.limit, self.per_second = int(limit), float(per_second)
        self._buckets.clear()
