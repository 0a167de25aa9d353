"""Actions end to end: MCP client session -> server -> sandbox tenant over HTTP.

The sandbox builds asynchronously like Auth0 (pending -> building -> built | failed), so the
deploy tools really have to wait and read the outcome.
"""

from __future__ import annotations

import uuid

import anyio
import pytest

import auth0_mcp_actions.plugin as plugin_module
from auth0_mcp.testing import Harness, structured, text_of
from auth0_mcp.testing.contract import ToolFamilyContract
from auth0_mcp_actions import deploy

ALL = ["read:actions", "create:actions", "update:actions", "delete:actions"]
CLAIM = ("exports.onExecutePostLogin = async (event, api) => {\n"
         "  api.accessToken.setCustomClaim('https://example.com/plan', 'gold');\n};\n")
V3 = [{"id": "post-login", "version": "v3"}]
BROKEN = "exports.onExecutePostLogin = async (event, api) => {\n  if (true) {\n};\n"


class TestContract(ToolFamilyContract):
    plugin = plugin_module


def unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:8]}"


def requests_seen(harness: Harness) -> int:
    return harness.sandbox.stats()["requests"]


async def create(client, name: str, code: str = CLAIM, **extra) -> dict:
    return structured(await client.call_tool("auth0_create_action", {
        "name": name, "supported_triggers": [{"id": "post-login"}], "code": code, **extra}))


async def test_create_and_deploy_a_custom_claim_action(auth0_mcp: Harness):
    """The seed prompt: create an Action adding a custom claim, deploy it, see it live."""
    name = unique("Plan claim")
    async with auth0_mcp.session() as client:
        result = await client.call_tool("auth0_create_action", {
            "name": name, "supported_triggers": [{"id": "post-login"}], "code": CLAIM})
        created = structured(result)
        assert "NOT deployed" in text_of(result)
        assert created["triggers"] == ["post-login@v3"]  # the CURRENT version, filled in
        assert created["runtime"] == "node22" and "deployed_version" not in created
        deployed = await client.call_tool("auth0_deploy_action", {"id": created["id"]})
        data = structured(deployed)
        assert data["deployed"] is True and data["status"] == "built" and data["number"] == 1
        assert "built and deployed" in text_of(deployed)
        action = structured(await client.call_tool("auth0_get_action", {"id": created["id"]}))
        assert action["deployed_version"]["number"] == 1
        assert "api.accessToken.setCustomClaim" in action["deployed_version"]["code"]
        listed = structured(await client.call_tool("auth0_list_actions", {
            "name": name, "deployed": True}))["actions"]
    assert listed == [{"id": created["id"], "name": name, "triggers": ["post-login@v3"],
                       "runtime": "node22", "status": "built", "deployed_version": 1,
                       "all_changes_deployed": True}]
    stored = auth0_mcp.sandbox.tenant.collection("actions")[created["id"]]
    assert stored["deployed_version"]["status"] == "built"


async def test_a_failed_build_is_reported_with_its_errors_and_never_as_deployed(auth0_mcp):
    async with auth0_mcp.session() as client:
        created = await create(client, unique("Broken"), BROKEN)
        result = await client.call_tool("auth0_deploy_action", {"id": created["id"]})
        assert result.is_error and result.structured_content is None
        text = text_of(result)
        assert "version 1" in text and "FAILED" in text and "NOT deployed" in text
        assert "SyntaxError" in text  # the build error itself
        versions = structured(await client.call_tool("auth0_list_action_versions",
                                                     {"id": created["id"]}))["versions"]
        assert [(v["number"], v["status"], v["deployed"]) for v in versions] == [
            (1, "failed", False)]
        assert versions[0]["errors"] and "SyntaxError" in versions[0]["errors"][0]
        # fix it, deploy, break it again: the failure says which version is still live
        await client.call_tool("auth0_update_action", {"id": created["id"], "code": CLAIM})
        assert structured(await client.call_tool("auth0_deploy_action",
                                                 {"id": created["id"]}))["number"] == 2
        await client.call_tool("auth0_update_action", {"id": created["id"], "code": BROKEN})
        again = await client.call_tool("auth0_deploy_action", {"id": created["id"]})
        assert again.is_error and "version 3" in text_of(again)
        assert "Version 2 is still the live one" in text_of(again)
        action = structured(await client.call_tool("auth0_list_actions", {
            "name": created["name"]}))["actions"][0]
    assert action["deployed_version"] == 2 and action["all_changes_deployed"] is False


async def test_versions_and_rollback(auth0_mcp: Harness):
    async with auth0_mcp.session() as client:
        aid = (await create(client, unique("Versioned")))["id"]
        await client.call_tool("auth0_deploy_action", {"id": aid})
        await client.call_tool("auth0_update_action", {
            "id": aid, "code": CLAIM.replace("gold", "silver")})
        await client.call_tool("auth0_deploy_action", {"id": aid})
        versions = structured(await client.call_tool("auth0_list_action_versions",
                                                     {"id": aid}))
        assert sorted(v["number"] for v in versions["versions"]) == [1, 2]
        assert [v["deployed"] for v in versions["versions"] if v["number"] == 2] == [True]
        assert all("code" not in v for v in versions["versions"])
        rolled = await client.call_tool("auth0_rollback_action", {"id": aid, "number": 1})
        data = structured(rolled)
        assert data["number"] == 3 and data["deployed"] and data["status"] == "built"
        assert "copy of version 1" in text_of(rolled) and "draft" in text_of(rolled)
        action = structured(await client.call_tool("auth0_get_action", {"id": aid}))
        assert "gold" in action["deployed_version"]["code"] and "silver" in action["code"]
        v2 = next(v["id"] for v in versions["versions"] if v["number"] == 2)
        by_id = structured(await client.call_tool("auth0_rollback_action",
                                                  {"id": aid, "version_id": v2}))
        assert by_id["number"] == 4 and by_id["deployed"]
        missing = await client.call_tool("auth0_rollback_action", {"id": aid, "number": 9})
        assert missing.is_error and "version 9 does not exist" in text_of(missing)
        assert "4, 3, 2, 1" in text_of(missing)
        both = await client.call_tool("auth0_rollback_action",
                                      {"id": aid, "number": 1, "version_id": v2})
        assert both.is_error and "exactly one" in text_of(both)


async def test_rollback_refuses_a_version_that_failed_to_build(auth0_mcp: Harness):
    async with auth0_mcp.session() as client:
        aid = (await create(client, unique("Bad first"), BROKEN))["id"]
        assert (await client.call_tool("auth0_deploy_action", {"id": aid})).is_error
        refused = await client.call_tool("auth0_rollback_action", {"id": aid, "number": 1})
    assert refused.is_error and "failed to build" in text_of(refused)


async def test_deploying_an_unchanged_draft_makes_no_new_version(auth0_mcp: Harness):
    async with auth0_mcp.session() as client:
        aid = (await create(client, unique("Twice")))["id"]
        await client.call_tool("auth0_deploy_action", {"id": aid})
        again = await client.call_tool("auth0_deploy_action", {"id": aid})
        assert structured(again)["deployed"] and "Nothing new to deploy" in text_of(again)
        versions = structured(await client.call_tool("auth0_list_action_versions",
                                                     {"id": aid}))
    assert versions["total"] == 1


async def test_a_build_still_running_at_the_bound_is_not_called_deployed(
        auth0_mcp: Harness, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(deploy, "BUILD_WAIT", 0.0)  # the bound passes before the first poll
    async with auth0_mcp.session() as client:
        aid = (await create(client, unique("Slow")))["id"]
        result = await client.call_tool("auth0_deploy_action", {"id": aid})
        data = structured(result)
        assert data["deployed"] is False and data["status"] in ("pending", "building")
        assert "NOT live yet" in text_of(result) and "auth0_list_action_versions" in text_of(
            result)
        for _ in range(100):  # the sandbox finishes the build by itself
            versions = structured(await client.call_tool("auth0_list_action_versions",
                                                         {"id": aid}))["versions"]
            if versions[0]["status"] == "built":
                break
            await anyio.sleep(0.1)
    assert versions[0]["status"] == "built" and versions[0]["deployed"]


async def test_bindings_add_at_a_position_remove_and_replace(auth0_mcp: Harness):
    name = unique("Bound")
    async with auth0_mcp.session() as client:
        aid = (await create(client, name))["id"]
        await client.call_tool("auth0_deploy_action", {"id": aid})
        got = await client.call_tool("auth0_get_action_bindings", {"trigger_id": "post-login"})
        before = structured(got)["bindings"]
        assert before and "post-login runs:" in text_of(got)
        added = await client.call_tool("auth0_update_action_bindings", {
            "trigger_id": "post-login", "add": name, "position": 0})
        flow = structured(added)["bindings"]
        assert flow[0]["action_id"] == aid and flow[0]["name"] == name
        assert flow[1:] == before  # the others kept, in order, display names too
        assert text_of(added).startswith(f"post-login now runs, in order: {name} -> ")
        seen = structured(await client.call_tool("auth0_get_action_bindings",
                                                 {"trigger_id": "post-login"}))["bindings"]
        assert seen == flow
        moved = structured(await client.call_tool("auth0_update_action_bindings", {
            "trigger_id": "post-login", "add": aid, "position": 99}))["bindings"]
        assert moved == before + flow[:1]
        same = await client.call_tool("auth0_update_action_bindings", {
            "trigger_id": "post-login", "add": name})
        assert "No change" in text_of(same) and "already bound" in text_of(same)

        draft = await create(client, unique("Undeployed"))
        refused = await client.call_tool("auth0_update_action_bindings", {
            "trigger_id": "post-login", "add": draft["id"]})
        assert refused.is_error and "deployed" in text_of(refused)

        bound_delete = await client.call_tool("auth0_delete_action", {"id": aid})
        assert bound_delete.is_error and "bound" in text_of(bound_delete)
        removed = structured(await client.call_tool("auth0_update_action_bindings", {
            "trigger_id": "post-login", "remove": [name]}))["bindings"]
        assert removed == before

        replaced = await client.call_tool("auth0_update_action_bindings", {
            "trigger_id": "post-login", "actions": [name] + [b["action_id"] for b in before]})
        assert "previous flow was replaced" in text_of(replaced)
        assert [b["action_id"] for b in structured(replaced)["bindings"]] == [aid] + [
            b["action_id"] for b in before]
        forced = await client.call_tool("auth0_delete_action", {"id": aid, "force": True})
        assert structured(forced) == {"deleted": aid}
        after = structured(await client.call_tool("auth0_get_action_bindings",
                                                  {"trigger_id": "post-login"}))["bindings"]
    assert [b["action_id"] for b in after] == [b["action_id"] for b in before]


async def test_bindings_arguments_that_cannot_work(auth0_mcp: Harness):
    async with auth0_mcp.session(scopes=ALL) as client:
        before = requests_seen(auth0_mcp)
        for args, needle in [
            ({"trigger_id": "post-login"}, "nothing to change"),
            ({"trigger_id": "post-login", "add": "x", "actions": []}, "not both"),
            ({"trigger_id": "post-login", "position": 1, "remove": ["x"]}, "position"),
        ]:
            result = await client.call_tool("auth0_update_action_bindings", args)
            assert result.is_error and needle in text_of(result), text_of(result)
        assert requests_seen(auth0_mcp) == before
        unknown = await client.call_tool("auth0_get_action_bindings",
                                         {"trigger_id": "no-such-trigger"})
    assert unknown.is_error and "404" in text_of(unknown)


async def test_list_filters_pagination_and_summaries(auth0_mcp: Harness):
    tag = uuid.uuid4().hex[:6]
    async with auth0_mcp.session() as client:
        ids = [(await create(client, f"Paged {tag} {i}"))["id"] for i in range(5)]
        m2m = structured(await client.call_tool("auth0_create_action", {
            "name": f"M2M {tag}", "supported_triggers": [
                {"id": "credentials-exchange", "version": "v2"}],
            "code": "exports.onExecuteCredentialsExchange = async (event, api) => {};"}))
        await client.call_tool("auth0_deploy_action", {"id": ids[4]})
        seen, page = [], 0
        while True:
            data = structured(await client.call_tool("auth0_list_actions",
                                                     {"page": page, "per_page": 2}))
            assert data["page"] == page and len(data["actions"]) <= 2
            assert all("code" not in a and "secrets" not in a for a in data["actions"])
            seen += [a["id"] for a in data["actions"]]
            if not data["has_more"]:
                break
            page += 1
        assert set(ids) <= set(seen) and len(seen) == len(set(seen)) == data["total"]
        assert page >= 3
        named = structured(await client.call_tool("auth0_list_actions",
                                                  {"name": f"Paged {tag} 3"}))
        assert [a["id"] for a in named["actions"]] == [ids[3]] and not named["has_more"]
        exchange = structured(await client.call_tool("auth0_list_actions", {
            "trigger_id": "credentials-exchange", "per_page": 100}))["actions"]
        assert m2m["id"] in {a["id"] for a in exchange}
        assert all("credentials-exchange@v2" in a["triggers"] for a in exchange)
        undeployed = {a["id"] for a in structured(await client.call_tool(
            "auth0_list_actions", {"deployed": False, "per_page": 100}))["actions"]}
        deployed = {a["id"] for a in structured(await client.call_tool(
            "auth0_list_actions", {"deployed": True, "per_page": 100}))["actions"]}
        assert set(ids[:4]) <= undeployed and ids[4] in deployed and ids[4] not in undeployed
        nothing = structured(await client.call_tool("auth0_list_actions",
                                                    {"name": unique("none")}))
    assert nothing["actions"] == [] and nothing["has_more"] is False


async def test_delete_then_404(auth0_mcp: Harness):
    async with auth0_mcp.session() as client:
        aid = (await create(client, unique("Doomed")))["id"]
        assert structured(await client.call_tool("auth0_delete_action",
                                                 {"id": aid})) == {"deleted": aid}
        gone = await client.call_tool("auth0_get_action", {"id": aid})
        again = await client.call_tool("auth0_delete_action", {"id": aid})
    for result in (gone, again):
        assert result.is_error and "404" in text_of(result)
        assert "That action does not exist" in text_of(result)
    assert aid not in auth0_mcp.sandbox.tenant.collection("actions")


async def test_secrets_merge_and_their_values_never_come_back(auth0_mcp: Harness):
    async with auth0_mcp.session() as client:
        created = await create(client, unique("Secrets"),
                               secrets={"API_KEY": "sk_live_abcdef123", "OLD": "x" * 12})
        assert created["secrets"] == ["API_KEY", "OLD"]
        updated = structured(await client.call_tool("auth0_update_action", {
            "id": created["id"], "secrets": {"OLD": None, "NEW": "n" * 12}}))
        assert updated["secrets"] == ["API_KEY", "NEW"]
        full = await client.call_tool("auth0_get_action", {"id": created["id"]})
        missing = await client.call_tool("auth0_update_action", {
            "id": created["id"], "secrets": {"NOPE": None}})
    assert "sk_live_abcdef123" not in text_of(full)
    assert all("value" not in s for s in structured(full)["secrets"])
    assert missing.is_error and "no secret named NOPE" in text_of(missing)
    stored = auth0_mcp.sandbox.tenant.collection("actions")[created["id"]]["secrets"]
    assert {s["name"]: s["_value"] for s in stored} == {  # API_KEY kept its value
        "API_KEY": "sk_live_abcdef123", "NEW": "n" * 12}


async def test_update_changes_the_draft_only(auth0_mcp: Harness):
    async with auth0_mcp.session() as client:
        aid = (await create(client, unique("Draft")))["id"]
        await client.call_tool("auth0_deploy_action", {"id": aid})
        result = await client.call_tool("auth0_update_action", {
            "id": aid, "dependencies": ["lodash@4.17.21", "@scope/pkg@1.0.0"],
            "runtime": "node18"})
        data = structured(result)
        assert "NOT live until auth0_deploy_action" in text_of(result)
        assert data["deployed_version"] == 1 and data["all_changes_deployed"] is False
        action = structured(await client.call_tool("auth0_get_action", {"id": aid}))
        nothing = await client.call_tool("auth0_update_action", {"id": aid})
    assert action["dependencies"] == [{"name": "lodash", "version": "4.17.21"},
                                      {"name": "@scope/pkg", "version": "1.0.0"}]
    assert action["runtime"] == "node18" and action["deployed_version"]["runtime"] == "node22"
    assert nothing.is_error and "nothing to change" in text_of(nothing)


async def test_triggers_and_versions_the_model_must_choose(auth0_mcp: Harness):
    async with auth0_mcp.session() as client:
        triggers = structured(await client.call_tool("auth0_list_action_triggers", {}))
        post_login = [t for t in triggers["triggers"] if t["id"] == "post-login"]
        current = next(t for t in post_login if t["version"] == "v3")
        assert {"id": "post-login", "version": "v3", "status": "CURRENT"}.items() <= current.items()
        assert "node22" in current["runtimes"]
        unknown = await client.call_tool("auth0_create_action", {
            "name": unique("x"), "supported_triggers": [{"id": "post-logon"}], "code": CLAIM})
        wrong = await client.call_tool("auth0_create_action", {
            "name": unique("x"), "supported_triggers": [{"id": "post-login", "version": "v9"}],
            "code": CLAIM})
    assert unknown.is_error and "unknown trigger 'post-logon'" in text_of(unknown)
    assert "post-login" in text_of(unknown)
    assert wrong.is_error and "400" in text_of(wrong)


async def test_invalid_arguments_send_nothing(auth0_mcp: Harness):
    async with auth0_mcp.session(scopes=ALL) as client:
        before = requests_seen(auth0_mcp)
        for args, needle in [
            ({"name": "No code", "supported_triggers": V3}, "'code' is required"),
            ({"name": "x", "supported_triggers": [], "code": CLAIM}, "supported_triggers"),
            ({"name": "x", "supported_triggers": ["post-login"], "code": CLAIM},
             "expected object"),
            ({"name": "x", "supported_triggers": [{"version": "v3"}], "code": CLAIM},
             "'id' is required"),
            ({"name": "x", "supported_triggers": [{"id": "post-login"}], "code": CLAIM,
              "deploy": True}, "unknown argument"),
            ({"name": "x", "supported_triggers": [{"id": "post-login"}], "code": CLAIM,
              "dependencies": ["lodash"]}, "needs a version"),
            ({"name": "x", "supported_triggers": [{"id": "post-login"}], "code": CLAIM,
              "secrets": {"KEY": None}}, "need a value"),
        ]:
            result = await client.call_tool("auth0_create_action", args)
            assert result.is_error and needle in text_of(result), (args, text_of(result))
        for args in [{"id": "a", "number": 0}, {"id": ""}]:
            result = await client.call_tool("auth0_rollback_action", args)
            assert result.is_error and "invalid arguments" in text_of(result)
        assert requests_seen(auth0_mcp) == before


async def test_missing_scopes_hide_tools_and_auth0_403_names_the_scope(auth0_mcp: Harness):
    created = await auth0_mcp.call_ok("auth0_create_action", {
        "name": unique("Scoped"), "supported_triggers": V3, "code": CLAIM})
    async with auth0_mcp.session(scopes=["update:actions"]) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        assert names == {"auth0_update_action", "auth0_update_action_bindings", "auth0_undo"}
        hidden = await client.call_tool("auth0_deploy_action", {"id": created["id"]})
        assert hidden.is_error and "restricted" in text_of(hidden)
        plain = await client.call_tool("auth0_update_action", {"id": created["id"],
                                                               "code": CLAIM})
        assert not plain.is_error, text_of(plain)
        # merging secrets reads the current ones first: Auth0 answers 403 for read:actions
        denied = await client.call_tool("auth0_update_action", {
            "id": created["id"], "secrets": {"K": "v" * 10}})
    assert denied.is_error and "403" in text_of(denied) and "read:actions" in text_of(denied)
    assert "Grant the missing scope" in text_of(denied)
    async with auth0_mcp.session(scopes=["create:actions"]) as client:
        # a bare trigger id needs Auth0's trigger list (read:actions) to pick the version
        denied = await client.call_tool("auth0_create_action", {
            "name": unique("Scoped"), "supported_triggers": [{"id": "post-login"}], "code": CLAIM})
        pinned = await client.call_tool("auth0_create_action", {
            "name": unique("Scoped"), "supported_triggers": V3, "code": CLAIM})
    assert denied.is_error and "403" in text_of(denied) and "read:actions" in text_of(denied)
    assert not pinned.is_error, text_of(pinned)


async def test_read_only_mode_offers_only_the_reads(auth0_mcp: Harness):
    async with auth0_mcp.session(read_only=True) as client:
        names = {t.name for t in (await client.list_tools()).tools if "action" in t.name}
    assert names == {"auth0_list_actions", "auth0_get_action", "auth0_list_action_versions",
                     "auth0_list_action_triggers", "auth0_get_action_bindings"}
