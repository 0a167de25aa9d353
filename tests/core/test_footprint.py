"""The catalog's context cost: the tools the reference server also has must cost at most
14,000 bytes of tools/list (the reference: 36.7 KB for its 23)."""

from __future__ import annotations

from auth0_mcp.runtime import RunOptions, load_catalog
from auth0_mcp.server import to_mcp_tool

REFERENCE_EQUIVALENT = {
    "auth0_list_applications", "auth0_get_application", "auth0_create_application",
    "auth0_update_application", "auth0_list_resource_servers", "auth0_get_resource_server",
    "auth0_create_resource_server", "auth0_update_resource_server", "auth0_list_actions",
    "auth0_get_action", "auth0_create_action", "auth0_update_action", "auth0_deploy_action",
    "auth0_list_logs", "auth0_get_log", "auth0_list_forms", "auth0_get_form",
    "auth0_create_form", "auth0_update_form", "auth0_create_application_grant",
}


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
