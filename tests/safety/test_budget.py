"""The safety layer's context cost: the whole catalog of the first five families, with
auth0_undo and the confirm argument of every write, stays within 22,500 bytes of tools/list."""

from __future__ import annotations

from auth0_mcp.runtime import RunOptions, load_catalog
from auth0_mcp.server import to_mcp_tool

FIRST_FIVE = ("applications", "resource_servers", "actions", "logs", "forms")


def test_the_catalog_with_the_safety_layer_fits_in_22_5_kb():
    tools = load_catalog(RunOptions(plugins=FIRST_FIVE)).tools
    assert "auth0_undo" in {t.name for t in tools}
    listed = "{\"tools\":[" + ",".join(
        to_mcp_tool(t).model_dump_json(by_alias=True, exclude_none=True) for t in tools) + "]}"
    assert len(listed.encode()) <= 22_500, len(listed.encode())
    writes = [t for t in tools if t.kind != "read"]
    assert writes and all("confirm" in t.listing["inputSchema"]["properties"] for t in writes)
    assert not any("onfirm with the user" in t.description for t in tools)


NINE = {*FIRST_FIVE, "users", "roles", "organizations", "connections"}


def test_the_nine_family_catalog_costs_less_than_the_official_servers_23_tools():
    """Issue #14: with all nine families, tools/list stays under the 36,700 bytes the official
    server spends on its 23 tools (36,600 with a margin), while offering far more."""
    tools = load_catalog(RunOptions()).tools
    assert {t.plugin for t in tools} >= NINE
    listed = "{\"tools\":[" + ",".join(
        to_mcp_tool(t).model_dump_json(by_alias=True, exclude_none=True) for t in tools) + "]}"
    assert len(listed.encode()) <= 36_600, len(listed.encode())
    assert len(tools) >= 2.5 * 23
