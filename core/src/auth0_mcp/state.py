"""State that several server instances must share: single-use records, call budgets, caches.

One small interface so the features that need it (confirmation tokens, per-caller budgets, the
tenant's rate limit, the JWKS cache) do not care where it lives: in this process
(``MemoryState``, the default) or in Redis (``--state-url``, remote mode on several
instances). Every method is async because the shared store is across the network.
"""

from __future__ import annotations

import time
from typing import Protocol

from .errors import SetupError, ToolError


class StateUnavailable(ToolError):
    """The shared store cannot be reached: calls fail closed (no silent fall-back to budgets
    per instance) until it is back."""


class StateStore(Protocol):
    async def claim(self, key: str, ttl: float) -> bool:
        """True the first time ``key`` is claimed; False while an earlier claim lives
        (``ttl`` seconds). What makes a confirmation token single-use across instances."""
        ...

    async def take(self, key: str, rate_per_s: float, burst: float,
                   max_wait: float = 0.0, *, learned: bool = False) -> float:
        """Take one unit from the token bucket ``key`` and return the seconds the caller must
        wait before using it: 0 when one is there now. A unit not there yet is reserved when
        it comes within ``max_wait`` seconds (pacing: the caller sleeps the answer, then goes,
        with no second round trip); beyond that nothing is taken and the answer says how long
        until one would be (refusing). ``learned``: ``rate_per_s`` is a lower bound this
        taker has learned (the tenant's rate limit); the bucket refills at the highest any
        taker has reported while it lives, so one instance's better estimate serves all."""
        ...

    async def get(self, key: str) -> bytes | None: ...

    async def put(self, key: str, value: bytes, ttl: float) -> None: ...

    async def aclose(self) -> None: ...


def check_state_url(url: str) -> None:
    if url.split("://", 1)[0] not in ("redis", "rediss", "unix"):
        raise SetupError(f"--state-url must be a redis://, rediss:// or unix:// URL, not "
                         f"{url.split('://', 1)[0]!r}")


def open_state(url: str | None) -> StateStore:
    """The store ``--state-url`` names: in this process without one, Redis (or Valkey) for
    ``redis://``, ``rediss://`` and ``unix://`` URLs."""
    if not url:
        return MemoryState()
    check_state_url(url)
    from .state_redis import RedisState

    return RedisState(url)


class MemoryState:
    """Everything in this process: right for stdio and for a single HTTP instance."""

    def __init__(self) -> None:
        self._expiring: dict[str, tuple[float, bytes]] = {}
        self._buckets: dict[str, tuple[float, float, float]] = {}  # level, at, rate

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

    async def take(self, key: str, rate_per_s: float, burst: float,
                   max_wait: float = 0.0, *, learned: bool = False) -> float:
        now = time.monotonic()
        level, last, rate = self._buckets.get(key, (burst, now, rate_per_s))
        rate = max(rate, rate_per_s) if learned else rate_per_s
        level = min(burst, level + (now - last) * rate)
        wait = max(0.0, (1 - level) / rate)
        self._buckets[key] = (level - 1 if wait <= max_wait else level, now, rate)
        return wait

    async def get(self, key: str) -> bytes | None:
        return self._live(key)

    async def put(self, key: str, value: bytes, ttl: float) -> None:
        self._expiring[key] = (time.monotonic() + ttl, value)

    async def aclose(self) -> None:
        self._expiring.clear()
        self._buckets.clear()
