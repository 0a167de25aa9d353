"""The tools against real Auth0 answers: every recorded actions fixture through the summaries
and the list tools, and the deploy wait against Auth0's own sequence (recorded shapes), which
differs from the sandbox's: the draft builds first, the deploy answer is already ``built`` but
``deployed: false``, and only a later read says ``deployed: true``."""

from __future__ import annotations

import copy
import glob
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from auth0_mcp.context import Tenant, ToolContext
from auth0_mcp.converter import make_converter
from auth0_mcp.management import ManagementClient
from auth0_mcp.pipeline import Outcome, Pipeline
from auth0_mcp.redaction import Redactor
from auth0_mcp.testing.shared import fixtures_dir
from auth0_mcp_actions import deploy, plugin, summaries

FIXTURES = str(fixtures_dir(__file__))
HAVE_FIXTURES = Path(FIXTURES).is_dir()
pytestmark = pytest.mark.skipif(not HAVE_FIXTURES, reason=f"no fixtures in {FIXTURES}")
ACTION_ID = "c139fef6-c89e-4265-9a4f-b1695b053d4d"


def fixture(name: str) -> dict[str, Any]:
    with open(f"{FIXTURES}/{name}.json") as f:
        return json.load(f)


def recorded(operation: str) -> list[dict[str, Any]]:
    found = []
    for path in sorted(glob.glob(f"{FIXTURES}/actions__*.json")):
        with open(path) as f:
            data = json.load(f)
        if data["response"]["status"] == 200 and data["operation"] == operation:
            found.append(data)
    assert found or not HAVE_FIXTURES, f"no recorded {operation}"
    return found


class Tokens:
    async def token(self) -> str:
        return "test-token"

    async def invalidate(self) -> bool:
        return False


class Auth0Script:
    """A fake Management API: ``routes`` maps (method, path) to a list of bodies answered in
    turn (the last one repeats); every request is kept."""

    def __init__(self, routes: dict[tuple[str, str], list[Any]]) -> None:
        self.routes = {k: list(v) for k, v in routes.items()}
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        key = (request.method, request.url.path.removeprefix("/api/v2"))
        answers = self.routes.get(key)
        if not answers:
            return httpx.Response(404, json={"statusCode": 404, "error": "Not Found",
                                             "message": "That action does not exist."})
        body = answers.pop(0) if len(answers) > 1 else answers[0]
        return httpx.Response(200, json=body)

    def sent(self, method: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.method == method]


async def run(script: Callable[[httpx.Request], httpx.Response], name: str,
              arguments: dict[str, Any]) -> Outcome:
    api = ManagementClient("http://127.0.0.1:9", Tokens(),
                           transport=httpx.MockTransport(script))
    context = ToolContext(api, Tenant(api.domain), None, make_converter(),
                          logging.getLogger("test"))
    try:
        return await Pipeline(plugin.auth0_mcp_register_tools(), lambda: context,
                              Redactor(), confirm="never").call(name, arguments)
    finally:
        await api.aclose()


@pytest.fixture(autouse=True)
def fast_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(deploy, "FIRST_POLL", 0.001)
    monkeypatch.setattr(deploy, "MAX_POLL", 0.001)


def test_every_recorded_action_object_parses_through_the_summaries():
    objects = 0
    for path in sorted(glob.glob(f"{FIXTURES}/actions__*.json")):
        with open(path) as f:
            data = json.load(f)
        body = data["response"]["body"]
        if data["response"]["status"] != 200 or not isinstance(body, dict):
            continue
        if "supported_triggers" in body and "number" not in body:  # one action
            items, shape = [body], summaries.action
        elif "number" in body:  # one version
            items, shape = [body], summaries.version
        else:
            items = body.get("actions") or body.get("versions") or body.get(
                "triggers") or body.get("bindings") or []
            shape = (summaries.action if "actions" in body else summaries.version
                     if "versions" in body else summaries.trigger if "triggers" in body
                     else summaries.binding if "bindings" in body else None)
            if shape is None:
                continue  # the /test endpoint's payload: no tool reads it
        for item in items:
            out = shape(item)
            objects += 1
            assert "code" not in out and "secrets" not in out, path
            json.dumps(out)
            if shape is summaries.action:
                assert out["id"] == item["id"] and out["name"] == item["name"]
                assert all("@v" in t for t in out["triggers"]), out
                assert out["status"] in ("pending", "building", "built", "failed"), path
                live = item.get("deployed_version")
                assert out.get("deployed_version") == (live["number"] if live else None)
            elif shape is summaries.version:
                assert isinstance(out["number"], int) and out["status"] == "built"
            elif shape is summaries.binding:
                assert out["action_id"] == item["action"]["id"] and out["deployed_version"]
            else:
                assert out["id"] and out["version"].startswith("v")
    assert objects >= 30


@pytest.mark.parametrize("data", recorded("GET /actions/actions"),
                         ids=lambda d: d["id"][:10])
async def test_recorded_action_lists_through_the_list_tool(data):
    body = data["response"]["body"]
    per_page = int(data["request"]["query"]["per_page"])
    script = Auth0Script({("GET", "/actions/actions"): [body]})
    outcome = await run(script, "auth0_list_actions", {"per_page": per_page})
    assert not outcome.is_error, outcome.text
    assert [a["id"] for a in outcome.data["actions"]] == [a["id"] for a in body["actions"]]
    assert outcome.data.get("total") == body.get("total")  # Auth0 omits it when empty
    assert outcome.data["has_more"] is (len(body["actions"]) < body.get("total", 0))
    assert "exports." not in outcome.text  # no code in the list
    assert script.requests[0].url.params["per_page"] == str(per_page)


async def test_list_filters_travel_with_auth0_names():
    script = Auth0Script({("GET", "/actions/actions"): [{"actions": [], "per_page": 5}]})
    await run(script, "auth0_list_actions", {"trigger_id": "post-login", "name": "A b",
                                             "deployed": False, "page": 2, "per_page": 5})
    assert dict(script.requests[0].url.params) == {
        "triggerId": "post-login", "actionName": "A b", "deployed": "false", "page": "2",
        "per_page": "5"}


@pytest.mark.parametrize("operation,tool,key", [
    ("GET /actions/actions/{id}/versions", "auth0_list_action_versions", "versions"),
    ("GET /actions/triggers", "auth0_list_action_triggers", "triggers"),
    ("GET /actions/triggers/{trigger}/bindings", "auth0_get_action_bindings", "bindings"),
])
async def test_recorded_lists_through_their_tools(operation, tool, key):
    for data in recorded(operation):
        body = data["response"]["body"]
        path = data["request"]["path"].removeprefix("/api/v2")
        script = Auth0Script({("GET", path): [body]})
        args = {"id": path.split("/")[3]} if "versions" in path else (
            {"trigger_id": path.split("/")[3]} if "bindings" in path else {})
        outcome = await run(script, tool, args)
        assert not outcome.is_error, outcome.text
        assert len(outcome.data[key]) == len(body[key])
        assert "exports." not in outcome.text


def _auth0_deploy_sequence() -> Auth0Script:
    """Auth0's order of events, from recorded bodies: draft building -> built; the deploy
    answer ``built`` but not deployed; the version read later says deployed."""
    draft = fixture("actions__get_actions_actions_id__200__go-auth0_65bd4387de")["response"][
        "body"]
    building = {**copy.deepcopy(draft), "status": "building"}
    version = fixture("actions__post_actions_actions_id_deploy__200__go-auth0_c5db06ddfe")[
        "response"]["body"]
    live = {**copy.deepcopy(version), "deployed": True}
    base = f"/actions/actions/{ACTION_ID}"
    return Auth0Script({("GET", base): [building, building, draft],
                        ("POST", f"{base}/deploy"): [version],
                        ("GET", f"{base}/versions/{version['id']}"): [version, live]})


async def test_deploy_waits_for_the_draft_then_for_the_version_to_be_live():
    script = _auth0_deploy_sequence()
    outcome = await run(script, "auth0_deploy_action", {"id": ACTION_ID})
    assert not outcome.is_error, outcome.text
    assert outcome.data["deployed"] is True and outcome.data["number"] == 1
    methods = [r.method for r in script.requests]
    # the deploy only after the draft was built; then reads until Auth0 says deployed
    assert methods == ["GET", "GET", "GET", "POST", "GET", "GET"]


async def test_a_built_version_not_yet_marked_deployed_is_not_called_deployed(monkeypatch):
    script = _auth0_deploy_sequence()
    version_path = next(k for k in script.routes if "/versions/" in k[1])
    script.routes[version_path] = script.routes[version_path][:1]  # never flips to deployed
    monkeypatch.setattr(deploy, "BUILD_WAIT", 0.05)
    outcome = await run(script, "auth0_deploy_action", {"id": ACTION_ID})
    assert not outcome.is_error
    assert outcome.data["deployed"] is False and outcome.data["status"] == "built"
    assert "not yet marked deployed" in outcome.text and "NOT live" in outcome.text


async def test_a_draft_that_failed_to_build_is_not_deployed():
    failed = fixture("actions__get_actions_actions_id__200__tf_233e10d13c")["response"]["body"]
    script = Auth0Script({("GET", f"/actions/actions/{failed['id']}"): [failed]})
    outcome = await run(script, "auth0_deploy_action", {"id": failed["id"]})
    assert outcome.is_error and "failed to build" in outcome.text
    assert "nothing was deployed" in outcome.text and not script.sent("POST")


async def test_a_draft_still_building_at_the_bound_is_not_deployed(monkeypatch):
    building = fixture("actions__get_actions_actions_id__200__tf_918a759b05")["response"][
        "body"]
    script = Auth0Script({("GET", f"/actions/actions/{building['id']}"): [building]})
    monkeypatch.setattr(deploy, "BUILD_WAIT", 0.02)
    outcome = await run(script, "auth0_deploy_action", {"id": building["id"]})
    assert not outcome.is_error and outcome.data["deployed"] is False
    assert "still building" in outcome.text and not script.sent("POST")


async def test_a_failed_version_reports_auth0s_errors():
    script = _auth0_deploy_sequence()
    version_path = next(k for k in script.routes if "/versions/" in k[1])
    failed = {**script.routes[version_path][0], "status": "failed", "errors": [
        {"id": "dependency_error", "msg": "Failed to install crypto@17.7.1", "url": ""}]}
    script.routes[version_path] = [failed]
    outcome = await run(script, "auth0_deploy_action", {"id": ACTION_ID})
    assert outcome.is_error and "FAILED" in outcome.text and "NOT deployed" in outcome.text
    assert "Failed to install crypto@17.7.1" in outcome.text


async def test_create_sends_auth0s_shapes_and_fills_the_current_trigger_version():
    triggers = fixture("actions__get_actions_triggers__200__go-auth0_2da410d7f3")["response"][
        "body"]
    created = fixture("actions__post_actions_actions__201__tf_13227511c0")["response"]["body"]
    script = Auth0Script({("GET", "/actions/triggers"): [triggers],
                          ("POST", "/actions/actions"): [created]})
    outcome = await run(script, "auth0_create_action", {
        "name": "Test Action TestAccAction", "supported_triggers": [
            {"id": "post-login"}, {"id": "credentials-exchange", "version": "v1"}],
        "code": "exports.onExecutePostLogin = async (event, api) => {};",
        "dependencies": ["@auth0/auth0@2.41.0"], "secrets": {"foo": "bar-secret-value"}})
    assert not outcome.is_error, outcome.text
    body = json.loads(script.sent("POST")[0].content)
    assert body == {"name": "Test Action TestAccAction",
                    "supported_triggers": [{"id": "post-login", "version": "v3"},
                                           {"id": "credentials-exchange", "version": "v1"}],
                    "code": "exports.onExecutePostLogin = async (event, api) => {};",
                    "runtime": "node22",
                    "dependencies": [{"name": "@auth0/auth0", "version": "2.41.0"}],
                    "secrets": [{"name": "foo", "value": "bar-secret-value"}]}
    assert "NOT deployed" in outcome.text and "bar-secret-value" not in outcome.text


async def test_a_trigger_without_a_single_current_version_must_be_chosen():
    triggers = {"triggers": [{"id": "post-login", "version": "v2", "status": "CURRENT"},
                             {"id": "post-login", "version": "v3", "status": "CURRENT"}]}
    script = Auth0Script({("GET", "/actions/triggers"): [triggers]})
    outcome = await run(script, "auth0_create_action", {
        "name": "x", "supported_triggers": [{"id": "post-login"}], "code": "x"})
    assert outcome.is_error and "no single current version (v2, v3)" in outcome.text
    assert not script.sent("POST")


async def test_update_keeps_secrets_it_was_not_told_about():
    current = fixture("actions__get_actions_actions_id__200__tf_c5a8251a87")["response"]["body"]
    patched = fixture("actions__patch_actions_actions_id__200__tf_a1ce381c38")["response"][
        "body"]
    path = f"/actions/actions/{current['id']}"
    script = Auth0Script({("GET", path): [current], ("PATCH", path): [patched]})
    outcome = await run(script, "auth0_update_action", {
        "id": current["id"], "secrets": {"bar": "new-value-123"}})
    assert not outcome.is_error, outcome.text
    body = json.loads(script.sent("PATCH")[0].content)
    assert body == {"secrets": [{"name": "foo"}, {"name": "bar", "value": "new-value-123"}]}


async def test_binding_edits_send_the_whole_flow_back_with_display_names():
    bindings = fixture("actions__get_actions_triggers_trigger_bindings__200__tf_a8bf1292d3")[
        "response"]["body"]
    answer = fixture("actions__patch_actions_triggers_trigger_bindings__200__tf_d14414b8f5")[
        "response"]["body"]
    path = "/actions/triggers/post-login/bindings"
    script = Auth0Script({("GET", path): [bindings], ("PATCH", path): [answer]})
    outcome = await run(script, "auth0_update_action_bindings", {
        "trigger_id": "post-login", "add": "Add roles", "position": 0})
    assert not outcome.is_error, outcome.text
    existing = bindings["bindings"][0]
    assert json.loads(script.sent("PATCH")[0].content) == {"bindings": [
        {"ref": {"type": "action_name", "value": "Add roles"}},
        {"ref": {"type": "action_id", "value": existing["action"]["id"]},
         "display_name": existing["display_name"]}]}
