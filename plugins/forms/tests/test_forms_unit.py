"""Unit tests of the forms plugin's pure parts: summaries and the graph check, over every
recorded Auth0 forms response and over hand-built broken graphs."""

from __future__ import annotations

import copy
import json

import pytest

from auth0_mcp.testing.shared import fixtures_dir
from auth0_mcp_forms import graph
from auth0_mcp_forms.tools import saved, summary

FIXTURES = fixtures_dir(__file__)


def recorded() -> list[tuple[str, dict]]:
    files = sorted(FIXTURES.glob("forms__*.json"))
    if not files:
        pytest.skip(f"no recorded forms fixtures in {FIXTURES}")
    return [(f.name, json.loads(f.read_text())) for f in files]


def step(node_id: str, next_node: str | None = "$ending", **extra) -> dict:
    config: dict = {"components": [{"id": "next", "category": "BLOCK", "type": "NEXT_BUTTON",
                                    "config": {"text": "Continue"}}]}
    if next_node is not None:
        config["next_node"] = next_node
    return {"id": node_id, "type": "STEP", "coordinates": {"x": 0, "y": 0},
            "config": config, **extra}


def form(*nodes: dict, start: str | None = None) -> dict:
    return {"start": {"next_node": start or nodes[0]["id"], "coordinates": {"x": 0, "y": 0}},
            "nodes": list(nodes), "ending": {"resume_flow": True}}


def test_every_recorded_forms_response_parses():
    seen_graphs = 0
    for name, fixture in recorded():
        body = fixture["response"]["body"]
        status = fixture["response"]["status"]
        if status >= 300 or body is None:
            continue
        items = body["forms"] if "forms" in body else [body]
        for item in items:
            out = summary(item)
            assert out["id"].startswith("ap_") and out["name"], name
            assert "description" not in out and "start" not in out, name
            if "nodes" in item or "start" in item or "ending" in item:
                report = graph.check(item.get("start"), item.get("nodes"), item.get("ending"))
                assert isinstance(report.sentence(), str)
                if item.get("nodes"):
                    seen_graphs += 1
                    assert report.ok, f"{name}: {report.problems}"
                    assert report.nodes == report.reachable == len(item["nodes"])
                else:  # forms saved without a graph: start leads nowhere
                    assert not report.ok and "start.next_node is not set" in report.problems[0]
    assert seen_graphs >= 2  # the deploy-cli form with a STEP node (GET and POST)


def test_recorded_camel_case_form_is_read():
    for name, fixture in recorded():
        body = fixture["response"]["body"]
        if isinstance(body, dict) and "nextNode" in json.dumps(body):
            body = copy.deepcopy(body)
            body["start"]["nextNode"] = "$ending"
            report = graph.check(body["start"], body["nodes"], body["ending"])
            assert report.ok, name
            return
    pytest.skip("no camelCase form recorded")


def test_valid_graph_with_router_flow_and_jump_button():
    router = {"id": "router_1", "type": "ROUTER", "config": {
        "rules": [{"id": "r1", "condition": {}, "next_node": "flow_1"}],
        "fallback": "step_2"}}
    flow = {"id": "flow_1", "type": "FLOW", "config": {"flow_id": "af_1", "next_node": "$ending"}}
    jump = step("step_2", "$ending")
    jump["config"]["components"].append(
        {"id": "jb", "category": "BLOCK", "type": "JUMP_BUTTON",
         "config": {"text": "Back", "next_node": "router_1"}})
    report = graph.check(*form(step("step_1", "router_1"), router, flow, jump).values())
    assert report.ok, report.problems
    assert (report.nodes, report.reachable) == (4, 4)
    assert report.sentence().startswith("validated 4 node(s), all reachable")


def test_dangling_reference_is_reported_with_where_it_lives():
    report = graph.check(*form(step("step_1", "step_9")).values())
    assert report.problems == (
        "node step_1 config.next_node points to 'step_9', which is not a node id or $ending",
        "the ending cannot be reached from start",
    )


def test_duplicates_unreachable_dead_ends_and_bad_types():
    orphan = step("orphan", "nowhere")
    nodes = [step("a", "b"), step("b", None), step("a"), orphan,
             {"id": "x", "type": "WIDGET"}, {"type": "STEP"}, "junk"]
    report = graph.check({"next_node": "a"}, nodes, {"resume_flow": True})
    problems = "\n".join(report.problems)
    assert "duplicate node id a" in problems
    assert "node b config.next_node is not set (dead end)" in problems
    assert "node orphan is not reachable from start" in problems
    assert "node orphan config.next_node points to 'nowhere'" in problems
    assert "node x has type 'WIDGET'" in problems
    assert "nodes[5] has no id" in problems and "nodes[6] is not an object" in problems
    assert "the ending cannot be reached from start" in problems
    assert not report.ok and report.sentence().startswith(f"{len(report.problems)} problem(s)")


def test_router_without_fallback_and_cycle():
    router = {"id": "r", "type": "ROUTER", "config": {"rules": [{"id": "r1", "condition": {}}]}}
    report = graph.check(*form(step("s", "r"), router).values())
    assert "node r rule r1 next_node is not set (dead end)" in report.problems
    assert "node r config.fallback is not set (dead end)" in report.problems
    loop = graph.check(*form(step("s1", "s2"), step("s2", "s1")).values())
    assert loop.problems == ("the ending cannot be reached from start",)


def test_missing_start_ending_and_reserved_id():
    report = graph.check(None, [step("$ending")], None)
    assert "ending is missing" in report.problems
    assert "start.next_node is not set (dead end)" in report.problems
    assert "nodes[0] uses the reserved id $ending" in report.problems
    empty = graph.check({"next_node": "$ending"}, [], {"resume_flow": True})
    assert empty.ok and empty.nodes == 0


def test_saved_flags_graph_problems_only_when_the_graph_was_sent():
    broken = {"id": "ap_1", "name": "f", **form(step("s", "gone"))}
    assert "graph_problems" in saved(broken, {"nodes": broken["nodes"]})
    assert "graph_problems" not in saved(broken, {"name": "f"})
    assert saved(broken, {"name": "f"})["nodes"] == 1


def test_specs_are_valid_and_small():
    """The forms share of the 600-bytes-per-tool budget of the reference-equivalent tools
    (list/get/create/update forms; list/get logs take the other 1,340)."""
    import jsonschema

    from auth0_mcp.cli.tools_cmd import tool_json
    from auth0_mcp.plugins import validate_spec
    from auth0_mcp_forms import plugin, tools

    specs = {s.name: s for s in plugin.auth0_mcp_register_tools()}
    for spec in specs.values():
        assert validate_spec(spec) == [], spec.name
        jsonschema.validate(spec.example, spec.input_schema)
    assert specs["auth0_delete_form"].destructive
    assert specs["auth0_delete_form"].kind == "delete"
    assert [n for n, s in specs.items() if s.read_only] == ["auth0_list_forms", "auth0_get_form"]
    reference = (tools.list_forms, tools.get_form, tools.create_form, tools.update_form)
    assert sum(len(tool_json(t).encode()) for t in reference) <= 2260
