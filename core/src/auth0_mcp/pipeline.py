"""The one place every tool call goes through.

lookup in the filtered set -> JSON-schema validation (no request leaves on bad input) ->
structuring with the injected converter -> for a write, the safety gate (plan, confirmation)
-> handler under a timeout -> redaction and fencing -> ``structuredContent`` plus compact
text. Every failure becomes one ``isError`` result with an actionable sentence; the server
never crashes on a call; every call, refused ones included, leaves one journal entry.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import anyio
import attrs
import cattrs
import jsonschema

from .context import ToolContext
from .converter import describe_structure_error
from .errors import InvalidArguments, ToolError, UpstreamUnavailable
from .redaction import REDACTED, Redactor
from .safety.confirm import CONFIRM, Sealer
from .safety.fence import fence, unfence
from .safety.gate import Asker, Gate, Verdict
from .safety.journal import JournalSink, MemoryJournal, now
from .safety.plan import GuardedClient, Plan, brief
from .safety.wire import TRACE, Trace
from .spec import ToolResult, ToolSpec
from .state import MemoryState

log = logging.getLogger("auth0_mcp.pipeline")

MAX_ARGUMENT_BYTES = 256 * 1024
DEFAULT_TIMEOUT = 60.0
LOOKUP_LIMIT = 1000  # objects looked through for a create whose answer was lost


@attrs.frozen
class Outcome:
    """The result of one call, before it is put into MCP types. ``input_required`` (2026 era)
    asks the client for a confirmation first: ``message``, ``schema``, ``state``."""

    data: Mapping[str, Any] | None
    text: str
    is_error: bool
    input_required: Mapping[str, Any] | None = None
    call_id: str = ""


@attrs.define
class _Call:
    """What the journal learns about one call as it goes."""

    call_id: str = attrs.Factory(lambda: secrets.token_hex(6))
    outcome: str = "ok"
    plan: Plan | None = None


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
        journal: JournalSink | None = None,
        confirm: str = "destructive",
        sealer: Sealer | None = None,
        local_caller: str | None = None,
    ) -> None:
        self.tools = {t.name: t for t in tools}
        self._context = context
        self.redactor = redactor
        self.default_timeout = default_timeout
        self.journal = journal if journal is not None else MemoryJournal()
        self.sealer = sealer or Sealer(MemoryState())
        self.gate = Gate(confirm, self.sealer, redactor.data)
        self.local_caller = local_caller
        self._validators = {
            t.name: jsonschema.Draft202012Validator(t.input_schema) for t in self.tools.values()
        }

    async def call(self, name: str, arguments: Mapping[str, Any] | None,
                   *, allowed: Iterable[str] | None = None, caller: str | None = None,
                   asker: Asker | None = None, refused: str | None = None) -> Outcome:
        """``refused`` (e.g. over the caller's budget): answer that, and journal it."""
        started = time.perf_counter()
        given: dict[str, Any] = unfence(dict(arguments or {}))
        record = _Call()
        trace = Trace()
        token = TRACE.set(trace)
        try:
            if refused is not None:
                record.outcome = "refused"
                outcome = self._error(refused)
            else:
                outcome = await self._call(name, given, allowed, asker, record)
        finally:
            TRACE.reset(token)
        self._journal(record.call_id, name, given, caller, record, trace, outcome, started)
        return attrs.evolve(outcome, call_id=record.call_id)

    def _journal(self, call_id: str, name: str, arguments: dict[str, Any], caller: str | None,
                 record: _Call, trace: Trace, outcome: Outcome, started: float) -> None:
        spec = self.tools.get(name)
        if record.outcome == "ok" and outcome.is_error:
            record.outcome = "error"
        entry: dict[str, Any] = {
            "time": now(), "call_id": call_id, "caller": caller or self.local_caller,
            "tool": name, "arguments": self.redact_arguments(spec, arguments),
            "plan": record.plan.digest if record.plan else None, "outcome": record.outcome,
            "request_ids": trace.request_ids,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
        }
        if outcome.is_error:
            entry["detail"] = outcome.text[:300]
        undo = self._undo_record(record)
        if undo is not None:
            entry["undo"] = undo
        try:
            self.journal.append(entry)
        except Exception:  # the call happened; a full disk must not hide its answer
            log.exception("could not write the audit journal")

    def redact_arguments(self, spec: ToolSpec | None, arguments: Mapping[str, Any]) -> Any:
        """Declared secret fields masked whatever their key, then the usual patterns."""
        secret = spec.secret_fields if spec is not None else frozenset()

        def hide(value: Any) -> Any:  # a secret map keeps its keys: {"API_KEY": masked}
            if isinstance(value, dict):
                return {k: REDACTED if v not in (None, "") else v for k, v in value.items()}
            return REDACTED if value not in (None, "") else value

        def mask(value: Any) -> Any:
            if isinstance(value, dict):
                return {k: hide(v) if k in secret else mask(v)
                        for k, v in value.items() if k != CONFIRM}
            if isinstance(value, list):
                return [mask(v) for v in value]
            return value

        return self.redactor.data(mask(dict(arguments)))

    def _undo_record(self, record: _Call) -> dict[str, Any] | None:
        """For an applied update or delete: the prior state (secrets out) and what to check."""
        plan = record.plan
        if record.outcome != "ok" or plan is None or plan.before is None:
            return None
        if plan.kind not in ("update", "delete"):
            return None
        fields = sorted({c.top for c in plan.changes if not c.secret})
        prior = self.redactor.data(dict(plan.before))
        after = {}
        if plan.kind == "update":
            from .safety.plan import merged

            new = merged(plan.before, plan.writes)
            after = self.redactor.data({f: new.get(f) for f in fields})
        return {"kind": plan.kind, "path": plan.writes[0].path, "label": plan.label,
                "fields": fields, "prior": prior, "after": after}

    async def _call(self, name: str, arguments: dict[str, Any], allowed: Iterable[str] | None,
                    asker: Asker | None, record: _Call) -> Outcome:
        spec = self.tools.get(name)
        if spec is None or (allowed is not None and name not in set(allowed)):
            record.outcome = "refused"
            return self._error(f"Unknown or restricted tool: {name}. Call tools/list for the "
                               "tools this session may use.")
        timeout = spec.timeout or self.default_timeout
        try:
            ctx = self._context()
            given = {k: v for k, v in arguments.items() if k != CONFIRM} \
                if spec.kind != "read" else arguments
            if CONFIRM in arguments and spec.kind != "read" and not isinstance(
                    arguments[CONFIRM], str):
                raise InvalidArguments("invalid arguments: confirm: expected the string token "
                                       "a plan handed out")
            args = self._structure(spec, given, ctx.converter)
            plan = None
            if spec.kind != "read" and not ctx.api.read_only:
                # Not under the call's time limit: it may wait for a person's answer.
                verdict = await self.gate.check(spec, ctx, args, arguments, asker, timeout)
                record.plan = plan = verdict.plan
                if not verdict.apply:
                    return self._answer(verdict, record)
            with anyio.fail_after(timeout):
                if spec.kind == "read" or ctx.api.read_only:
                    result = await spec.handler(ctx, args)
                else:
                    if plan is not None:  # what was shown is what goes first
                        ctx = attrs.evolve(ctx, api=GuardedClient(ctx.api, plan.writes[0]))
                    result = await self._apply(spec, ctx, args)
            outcome = self._success(result)
            if plan is not None and plan.before is not None and spec.kind in ("update",
                                                                               "delete"):
                outcome = attrs.evolve(outcome, text=f"{outcome.text}\nUndo: auth0_undo "
                                       f"call_id={record.call_id}")
            return outcome
        except InvalidArguments as exc:
            record.outcome = "invalid"
            return self._error(f"{name} failed: {exc}")
        except TimeoutError:
            return self._error(f"{name} timed out after {timeout:g} s; Auth0 may be slow. "
                               "Retry, or narrow the request.")
        except ToolError as exc:
            return self._error(f"{name} failed: {exc}")
        except Exception as exc:
            log.exception("tool %s crashed", name)
            return self._error(f"{name} failed with an internal error ({type(exc).__name__}); "
                               "details are in the server's log.")

    async def _apply(self, spec: ToolSpec, ctx: ToolContext, args: Any) -> Any:
        try:
            return await spec.handler(ctx, args)
        except UpstreamUnavailable as exc:
            trace = TRACE.get()
            if trace is None or trace.unknown is None:
                raise
            found = await self._look_after_unknown(spec, ctx, trace)
            raise UpstreamUnavailable(
                f"{exc} The connection failed after {' '.join(trace.unknown)} was sent: the "
                f"change may or may not have been applied. {found} Check before retrying; "
                "a blind retry could apply it twice.") from None

    async def _look_after_unknown(self, spec: ToolSpec, ctx: ToolContext, trace: Trace) -> str:
        """Read what is there now: the target of an update or delete, or (a create) objects
        of the collection carrying the new object's name."""
        assert trace.unknown is not None
        path = trace.unknown[1].split("/api/v2", 1)[-1]
        try:
            if trace.unknown[0] == "POST":
                label = spec.target.label if spec.target else "name"
                body = trace.body
                name = body.get(label) if isinstance(body, Mapping) else None
                if name is None:
                    return "Its name is unknown, so it could not be looked up."
                items, complete = await self._collection(ctx, path)
                same = [brief(i) for i in items if isinstance(i, Mapping) and i.get(label) == name]
                return (f"Found now: {len(same)} object(s) named {name!r}"
                        f"{'' if complete else f' among the first {len(items)}'}: "
                        f"{json.dumps(self.redactor.data(same), default=str)[:600]}.")
            current = await ctx.api.get(path)
            shown = json.dumps(self.redactor.data(brief(current)), default=str)[:600] \
                if isinstance(current, Mapping) else "nothing"
            return f"Found now at {path}: {shown}."
        except ToolError as exc:
            return f"Looking it up failed too ({exc})."

    @staticmethod
    async def _collection(ctx: ToolContext, path: str) -> tuple[list[Any], bool]:
        """The items at ``path``, up to LOOKUP_LIMIT (a new object is usually listed last, so
        the first page alone would miss it in any tenant with more than a page); and whether
        that was all of them. Object answers hold the items under the path's last segment
        (``/actions/actions``: ``actions``)."""
        key = path.rstrip("/").rsplit("/", 1)[-1].replace("-", "_")
        items: list[Any] = []
        async for item in ctx.api.iterate_pages(path, key, per_page=100, totals=False):
            items.append(item)
            if len(items) >= LOOKUP_LIMIT:
                return items, False
        return items, True

    def _answer(self, verdict: Verdict, record: _Call) -> Outcome:
        record.outcome = verdict.outcome
        if verdict.input_required is not None:
            return Outcome(None, "", False, input_required=verdict.input_required)
        if verdict.data is None and verdict.plan is None:
            return self._success(verdict.result)
        data = fence(self.redactor.data(dict(verdict.data or {})))
        return Outcome(data, self.redactor.text(verdict.text), False)

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
            raise TypeError(f"a handler must return a mapping or ToolResult, not "
                            f"{type(result).__name__}")
        # The redaction walk only when the answer's text shows something to mask (it costs
        # more than the call's own work on a big answer); fencing changes values: always.
        if not self.redactor.clean(json.dumps(data, separators=(",", ":"), ensure_ascii=False,
                                              default=str)):
            data = self.redactor.data(data)
        data = fence(data)
        text = json.dumps(data, separators=(",", ":"), ensure_ascii=False, default=str)
        if summary:
            text = f"{self.redactor.text(summary)}\n{text}"
        return Outcome(data, text, False)

    def _error(self, message: str) -> Outcome:
        return Outcome(None, self.redactor.text(message), True)
