"""The catalog's context cost: the tools the reference server also has must cost at most
14,000 bytes of tools/list (the reference: 36.7 KB for its 23)."""

from __future__ import annotations

from auth0_mcp.reference import REFERENCE_EQUIVALENT
from auth0_mcp.runtime import RunOptions, load_catalog
from auth0_mcp.server import to_mcp_tool


def test_reference_equivalent_tools_fit_in_14_kb():
    tools = [t for t in load_catalog(RunOptions()).tools if t.name in REFERENCE_EQUIVALENT]
    assert {t.name for t in tools} == REFERENCE_EQUIVALENT
    listed = "{\"tools\":[" + ",".join(
        to_mcp_tool(t).model_dump_json(by_alias=True, exclude_none=True) for t in tools) + "]}"
    assert len(listed.encode()) <= 14_000, len(listed.encode())


def test_published_schema_is_leaner_but_validation_is_not():
    from auth0_mcp_actions.tools import create_action

    strict, lean = create_action.input_schema, create_action.published_schema
    item = strict["properties"]["supported_triggers"]["items"]
    assert item["additionalProperties"] is False and item["properties"]["id"]["minLength"] == 1
    lean_item = lean["properties"]["supported_triggers"]["items"]
    assert "additionalProperties" not in lean_item and "minLength" not in lean_item[
        "properties"]["id"]
    assert lean["additionalProperties"] is False
