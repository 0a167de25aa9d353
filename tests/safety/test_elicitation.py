"""Clients that declared elicitation are asked within the call, in both protocol eras
(2025-11-25 ``elicitation/create``; 2026-07-28 input-required results): no extra tool call.
A delete needs the name typed back; a decline or a wrong name sends nothing."""

from __future__ import annotations

from typing import Any

import mcp.types as types
import pytest

from auth0_mcp.testing import structured, text_of

from .conftest import session, unique

ERAS = ["legacy", "2026-07-28"]


class Person:
    """Answers elicitations as scripted, and remembers what it was asked."""

    def __init__(self, action: str = "accept", typed: Any = None) -> None:
        self.action, self.typed, self.asked = action, typed, []

    async def __call__(self, _context: Any, params: Any) -> types.ElicitResult:
        self.asked.append(params)
        if self.action != "accept":
            return types.ElicitResult(action=self.action)
        content = {} if self.typed is None else {"name": self.typed}
        return types.ElicitResult(action="accept", content=content)


async def new_app(client: Any) -> dict[str, Any]:
    return structured(await client.call_tool("auth0_create_application",
                                             {"name": unique("Elicit")}))


@pytest.mark.parametrize("mode", ERAS)
async def test_delete_asks_and_needs_the_name_typed_back(harness, mode):
    person = Person()
    async with session(harness, mode=mode, elicit=person) as (client, _, wire):
        app = await new_app(client)
        cid, name = app["client_id"], app["name"]
        start = len(wire.writes)

        person.typed = "not the name"
        wrong = await client.call_tool("auth0_delete_application", {"client_id": cid})
        assert not wrong.is_error and "nothing was deleted" in text_of(wrong)
        assert len(wire.writes) == start and cid in harness.sandbox.tenant.collection("clients")
        asked = person.asked[-1]
        assert name in asked.message and asked.requested_schema["required"] == ["name"]

        person.typed = name
        done = await client.call_tool("auth0_delete_application", {"client_id": cid})
        assert structured(done) == {"deleted": cid}
        assert wire.writes[start:] == [("DELETE", f"/api/v2/clients/{cid}")]


@pytest.mark.parametrize("mode", ERAS)
@pytest.mark.parametrize("action", ["decline", "cancel"])
async def test_decline_or_cancel_sends_nothing(harness, mode, action):
    person = Person(action)
    async with session(harness, mode=mode, elicit=person) as (client, _, wire):
        cid = (await new_app(client))["client_id"]
        start = len(wire.writes)
        answer = await client.call_tool("auth0_delete_application", {"client_id": cid})
        assert not answer.is_error
        assert structured(answer) == {"applied": False, "declined": True}
        assert "nothing was sent" in text_of(answer)
        assert len(wire.writes) == start and cid in harness.sandbox.tenant.collection("clients")
        assert len(person.asked) == 1


@pytest.mark.parametrize("mode", ERAS)
async def test_a_risky_update_is_asked_with_its_diff(harness, mode):
    person = Person()
    async with session(harness, mode=mode, elicit=person) as (client, _, wire):
        cid = structured(await client.call_tool("auth0_create_application", {
            "name": unique("Diff"), "callbacks": ["https://a.example/cb"]}))["client_id"]
        start = len(wire.writes)
        done = structured(await client.call_tool("auth0_update_application", {
            "client_id": cid, "remove": {"callbacks": ["https://a.example/cb"]}}))
        assert done["client_id"] == cid
        assert "callbacks: -'https://a.example/cb'" in person.asked[-1].message
        assert wire.writes[start:] == [("PATCH", f"/api/v2/clients/{cid}")]
