"""``StateStore`` on Redis (or Valkey), so several remote-mode instances share one state.

Each operation is one round trip: single-use claims are ``SET NX PX``, token buckets a Lua
script on the server's clock (no skew between instances), cached values ``GET``/``SET PX``.
When Redis cannot be reached every operation raises ``StateUnavailable``: the calls that
need it fail closed (never a silent fall-back to per-instance budgets) and work again as
soon as it answers, since the client reconnects on the next command.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from .errors import SetupError
from .state import StateUnavailable

# KEYS[1] bucket; ARGV rate per second, burst, max wait, learned (1: keep the highest rate
# reported). Returns the wait as a string (Lua numbers come back from Redis as integers).
TAKE = """
local rate, burst, max_wait = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local saved = redis.call('HMGET', KEYS[1], 'level', 'at', 'rate')
local level, at = tonumber(saved[1]) or burst, tonumber(saved[2]) or now
if ARGV[4] == '1' then rate = math.max(rate, tonumber(saved[3]) or 0) end
level = math.min(burst, level + math.max(0, now - at) * rate)
local wait = math.max(0, (1 - level) / rate)
if wait <= max_wait then level = level - 1 end
redis.call('HSET', KEYS[1], 'level', tostring(level), 'at', tostring(now), 'rate', tostring(rate))
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - level) / rate * 1000) + 1000)
return tostring(wait)
"""


def describe(url: str) -> str:
    """Where the store is, without the password a URL may carry."""
    parts = urlsplit(url)
    if parts.scheme == "unix":
        return f"unix:{parts.path}"
    return f"{parts.scheme}://{parts.hostname}:{parts.port or 6379}{parts.path}"


class RedisState:
    """Shared state in Redis. ``round_trips`` counts commands sent (the benchmark's metric)."""

    def __init__(self, url: str, *, prefix: str = "auth0-mcp:", timeout: float = 1.0) -> None:
        try:
            import redis.asyncio as redis
            from redis.asyncio.retry import Retry
            from redis.backoff import NoBackoff
            from redis.exceptions import ConnectionError, TimeoutError
        except ImportError:
            raise SetupError("--state-url needs the redis client: "
                             "pip install 'auth0-mcp[redis]'") from None
        self.where = describe(url)
        self.prefix = prefix
        self.round_trips = 0
        self._down = (ConnectionError, TimeoutError, OSError)
        # One immediate retry on a connection error: a pooled connection to a Redis that has
        # restarted fails once, then reconnects. Timeouts are not retried (fail fast).
        self._redis = redis.Redis.from_url(url, socket_timeout=timeout,
                                           socket_connect_timeout=timeout,
                                           retry=Retry(NoBackoff(), 1),
                                           retry_on_error=[ConnectionError])
        self._take = self._redis.register_script(TAKE)

    async def _run(self, command: Any) -> Any:
        self.round_trips += 1
        try:
            return await command
        except self._down as exc:
            raise StateUnavailable(
                f"the shared state store ({self.where}) is unreachable "
                f"({type(exc).__name__}): calls are refused until it answers again; retry "
                "in a few seconds") from None

    async def claim(self, key: str, ttl: float) -> bool:
        done = await self._run(self._redis.set(self.prefix + key, b"1", nx=True,
                                               px=max(1, int(ttl * 1000))))
        return bool(done)

    async def take(self, key: str, rate_per_s: float, burst: float,
                   max_wait: float = 0.0, *, learned: bool = False) -> float:
        wait = await self._run(self._take(keys=[self.prefix + key],
                                          args=[repr(float(rate_per_s)), repr(float(burst)),
                                                repr(float(max_wait)), int(learned)]))
        return float(wait)

    async def get(self, key: str) -> bytes | None:
        value: bytes | None = await self._run(self._redis.get(self.prefix + key))
        return value

    async def put(self, key: str, value: bytes, ttl: float) -> None:
        await self._run(self._redis.set(self.prefix + key, value, px=max(1, int(ttl * 1000))))

    async def aclose(self) -> None:
        await self._redis.aclose()
