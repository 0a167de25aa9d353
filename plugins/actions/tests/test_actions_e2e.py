"""Actions end to end: MCP client session -> server -> sandbox (asynchronous builds)."""

from __future__ import annotations

import glob
import json
import uuid

import auth0_mcp_actions.plugin as plugin_module
from auth0_mcp.testing import Harness, structured, text_of
from auth0_mcp.testing.contract import ToolFamilyContract
from auth0_mcp_actions.tools import summary


class TestContract(ToolFamilyContract):
    plugin = plugin_module


POST_LOGIN = [{"id": "post-login", "version": "v3"}]
CLAIM = ("exports.onExecutePostLogin = async (event, api) => {\n"
         "  api.accessToken.setCustomClaim('https://example.com/plan', 'gold');\n};\n")
BROKEN = "exports.onExecutePostLogin = async (event, api) => {\n  if (true) {\n};\n"


def unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:8]}"


async def test_create_and_deploy_a_custom_claim_action(auth0_mcp: Harness):
    async with auth0_mcp.session() as client:
        created = structured(await client.call_tool("auth0_create_action", {
            "name": unique("Plan claim"), "supported_triggers": POST_LOGIN, "code": CLAIM}))
        assert created["runtime"] == "node22"
        deployed = await client.call_tool("auth0_deploy_action", {"id": created["id"]})
        data = structured(deployed)
        assert data == {**data, "status": "built", "deployed": True, "number": 1}
        assert "built and deployed" in text_of(deployed)
    action = auth0_mcp.sandbox.tenant.collection("actions")[created["id"]]
    assert action["deployed_version"]["status"] == "built"


async def test_a_failed_build_is_never_reported_as_deployed(auth0_mcp: Harness):
    async with auth0_mcp.session() as client:
        created = structured(await client.call_tool("auth0_create_action", {
            "name": unique("Broken"), "supported_triggers": POST_LOGIN, "code": BROKEN}))
        result = await client.call_tool("auth0_deploy_action", {"id": created["id"]})
    assert result.is_error
    assert "FAILED" in text_of(result) and "not deployed" in text_of(result)
    assert "unbalanced" in text_of(result)


async def test_versions_and_rollback(auth0_mcp: Harness):
    async with auth0_mcp.session() as client:
        created = structured(await client.call_tool("auth0_create_action", {
            "name": unique("Versioned"), "supported_triggers": POST_LOGIN, "code": CLAIM}))
        aid = created["id"]
        await client.call_tool("auth0_deploy_action", {"id": aid})
        await client.call_tool("auth0_update_action", {"id": aid, "code": CLAIM.replace(
            "gold", "silver")})
        await client.call_tool("auth0_deploy_action", {"id": aid})
        versions = structured(await client.call_tool("auth0_list_action_versions",
                                                     {"id": aid}))
        assert [v["number"] for v in versions["versions"]] == [2, 1]
        rolled = structured(await client.call_tool("auth0_rollback_action",
                                                   {"id": aid, "number": 1}))
        assert rolled["number"] == 3 and rolled["deployed"]
        action = structured(await client.call_tool("auth0_get_action", {"id": aid}))
        assert "gold" in action["deployed_version"]["code"]
        missing = await client.call_tool("auth0_rollback_action", {"id": aid, "number": 9})
        assert missing.is_error and "does not exist" in text_of(missing)


async def test_bindings_add_at_a_position_and_remove(auth0_mcp: Harness):
    name = unique("Bound")
    async with auth0_mcp.session() as client:
        created = structured(await client.call_tool("auth0_create_action", {
            "name": name, "supported_triggers": POST_LOGIN, "code": CLAIM}))
        await client.call_tool("auth0_deploy_action", {"id": created["id"]})
        before = structured(await client.call_tool("auth0_get_action_bindings",
                                                   {"trigger_id": "post-login"}))["bindings"]
        added = structured(await client.call_tool("auth0_update_action_bindings", {
            "trigger_id": "post-login", "add": name, "position": 0}))
        assert added["bindings"][0]["action_id"] == created["id"]
        assert [b["action_id"] for b in added["bindings"][1:]] == [
            b["action_id"] for b in before]
        bound_delete = await client.call_tool("auth0_delete_action", {"id": created["id"]})
        assert bound_delete.is_error and "bound" in text_of(bound_delete)
        removed = structured(await client.call_tool("auth0_update_action_bindings", {
            "trigger_id": "post-login", "remove": [created["id"]]}))
        assert [b["action_id"] for b in removed["bindings"]] == [b["action_id"] for b in before]


async def test_filters_pagination_delete_and_404(auth0_mcp: Harness):
    tag = uuid.uuid4().hex[:6]
    ids = []
    async with auth0_mcp.session() as client:
        for i in range(5):
            ids.append(structured(await client.call_tool("auth0_create_action", {
                "name": f"Paged {tag} {i}", "supported_triggers": POST_LOGIN,
                "code": CLAIM}))["id"])
        seen, page = [], 0
        while True:
            data = structured(await client.call_tool("auth0_list_actions",
                                                     {"page": page, "per_page": 3}))
            seen += [a["id"] for a in data["actions"]]
            assert all("code" not in a for a in data["actions"])
            if not data["has_more"]:
                break
            page += 1
        assert set(ids) <= set(seen) and len(seen) == len(set(seen)) and page >= 2
        named = structured(await client.call_tool("auth0_list_actions",
                                                  {"name": f"Paged {tag} 3"}))
        assert [a["id"] for a in named["actions"]] == [ids[3]]
        undeployed = structured(await client.call_tool("auth0_list_actions",
                                                       {"deployed": False, "per_page": 100}))
        assert ids[0] in {a["id"] for a in undeployed["actions"]}
        await client.call_tool("auth0_delete_action", {"id": ids[0]})
        gone = await client.call_tool("auth0_get_action", {"id": ids[0]})
        assert gone.is_error and "That action does not exist" in text_of(gone)


async def test_schema_requires_code_and_nothing_reaches_the_tenant(auth0_mcp: Harness):
    before = len(auth0_mcp.sandbox.tenant.logs)
    result = await auth0_mcp.call("auth0_create_action", {
        "name": unique("No code"), "supported_triggers": POST_LOGIN})
    assert result.is_error and "'code' is required" in text_of(result)
    assert len(auth0_mcp.sandbox.tenant.logs) == before


async def test_deploy_without_read_scope_names_it(auth0_mcp: Harness):
    created = await auth0_mcp.call_ok("auth0_create_action", {
        "name": unique("Scoped"), "supported_triggers": POST_LOGIN, "code": CLAIM})
    # a token that may update but not read: the tool is hidden (it declares read:actions)
    async with auth0_mcp.session(scopes=["update:actions"]) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        assert "auth0_deploy_action" not in names and "auth0_update_action" in names
        result = await client.call_tool("auth0_update_action", {
            "id": created["id"], "code": CLAIM, "name": unique("x")})
        assert not result.is_error
    async with auth0_mcp.session(scopes=["read:actions"]) as client:
        denied = await client.call_tool("auth0_list_actions", {})
        assert not denied.is_error


def test_recorded_actions_parse_through_the_summary():
    for path in glob.glob("/work/shared/fixtures/auth0/actions__*200*.json"):
        body = json.load(open(path))["response"]["body"]
        items = body.get("actions", [body]) if isinstance(body, dict) else body
        for action in items:
            if isinstance(action, dict) and "supported_triggers" in action:
                out = summary(action)
                assert out["id"] and all("@" in t for t in out["triggers"])
