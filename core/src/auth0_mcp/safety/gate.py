"""The one write path: plan a mutating call, ask for a yes when the policy wants one, and only
then let it apply.

Three ways to say yes: MCP elicitation in the handshake era (``elicitation/create``, answered
within the call), an input-required result in the 2026 era (the client asks and calls again),
or, for clients without elicitation, the plan as a normal result with a sealed ``confirm``
token to send back with the same arguments. A delete needs the target's name typed back.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import anyio
import attrs

from ..context import ToolContext
from ..errors import Auth0ApiError
from ..spec import Target, ToolSpec
from .confirm import CONFIRM, Refused, Sealer
from .plan import DryRunClient, Plan, Write, diff, merged
from .policy import needs_confirmation, plans_before_applying

NO_TARGET = Target()


@attrs.frozen
class Asker:
    """How this call can ask the person. ``elicit`` (handshake era) asks and waits;
    ``modern`` means the call may answer input-required, and ``answer``/``state`` carry the
    client's reply when it calls again."""

    elicit: Callable[[str, dict[str, Any]], Awaitable[Mapping[str, Any] | None]] | None = None
    modern: bool = False
    answer: Mapping[str, Any] | None = None  # {"action": ..., "content": {...}}
    state: str | None = None


@attrs.frozen
class Verdict:
    """``apply`` true: run the handler for real. Otherwise ``data``/``text`` answer the call
    (a plan, a refusal, a decline) or ``input_required`` asks the client first."""

    apply: bool
    plan: Plan | None = None
    outcome: str = "ok"
    data: Mapping[str, Any] | None = None
    text: str = ""
    input_required: Mapping[str, Any] | None = None
    result: Any = None  # the dry run's answer when it wrote nothing


async def read_target(spec: ToolSpec, ctx: ToolContext, args: Any,
                      writes: tuple[Write, ...],
                      seen: Mapping[str, Any] | None = None) -> Mapping[str, Any] | None:
    """The object an update or delete changes: the tool's Target.read, else GET on the path
    of its first write (the dry run's own read of it when it made one: ``seen``)."""
    target = spec.target or NO_TARGET
    try:
        if target.read is not None:
            return await target.read(ctx, args)
        if seen is not None and writes[0].path in seen:
            current = seen[writes[0].path]
        else:
            current = await ctx.api.get(writes[0].path)
    except Auth0ApiError as exc:
        if exc.status != 403:
            raise
        # A token that may write but not read: the write goes on, without a diff or undo
        # (the plan says so).
        return None
    return current if isinstance(current, Mapping) else None


async def make_plan(spec: ToolSpec, ctx: ToolContext, args: Any) -> tuple[Plan | None, Any]:
    """Dry-run the handler: ``(plan, None)``, or ``(None, result)`` when it wrote nothing (its
    answer is then final). A failure before any write is the call's failure."""
    dry = DryRunClient(ctx.api)
    result = None
    try:
        result = await spec.handler(attrs.evolve(ctx, api=dry), args)
    except Exception:
        if not dry.writes:
            raise
    if not dry.writes:
        return None, result
    writes = tuple(dry.writes)
    target = spec.target or NO_TARGET
    before = None
    changes: tuple[Any, ...] = ()
    if spec.kind in ("update", "delete"):
        before = await read_target(spec, ctx, args, writes, dry.seen)
        if spec.kind == "update":
            changes = tuple(diff(before, merged(before, writes), secret=spec.secret_fields))
    label = _label(target, before, writes)
    dependents = None
    if spec.kind == "delete" and target.dependents is not None and before is not None:
        dependents = await target.dependents(ctx, dict(before))
    return Plan(spec.name, spec.kind, writes, before, changes, label, dependents), None


def _label(target: Target, before: Mapping[str, Any] | None,
           writes: tuple[Write, ...]) -> str | None:
    source = before if before is not None else writes[0].body
    if isinstance(source, Mapping) and source.get(target.label) not in (None, ""):
        return str(source[target.label])
    if before is not None:  # no name: its id, as it appears in the path
        from urllib.parse import unquote

        return unquote(writes[0].path.rstrip("/").rsplit("/", 1)[-1])
    return None


@attrs.define
class Gate:
    policy: str
    sealer: Sealer
    redact: Callable[[Any], Any]

    async def check(self, spec: ToolSpec, ctx: ToolContext, args: Any,
                    arguments: Mapping[str, Any], asker: Asker | None,
                    plan_within: float = 60.0) -> Verdict:
        """``plan_within`` seconds bound the planning (not the wait for a person's answer)."""
        token = arguments.get(CONFIRM)
        answer = asker.answer if asker is not None else None
        if token is None and answer is not None and asker is not None:
            token = asker.state
        if token is None and not plans_before_applying(self.policy, spec):
            return Verdict(True)
        with anyio.fail_after(plan_within):
            plan, result = await make_plan(spec, ctx, args)
        if plan is None:
            return Verdict(False, result=result)
        if answer is not None:
            declined = self._declined(plan, answer)
            if declined is not None:
                return declined
        if token is not None:
            try:
                await self.sealer.spend(token, spec.name, arguments, plan)
            except Refused as refused:
                return self._planned(spec, plan, arguments, asker,
                                     refused=f"Not applied: {refused}. Nothing was sent.")
            return Verdict(True, plan)
        if not needs_confirmation(self.policy, spec, plan):
            return Verdict(True, plan)
        reply = None
        if asker is not None and asker.elicit is not None:
            reply = await asker.elicit(*self._question(plan))  # None: it could not ask
        if reply is not None:
            declined = self._declined(plan, reply)
            if declined is not None:
                return declined
            # The person took their time: apply only to the state they were shown.
            current = await read_target(spec, ctx, args, plan.writes) \
                if spec.kind in ("update", "delete") else None
            if attrs.evolve(plan, before=current).state != plan.state:
                return self._planned(spec, plan, arguments, None,
                                     refused="Not applied: the target changed while you were "
                                     "asked. Nothing was sent.")
            return Verdict(True, plan)
        return self._planned(spec, plan, arguments, asker)

    def _question(self, plan: Plan) -> tuple[str, dict[str, Any]]:
        if plan.kind == "delete" and plan.label:
            schema = {"type": "object", "required": ["name"], "properties": {
                "name": {"type": "string", "title": f"Type {plan.label} to confirm"}}}
            return f"{plan.summary()} Type {plan.label!r} to confirm.", schema
        return f"{plan.summary()} Apply?", {"type": "object", "properties": {}}

    def _declined(self, plan: Plan, reply: Mapping[str, Any]) -> Verdict | None:
        action = reply.get("action")
        if action != "accept":
            return Verdict(False, plan, "declined", {"applied": False, "declined": True},
                           f"The user {'declined' if action == 'decline' else 'cancelled'}: "
                           "nothing was sent to Auth0.")
        if plan.kind == "delete" and plan.label:
            typed = str((reply.get("content") or {}).get("name") or "").strip()
            if typed != plan.label:
                return Verdict(False, plan, "declined", {"applied": False, "declined": True},
                               f"The name typed ({typed!r}) is not {plan.label!r}: nothing "
                               "was deleted.")
        return None

    def _planned(self, spec: ToolSpec, plan: Plan, arguments: Mapping[str, Any],
                 asker: Asker | None, refused: str | None = None) -> Verdict:
        token = self.sealer.seal(spec.name, arguments, plan)
        if asker is not None and asker.modern:
            message, schema = self._question(plan)
            if refused:
                message = f"{refused} {message}"
            return Verdict(False, plan, "asked", input_required={
                "message": message, "schema": schema, "state": token})
        data = {"applied": False, "plan": plan.render(self.redact), CONFIRM: token}
        if refused:
            data = {"applied": False, "refused": refused, **data}
        text = (f"{refused + ' ' if refused else ''}Not applied yet. {plan.summary()} Show "
                f"this plan to the user; if they agree, call {spec.name} again with the same "
                f"arguments plus \"confirm\": \"{token}\" (valid "
                f"{int(self.sealer.ttl // 60)} min, once).")
        return Verdict(False, plan, "refused" if refused else "planned", data, text)
