"""Injected misbehaviour, so tests and benchmarks can see how clients cope with a bad day at
Auth0: slow answers, 5xx (Auth0-shaped JSON or a proxy's HTML page), 429 storms (with or
without rate-limit headers) and truncated JSON bodies.

Every random choice comes from a generator seeded with ``seed``, so a run is repeatable; the
``*_next`` counters hit exactly the next N requests, for tests that need no randomness at all.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

import attrs

from .routing import ApiError, dumps

_REASONS = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
            504: "Gateway Timeout"}


@attrs.define
class Faults:
    """What to inject. By default faults hit Management API routes only, so a client still
    gets its token; set ``include_auth`` to fault the Authentication API too."""

    latency_ms: float = 0.0
    error_rate: float = 0.0  # 0..1 share of requests answered with ``error_status``
    errors_next: int = 0  # the next N requests get ``error_status``
    error_status: int = 503
    error_html: bool = True  # a proxy's HTML page (False: Auth0's JSON error body)
    rate_limit_storm: bool = False  # every request gets a 429 until switched off
    throttle_next: int = 0  # the next N requests get a 429
    storm_headers: bool = True  # whether those 429s carry X-RateLimit-* headers
    malformed_rate: float = 0.0  # 0..1 share of successful bodies cut in half
    malformed_next: int = 0
    include_auth: bool = False
    seed: int = 0
    _random: random.Random = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        self._random = random.Random(self.seed)

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> Faults:
        """Faults from JSON-ish settings, checked: unknown names and wrong types are errors
        rather than a fault injector that breaks on the first request."""
        defaults = cls().settings()
        for name, value in settings.items():
            if name not in defaults:
                raise ValueError(f"unknown fault setting {name!r} (known: "
                                 f"{', '.join(defaults)})")
            default = defaults[name]
            if isinstance(default, bool):
                ok = isinstance(value, bool)
            elif isinstance(default, int):
                ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
            else:
                ok = isinstance(value, int | float) and not isinstance(value, bool) \
                    and value >= 0
            if not ok:
                kind = type(default).__name__
                raise ValueError(f"fault setting {name!r} must be a non-negative {kind}, "
                                 f"not {value!r}")
        if not 400 <= settings.get("error_status", 503) <= 599:
            raise ValueError("fault setting 'error_status' must be an HTTP error status")
        return cls(**settings)

    @classmethod
    def field_names(cls) -> list[str]:
        return [f.name for f in attrs.fields(cls) if f.init]

    def settings(self) -> dict[str, Any]:
        """The public settings (what ``POST /sandbox/faults`` accepts and returns)."""
        return {name: getattr(self, name) for name in self.field_names()}

    @property
    def active(self) -> bool:
        return any((self.latency_ms, self.error_rate, self.errors_next, self.rate_limit_storm,
                    self.throttle_next, self.malformed_rate, self.malformed_next))

    def _hit(self, counter: str, rate: float = 0.0) -> bool:
        left = getattr(self, counter)
        if left > 0:
            setattr(self, counter, left - 1)
            return True
        return rate > 0 and self._random.random() < rate

    def throttle(self) -> bool:
        """Whether this request is answered with a fault 429."""
        return self.rate_limit_storm or self._hit("throttle_next")

    def server_error(self) -> bool:
        return self._hit("errors_next", self.error_rate)

    def malformed(self) -> bool:
        return self._hit("malformed_next", self.malformed_rate)


class InjectedError(Exception):
    """A 5xx from "upstream": Auth0's JSON error body, or a proxy's HTML page."""

    def __init__(self, status: int, html: bool) -> None:
        super().__init__(status)
        self.status = status
        self.html = html

    @property
    def reason(self) -> str:
        return _REASONS.get(self.status, "Server Error")

    def content(self) -> tuple[bytes, str]:
        """(body, content type)."""
        if self.html:
            page = (f"<html>\r\n<head><title>{self.status} {self.reason}</title></head>\r\n"
                    f"<body>\r\n<center><h1>{self.status} {self.reason}</h1></center>\r\n"
                    "</body>\r\n</html>\r\n")
            return page.encode(), "text/html"
        message = "Service temporarily unavailable" if self.status == 503 else self.reason
        return dumps(ApiError(self.status, message).body()), "application/json; charset=utf-8"


def truncate(body: bytes) -> bytes:
    """A JSON body cut off half-way: what a client sees when a connection drops mid-answer."""
    return body[: max(1, len(body) // 2)]
