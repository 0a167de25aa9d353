"""The forms tools end to end: an MCP client session, the real server, the sandbox tenant over
HTTP. The tenant's own state (``sandbox.tenant``) is the expectation."""

from __future__ import annotations

import contextlib
import copy
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from mcp import Client

from auth0_mcp.runtime import RunOptions, build_runtime
from auth0_mcp.testing import Recording, structured, text_of

SCOPES = ["read:forms", "create:forms", "update:forms", "delete:forms"]


@contextlib.asynccontextmanager
async def recorded_session(harness: Any, scopes: list[str] | None = None
                           ) -> AsyncIterator[tuple[Client, list]]:
    transport = Recording()
    options = RunOptions()
    runtime = await build_runtime(options, harness.credentials(scopes or SCOPES), env={},
                                  catalog=harness.catalog(options), transport=transport)
    try:
        async with Client(runtime.server, mode="legacy") as client:
            yield client, transport.requests
    finally:
        await runtime.aclose()


def step(node_id: str, next_node: str, x: int) -> dict[str, Any]:
    return {"id": node_id, "type": "STEP", "coordinates": {"x": x, "y": 0}, "alias": node_id,
            "config": {"components": [
                {"id": f"name_{node_id}", "category": "FIELD", "type": "TEXT",
                 "label": "Your name", "required": True, "sensitive": False,
                 "config": {"multiline": False, "min_length": 1, "max_length": 50}},
                {"id": f"next_{node_id}", "category": "BLOCK", "type": "NEXT_BUTTON",
                 "config": {"text": "Continue"}}],
                "next_node": next_node}}


def valid_graph() -> dict[str, Any]:
    """start -> step_a -> router_1 -(rule)-> step_b -> $ending, fallback -> $ending."""
    router = {"id": "router_1", "type": "ROUTER", "coordinates": {"x": 500, "y": 0},
              "config": {"rules": [{"id": "rule_1", "alias": "has name",
                                    "condition": {"operator": "exists",
                                                  "operands": ["{{fields.name_step_a}}"]},
                                    "next_node": "step_b"}],
                         "fallback": "$ending"}}
    return {"nodes": [step("step_a", "router_1", 250), router, step("step_b", "$ending", 750)],
            "start": {"next_node": "step_a", "coordinates": {"x": 0, "y": 0}},
            "ending": {"resume_flow": True, "coordinates": {"x": 1000, "y": 0}}}


def stored(sandbox: Any, form_id: str) -> dict[str, Any] | None:
    form = sandbox.tenant.collection("forms").get(form_id)
    return copy.deepcopy(form) if form is not None else None


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def create(client: Client, **fields: Any) -> dict[str, Any]:
    return structured(await client.call_tool("auth0_create_form", fields))


async def test_crud(sandbox, auth0_mcp):
    name = unique("mcp-form")
    async with recorded_session(auth0_mcp) as (client, _):
        created = await create(client, name=name, languages={"primary": "en"}, **valid_graph())
        form_id = created["id"]
        assert form_id.startswith("ap_") and created["name"] == name
        assert created["nodes"] == 3 and "graph_problems" not in created
        assert stored(sandbox, form_id)["nodes"] == valid_graph()["nodes"]

        got = structured(await client.call_tool("auth0_get_form", {"id": form_id}))
        assert got["start"] == valid_graph()["start"] and got["languages"] == {"primary": "en"}

        renamed = await client.call_tool("auth0_update_form", {"id": form_id,
                                                               "name": name + "-v2"})
        assert structured(renamed)["name"] == name + "-v2"
        assert "Updated name" in text_of(renamed)
        after = stored(sandbox, form_id)
        assert after["name"] == name + "-v2" and after["nodes"] == valid_graph()["nodes"]

        noop = await client.call_tool("auth0_update_form", {"id": form_id})
        assert "Nothing to change" in text_of(noop)

        broken = valid_graph()["nodes"][:1]  # step_a -> router_1, which is gone
        # Dropping nodes removes list items: the default policy shows the plan first.
        planned = structured(await client.call_tool("auth0_update_form",
                                                    {"id": form_id, "nodes": broken}))
        assert planned["applied"] is False and stored(sandbox, form_id)["nodes"] == \
            valid_graph()["nodes"]
        assert [n["id"] for n in planned["plan"]["changes"]["nodes"]["-"]] == \
            [n["id"] for n in valid_graph()["nodes"][1:]]
        saved = structured(await client.call_tool("auth0_update_form", {
            "id": form_id, "nodes": broken, "confirm": planned["confirm"]}))
        assert saved["nodes"] == 1 and any("router_1" in p for p in saved["graph_problems"])

        # The real confirmation path (default policy, no elicitation): a plan first, nothing
        # deleted; the same call with its confirm token applies it.
        planned = structured(await client.call_tool("auth0_delete_form", {"id": form_id}))
        assert planned["applied"] is False and stored(sandbox, form_id) is not None
        assert planned["plan"]["requests"] == [f"DELETE /forms/{form_id}"]
        deleted = await client.call_tool("auth0_delete_form",
                                         {"id": form_id, "confirm": planned["confirm"]})
        assert structured(deleted) == {"deleted": form_id}
        assert stored(sandbox, form_id) is None
        again = await client.call_tool("auth0_delete_form", {"id": form_id})
        assert again.is_error and "404" in text_of(again)


async def test_list_pages_through_every_form(sandbox, auth0_mcp):
    async with recorded_session(auth0_mcp) as (client, _):
        mine = {(await create(client, name=unique("mcp-list")))["id"] for _ in range(3)}
        seen: list[str] = []
        page = 0
        while True:
            data = structured(await client.call_tool("auth0_list_forms",
                                                     {"page": page, "per_page": 2}))
            assert len(data["forms"]) <= 2 and data["total"] == len(
                sandbox.tenant.collection("forms"))
            seen += [f["id"] for f in data["forms"]]
            for item in data["forms"]:
                assert set(item) <= {"id", "name", "flow_count", "updated_at", "embedded_at",
                                     "submitted_at"}
            if not data["has_more"]:
                break
            page += 1
    assert page >= 1 and mine <= set(seen)
    assert sorted(seen) == sorted(sandbox.tenant.collection("forms"))


async def test_publish_valid_graph_saves_it(sandbox, auth0_mcp):
    async with recorded_session(auth0_mcp) as (client, requests):
        form_id = (await create(client, name=unique("mcp-publish"), **valid_graph()))["id"]
        before = stored(sandbox, form_id)
        requests.clear()
        result = await client.call_tool("auth0_publish_form", {"id": form_id})
    data = structured(result)
    assert data["saved"] is True and data["nodes"] == 3
    assert data["checked"] == ("validated 3 node(s), all reachable from start, ending "
                               "reachable; saved")
    assert [m for m, _ in requests] == ["GET", "PATCH"]
    after = stored(sandbox, form_id)
    assert after["nodes"] == before["nodes"] and after["start"] == before["start"]
    assert after["updated_at"] >= before["updated_at"]


async def test_publish_a_given_graph_replaces_the_saved_one(sandbox, auth0_mcp):
    graph = valid_graph()
    async with recorded_session(auth0_mcp) as (client, requests):
        form_id = (await create(client, name=unique("mcp-publish-given")))["id"]
        requests.clear()
        data = structured(await client.call_tool("auth0_publish_form", {"id": form_id, **graph}))
    assert data["saved"] is True and [m for m, _ in requests] == ["PATCH"]
    after = stored(sandbox, form_id)
    assert after["nodes"] == graph["nodes"] and after["start"] == graph["start"]


async def test_publish_broken_graph_changes_nothing(sandbox, auth0_mcp):
    graph = valid_graph()
    graph["nodes"][2]["config"]["next_node"] = "step_gone"  # dangling reference
    async with recorded_session(auth0_mcp) as (client, requests):
        form_id = (await create(client, name=unique("mcp-publish-broken"), **graph))["id"]
        before = stored(sandbox, form_id)
        requests.clear()
        result = await client.call_tool("auth0_publish_form", {"id": form_id})
        dup = valid_graph()
        dup["nodes"].append(step("step_a", "$ending", 0))
        duplicate = await client.call_tool("auth0_publish_form", {"id": form_id, **dup})
    text = text_of(result)
    assert result.is_error and "NOT saved" in text
    assert "node step_b config.next_node points to 'step_gone'" in text
    assert "the ending cannot be reached from start" not in text  # the fallback still ends
    assert duplicate.is_error and "duplicate node id step_a" in text_of(duplicate)
    assert [m for m, _ in requests] == ["GET"]
    assert stored(sandbox, form_id) == before


async def test_missing_form_is_a_404(auth0_mcp):
    async with recorded_session(auth0_mcp) as (client, _):
        for tool, args in [("auth0_get_form", {}), ("auth0_update_form", {"name": "x"}),
                           ("auth0_publish_form", {})]:
            result = await client.call_tool(tool, {"id": "ap_doesNotExist000000000", **args})
            assert result.is_error and "404" in text_of(result), tool
            assert "Form not found" in text_of(result)


async def test_write_scopes_hide_the_write_tools(auth0_mcp):
    async with auth0_mcp.session(scopes=["read:forms"]) as client:
        names = {t.name for t in (await client.list_tools()).tools if "form" in t.name}
    assert names == {"auth0_list_forms", "auth0_get_form"}


@pytest.mark.parametrize(("tool", "arguments", "message"), [
    ("auth0_create_form", {}, "'name' is required"),
    ("auth0_create_form", {"name": ""}, "name"),
    ("auth0_create_form", {"name": "x", "nodes": "step"}, "nodes"),
    ("auth0_create_form", {"name": "x", "nodes": ["step"]}, "nodes.0"),
    ("auth0_create_form", {"name": "x", "colour": "red"}, "unknown argument"),
    ("auth0_list_forms", {"per_page": 0}, "per_page"),
    ("auth0_get_form", {"id": ""}, "id"),
    ("auth0_update_form", {"name": "x"}, "'id' is required"),
    ("auth0_delete_form", {"id": 7}, "expected string"),
    ("auth0_publish_form", {"id": "ap_x", "start": "step_a"}, "start"),
])
async def test_invalid_arguments_never_reach_the_sandbox(auth0_mcp, tool, arguments, message):
    async with recorded_session(auth0_mcp) as (client, requests):
        result = await client.call_tool(tool, arguments)
    assert result.is_error and message in text_of(result), text_of(result)
    assert requests == []


async def test_publish_of_a_fully_given_broken_graph_sends_nothing(auth0_mcp):
    graph = valid_graph()
    graph["start"]["next_node"] = "nowhere"
    async with recorded_session(auth0_mcp) as (client, requests):
        result = await client.call_tool("auth0_publish_form", {"id": "ap_any", **graph})
    assert result.is_error and "start.next_node points to 'nowhere'" in text_of(result)
    assert requests == []
