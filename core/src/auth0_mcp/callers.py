"""Remote mode's per-caller rules: which tools a caller sees, who they are for the journal,
and whether their budget allows another call. The SDK's tools/call handler (server.py) and
the HTTP fast path (remote/fastpath.py) both call through here, so the rules cannot differ
between them. Free of the SDK: stdio builds one too and never imports it for reads."""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from typing import Any

import attrs

from .errors import ToolError
from .pipeline import Outcome, Pipeline
from .safety.gate import Asker


@attrs.frozen
class CallPolicy:
    """Who calls, which tools they may see, and whether their budget allows a call: remote
    mode's per-caller rules (the defaults, for stdio: every tool, no named caller, no budget).
    The SDK's handler and the HTTP fast path (remote/fastpath.py) both call through here."""

    visible_for: Callable[[], set[str] | None] | None = None
    caller_of: Callable[[], str | None] | None = None
    wait_for: Callable[[str | None], Awaitable[float]] | None = None

    def visible(self) -> set[str] | None:
        return self.visible_for() if self.visible_for else None

    async def call(self, pipeline: Pipeline, name: str, arguments: dict[str, Any] | None,
                   asker: Asker | None = None) -> Outcome:
        caller = self.caller_of() if self.caller_of else None
        try:
            wait = await self.wait_for(caller) if self.wait_for else 0
        except ToolError as exc:  # the shared budget store is down: fail closed
            refused: str | None = str(exc)
        else:
            refused = (f"Too many calls from {caller}: retry in {math.ceil(wait)} s."
                       if wait else None)
        return await pipeline.call(name, arguments, allowed=self.visible(), caller=caller,
                                   asker=asker, refused=refused)
