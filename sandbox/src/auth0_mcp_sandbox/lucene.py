"""The Lucene subset people write in Auth0 log search, compiled to a predicate over events.

Grammar: ``field:value``, ``field:"a phrase"``, wildcards ``*``/``?`` in values,
``field:[a TO b]`` (inclusive) and ``field:{a TO b}`` (exclusive) with ``*`` for open ends,
``_exists_:field``, dotted paths (``details.request.method``), ``AND``/``OR``/``NOT`` (and
``&&``, ``||``, ``!``, ``-``), parentheses, and juxtaposition meaning AND. A bare term matches
``description``. Errors raise ``LuceneError`` with the position.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Predicate = Callable[[dict[str, Any]], bool]

_TOKEN = re.compile(r"""
    \s*(?:
      (?P<lparen>\() | (?P<rparen>\)) |
      (?P<op>AND\b|OR\b|NOT\b|&&|\|\||!) |
      (?P<term>
        (?:[A-Za-z_][\w.]*:)?                    # optional field
        (?:
          "(?:[^"\\]|\\.)*"                      # phrase
          | [\[{][^\]}]*[\]}]                     # range
          | (?:[^\s()"\\]|\\.)+                   # plain value
        )
      )
    )""", re.X)


class LuceneError(ValueError):
    pass


def _get(event: dict[str, Any], path: str) -> Any:
    value: Any = event
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _values(raw: Any) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, list):
        return [str(v).lower() for v in raw]
    if isinstance(raw, bool):
        return [str(raw).lower()]
    return [str(raw).lower()]


def _wildcard(pattern: str) -> re.Pattern[str]:
    out = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(out, re.S)


def _term(text: str) -> Predicate:
    field, sep, value = text.partition(":")
    if not sep or not re.fullmatch(r"[A-Za-z_][\w.]*", field):
        field, value = "description", text
    if not value:
        raise LuceneError(f"missing value after {field}:")
    if field == "_exists_":
        return lambda e: _get(e, value) not in (None, "", [])
    if value[0] in "[{":
        if value[-1] not in "]}":
            raise LuceneError(f"unterminated range in {text!r}")
        parts = value[1:-1].split(" TO ")
        if len(parts) != 2:
            raise LuceneError(f"a range needs 'TO': {text!r}")
        low, high = (p.strip().strip('"').lower() for p in parts)
        low_incl, high_incl = value[0] == "[", value[-1] == "]"

        def in_range(e: dict[str, Any], f: str = field) -> bool:
            for v in _values(_get(e, f)):
                if low != "*" and (v < low or (v == low and not low_incl)):
                    continue
                if high != "*":
                    # a date-only upper bound covers that whole day when inclusive
                    bound = high + ("\uffff" if high_incl and len(high) == 10 else "")
                    if v > bound or (v == high and not high_incl):
                        continue
                return True
            return False

        return in_range
    if value.startswith('"'):
        if len(value) < 2 or not value.endswith('"'):
            raise LuceneError(f"unterminated phrase in {text!r}")
        phrase = re.sub(r"\\(.)", r"\1", value[1:-1]).lower()
        if field == "description":
            return lambda e: any(phrase in v for v in _values(e.get("description")))
        return lambda e: phrase in _values(_get(e, field))
    plain = re.sub(r"\\(.)", r"\1", value).lower()
    if "*" in plain or "?" in plain:
        rx = _wildcard(plain)
        return lambda e: any(rx.fullmatch(v) for v in _values(_get(e, field)))
    if field == "description":
        return lambda e: any(plain in v for v in _values(e.get("description")))
    return lambda e: plain in _values(_get(e, field))


class _Parser:
    def __init__(self, query: str) -> None:
        self.tokens: list[tuple[str, str, int]] = []
        pos = 0
        while pos < len(query):
            if query[pos:].strip() == "":
                break
            m = _TOKEN.match(query, pos)
            if not m or m.end() == pos:
                raise LuceneError(f"cannot parse the query at position {pos}: "
                                  f"{query[pos:pos + 20]!r}")
            kind = m.lastgroup or ""
            self.tokens.append((kind, m.group(kind), m.start(kind)))
            pos = m.end()
        self.i = 0

    def peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> tuple[str, str, int]:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def parse(self) -> Predicate:
        if not self.tokens:
            return lambda e: True
        pred = self.or_expr()
        if (extra := self.peek()) is not None:
            raise LuceneError(f"unexpected {extra[1]!r} at position {extra[2]}")
        return pred

    def or_expr(self) -> Predicate:
        parts = [self.and_expr()]
        while (t := self.peek()) and t[0] == "op" and t[1] in ("OR", "||"):
            self.take()
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else (lambda e: any(p(e) for p in parts))

    def and_expr(self) -> Predicate:
        parts = [self.not_expr()]
        while (t := self.peek()) and not (t[0] == "op" and t[1] in ("OR", "||")) and \
                t[0] != "rparen":
            if t[0] == "op" and t[1] in ("AND", "&&"):
                self.take()
            parts.append(self.not_expr())
        return parts[0] if len(parts) == 1 else (lambda e: all(p(e) for p in parts))

    def not_expr(self) -> Predicate:
        t = self.peek()
        if t and t[0] == "op" and t[1] in ("NOT", "!"):
            self.take()
            inner = self.not_expr()
            return lambda e: not inner(e)
        return self.atom()

    def atom(self) -> Predicate:
        t = self.peek()
        if t is None:
            raise LuceneError("the query ends where a term was expected")
        kind, text, pos = self.take()
        if kind == "lparen":
            inner = self.or_expr()
            closing = self.peek()
            if not closing or closing[0] != "rparen":
                raise LuceneError(f"missing ')' for the '(' at position {pos}")
            self.take()
            return inner
        if kind == "term":
            if text.startswith("-") and len(text) > 1:
                inner = _term(text[1:])
                return lambda e: not inner(e)
            return _term(text)
        raise LuceneError(f"unexpected {text!r} at position {pos}")


def compile_query(query: str) -> Predicate:
    """A predicate for ``query``; raises LuceneError with a readable reason."""
    return _Parser(query).parse()
