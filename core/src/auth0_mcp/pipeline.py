"""The one place every tool call goes through.

lookup in the filtered set -> JSON-schema validation (no request leaves on bad input) ->
structuring with the injected converter -> handler under a timeout -> redaction ->
``structuredContent`` plus compact text. Every failure becomes one ``isError`` result with an
actionable sentence; the server never crashes on a call.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import anyio
import attrs
import cattrs
import jsonschema

from .context import ToolContext
from .converter import describe_structure_error
from .errors import InvalidArguments, ToolError
from .redaction import Redactor
from .spec import ToolResult, ToolSpec

log = logging.getLogger("auth0_mcp.pipeline")

MAX_ARGUMENT_BYTES = 256 * 1024
DEFAULT_TIMEOUT = 60.0


@attrs.frozen
class Outcome:
    """The result of one call, before it is put into MCP types."""

    data: Mapping[str, Any] | None
    text: str
    is_error: bool


@attrs.frozen
class CallRecord:
    """What an audit sink sees of one call (arguments already redacted)."""

    tool: str
    arguments: Any
    is_error: bool
    duration_ms: float
    caller: str | None


def _path(error: jsonschema.ValidationError) -> str:
    return ".".join(str(p) for p in error.absolute_path) or "arguments"


def explain_schema_errors(errors: Iterable[jsonschema.ValidationError],
                          schema: Mapping[str, Any]) -> str:
    """One readable sentence per problem, unknown keys named with the allowed ones."""
    lines = []
    for err in sorted(errors, key=lambda e: list(map(str, e.absolute_path))):
        if err.validator == "additionalProperties":
            allowed = ", ".join(sorted(err.schema.get("properties", {}))) or "none"
            extra = sorted(set(err.instance) - set(err.schema.get("properties", {})))
            lines.append(f"unknown argument(s) {', '.join(extra)} (allowed: {allowed})")
        elif err.validator == "required":
            lines.append(err.message.replace("is a required property",
                                             "is required"))
        elif err.validator == "type":
            lines.append(f"{_path(err)}: expected {err.validator_value}, got "
                         f"{type(err.instance).__name__}")
        elif err.validator == "maxLength":
            lines.append(f"{_path(err)}: longer than {err.validator_value} characters")
        else:
            message = err.message if len(err.message) < 200 else err.message[:200] + "..."
            lines.append(f"{_path(err)}: {message}")
    return "; ".join(lines)


class Pipeline:
    def __init__(
        self,
        tools: Iterable[ToolSpec],
        context: Callable[[], ToolContext],
        redactor: Redactor,
        *,
        default_timeout: float = DEFAULT_TIMEOUT,
        audit: Callable[[CallRecord], None] | None = None,
    ) -> None:
        self.tools = {t.name: t for t in tools}
        self._context = context
        self.redactor = redactor
        self.default_timeout = default_timeout
        self.audit = audit
        self._validators = {
            t.name: jsonschema.Draft202012Validator(t.input_schema) for t in self.tools.values()
        }

    async def call(self, name: str, arguments: Mapping[str, Any] | None,
                   *, allowed: Iterable[str] | None = None, caller: str | None = None) -> Outcome:
        started = time.perf_counter()
        outcome = await self._call(name, arguments or {}, allowed)
        if self.audit is not None:
            self.audit(CallRecord(name, self.redactor.data(dict(arguments or {})),
                                  outcome.is_error, (time.perf_counter() - started) * 1000,
                                  caller))
        return outcome

    async def _call(self, name: str, arguments: Mapping[str, Any],
                    allowed: Iterable[str] | None) -> Outcome:
        spec = self.tools.get(name)
        if spec is None or (allowed is not None and name not in set(allowed)):
            return self._error(f"Unknown or restricted tool: {name}. Call tools/list for the "
                               "tools this session may use.")
        try:
            ctx = self._context()
            args = self._structure(spec, arguments, ctx.converter)
            with anyio.fail_after(spec.timeout or self.default_timeout):
                result = await spec.handler(ctx, args)
        except TimeoutError:
            return self._error(f"{name} timed out after {spec.timeout or self.default_timeout:g}"
                               " s; Auth0 may be slow. Retry, or narrow the request.")
        except ToolError as exc:
            return self._error(f"{name} failed: {exc}")
        except Exception as exc:
            log.exception("tool %s crashed", name)
            return self._error(f"{name} failed with an internal error ({type(exc).__name__}); "
                               "details are in the server's log.")
        return self._success(result)

    def _structure(self, spec: ToolSpec, arguments: Mapping[str, Any],
                   converter: cattrs.Converter) -> Any:
        size = len(json.dumps(arguments, default=str))
        if size > MAX_ARGUMENT_BYTES:
            raise InvalidArguments(f"arguments are {size:,} bytes; the limit is "
                                   f"{MAX_ARGUMENT_BYTES:,}")
        errors = list(self._validators[spec.name].iter_errors(dict(arguments)))
        if errors:
            raise InvalidArguments("invalid arguments: "
                                   + explain_schema_errors(errors, spec.input_schema))
        try:
            return converter.structure(dict(arguments), spec.input_type)
        except Exception as exc:
            raise InvalidArguments(f"invalid arguments: {describe_structure_error(exc)}") from None

    def _success(self, result: Any) -> Outcome:
        if isinstance(result, ToolResult):
            data, summary = dict(result.data), result.text
        elif isinstance(result, Mapping):
            data, summary = dict(result), None
        else:
            raise TypeError(f"a handler must return a mapping or ToolResult, not {type(result)}")
        text = json.dumps(data, separators=(",", ":"), ensure_ascii=False, default=str)
        if not self.redactor.clean(text):
            data = self.redactor.data(data)
            text = json.dumps(data, separators=(",", ":"), ensure_ascii=False, default=str)
        if summary:
            text = f"{self.redactor.text(summary)}\n{text}"
        return Outcome(data, text, False)

    def _error(self, message: str) -> Outcome:
        return Outcome(None, self.redactor.text(message), True)
