"""State that several server instances must share: single-use records, call budgets, caches.

One small interface so the features that need it (confirmation tokens, per-caller budgets, the
tenant's rate limit, the JWKS cache) do not care where it lives: in this process
(``MemoryState``, the default) or in Redis (``--state-url``, remote mode on several
instances). Every method is async because the shared store is across the network.
"""

from __future__ import annotations

import math
import time
from typing import Protocol

from .errors import ToolError


class StateUnavailable(ToolError):
    """The shared store cannot be reached: calls fail closed (no silent fall-back to budgets
    per instance) until it is back."""


class StateStore(Protocol):
    async def claim(self, key: str, ttl: float) -> bool:
        """True the first time ``key`` is claimed; False while an earlier claim lives
        (``ttl`` seconds). What makes a confirmation token single-use across instances."""
        ...

    async def take(self, key: str, rate_per_s: float, burst: float) -> float:
        """Take one unit from the token bucket ``key``: 0 when granted, else the seconds
        until one is available (nothing taken)."""
        ...

    async def get(self, key: str) -> bytes | None: ...

    async def put(self, key: str, value: bytes, ttl: float) -> None: ...

    async def aclose(self) -> None: ...


class MemoryState:
    """Everything in this process: right for stdio and for a single HTTP instance."""

    def __init__(self) -> None:
        self._expiring: dict[str, tuple[float, bytes]] = {}
        self._buckets: dict[str, tuple[float, float]] = {}

    def _live(self, key: str) -> bytes | None:
        entry = self._expiring.get(key)
        if entry is None:
            return None
        if entry[0] <= time.monotonic():
            del self._expiring[key]
            return None
        return entry[1]

    async def claim(self, key: str, ttl: float) -> bool:
        if self._live(key) is not None:
            return False
        self._expiring[key] = (time.monotonic() + ttl, b"1")
        return True

    async def take(self, key: str, rate_per_s: float, burst: float) -> float:
        now = time.monotonic()
        level, last = self._buckets.get(key, (burst, now))
        level = min(burst, level + (now - last) * rate_per_s)
        if level < 1:
            self._buckets[key] = (level, now)
            return math.ceil((1 - level) / rate_per_s)
        self._buckets[key] = (level - 1, now)
        return 0.0

    async def get(self, key: str) -> bytes | None:
        return self._live(key)

    async def put(self, key: str, value: bytes, ttl: float) -> None:
        self._expiring[key] = (time.monotonic() + ttl, value)

    async def aclose(self) -> None:
        self._expiring.clear()
        self._buckets.clear()
