"""Which tools a session may see and call. Fails closed: no input exposes more than asked.

Order (the reference's): ``--tools`` globs, then ``--read-only`` (always wins), then the
granted scopes of the token. Every hidden tool gets the reason, for ``auth0-mcp tools list``.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence

import attrs

from .errors import SetupError
from .spec import ToolSpec

TRUE = {"true", "1", "yes", "on"}
FALSE = {"false", "0", "no", "off", ""}


class FilterError(SetupError, ValueError):
    """A filter setting that cannot be honoured safely; start-up stops with this message."""


def glob_to_regex(pattern: str) -> re.Pattern[str]:
    """The reference's globs: ``*`` any run, ``?`` one character, everything else literal."""
    parts = (".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile("".join(parts))


def parse_patterns(value: str) -> list[str]:
    """Split a ``--tools`` value; a value that names no pattern at all (``","``) is an error
    rather than the reference's "no filter"."""
    patterns = [p.strip() for p in value.split(",") if p.strip()]
    if not patterns:
        raise FilterError(f"--tools {value!r} names no tool pattern; use '*' for all tools")
    return patterns


def parse_bool_env(name: str, value: str | None) -> bool:
    if value is None or value.strip().lower() in FALSE:
        return False
    if value.strip().lower() in TRUE:
        return True
    raise FilterError(f"{name}={value!r} is neither true nor false")


@attrs.frozen
class FilterSettings:
    patterns: tuple[str, ...] = ("*",)
    read_only: bool = False
    granted_scopes: frozenset[str] | None = None  # None: unknown (opaque token), not filtered

    @classmethod
    def resolve(cls, tools_flag: str | None, read_only_flag: bool, env: Mapping[str, str],
                granted_scopes: Collection[str] | None = None) -> FilterSettings:
        """Flags and env vars with the reference's precedence: ``AUTH0_MCP_TOOLS`` applies only
        when ``--tools`` is absent or ``*``; ``AUTH0_MCP_READ_ONLY`` can turn read-only on, never
        off."""
        patterns = parse_patterns(tools_flag) if tools_flag is not None else ["*"]
        env_tools = env.get("AUTH0_MCP_TOOLS")
        if patterns == ["*"] and env_tools is not None and env_tools.strip() != "":
            try:
                patterns = parse_patterns(env_tools)
            except FilterError:
                raise FilterError(f"AUTH0_MCP_TOOLS={env_tools!r} names no tool pattern") from None
        read_only = read_only_flag or parse_bool_env("AUTH0_MCP_READ_ONLY",
                                                     env.get("AUTH0_MCP_READ_ONLY"))
        scopes = frozenset(granted_scopes) if granted_scopes is not None else None
        return cls(tuple(patterns), read_only, scopes)


@attrs.frozen
class Decision:
    spec: ToolSpec
    reason: str | None  # None: visible

    @property
    def visible(self) -> bool:
        return self.reason is None


def decide(specs: Sequence[ToolSpec], settings: FilterSettings) -> list[Decision]:
    """One decision per tool. Raises FilterError for a pattern that matches no tool."""
    regexes = [(p, glob_to_regex(p)) for p in settings.patterns]
    for pattern, rx in regexes:
        if pattern != "*" and not any(rx.fullmatch(s.name) for s in specs):
            names = ", ".join(s.name for s in specs) or "(none installed)"
            kind = "No tools match the pattern" if any(c in pattern for c in "*?") else (
                "Invalid tool")
            raise FilterError(f"{kind}: {pattern}. Available tools: {names}")
    decisions = []
    for spec in specs:
        reason = None
        if not any(rx.fullmatch(spec.name) for _, rx in regexes):
            reason = f"not matched by --tools {','.join(settings.patterns)}"
        elif settings.read_only and not spec.read_only:
            reason = "read-only mode hides tools that change the tenant"
        elif settings.granted_scopes is not None:
            missing = [s for s in spec.required_scopes if s not in settings.granted_scopes]
            if missing:
                reason = f"token lacks scope {', '.join(missing)}"
        decisions.append(Decision(spec, reason))
    return decisions


def visible(decisions: Iterable[Decision]) -> tuple[ToolSpec, ...]:
    return tuple(d.spec for d in decisions if d.visible)
