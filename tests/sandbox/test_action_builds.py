"""Action builds in the sandbox: pending -> building -> built or failed, and the action's
current_version follows its build (it said BUILT even for a failed one)."""

from __future__ import annotations

import time

import httpx

from auth0_mcp_sandbox.server import SandboxServer

GOOD = "exports.onExecutePostLogin = async (event, api) => {};"
BROKEN = "exports.onExecutePostLogin = async (event, api) => { if (true) {;"


def test_builds_and_current_version():
    with SandboxServer(empty=True) as box:
        headers = {"authorization": "Bearer " + box.mint_token(
            ["read:actions", "create:actions", "update:actions"])}
        api = f"{box.base_url}/api/v2/actions/actions"
        outcomes = {}
        for name, code in (("good", GOOD), ("broken", BROKEN)):
            action = httpx.post(api, headers=headers, json={
                "name": name, "code": code,
                "supported_triggers": [{"id": "post-login", "version": "v3"}]}).json()
            version = httpx.post(f"{api}/{action['id']}/deploy", headers=headers).json()
            assert version["status"] == "pending"
            seen = set()
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                got = httpx.get(f"{api}/{action['id']}/versions/{version['id']}",
                                headers=headers).json()
                seen.add(got["status"])
                if got["status"] in ("built", "failed"):
                    break
                time.sleep(0.05)
            current = httpx.get(f"{api}/{action['id']}", headers=headers).json()
            outcomes[name] = (got["status"], current["current_version"]["status"],
                              bool(current.get("deployed_version")))
            assert "building" in seen or "pending" in seen
        assert outcomes == {"good": ("built", "BUILT", True),
                            "broken": ("failed", "FAILED", False)}


def _wait(box: SandboxServer, headers: dict[str, str], action_id: str) -> dict:
    api = f"{box.base_url}/api/v2/actions/actions/{action_id}"
    for _ in range(200):
        got = httpx.get(api, headers=headers).json()
        if got["current_version"]["status"] in ("BUILT", "FAILED"):
            return got
        time.sleep(0.01)
    raise AssertionError("the build did not finish")


def test_triggers_deploy_on_create_and_what_fails_a_build():
    with SandboxServer(empty=True, settings={"build_seconds": 0.05}) as box:
        headers = {"authorization": "Bearer " + box.mint_token(
            ["read:actions", "create:actions", "update:actions"])}
        api = f"{box.base_url}/api/v2/actions"
        triggers = httpx.get(f"{api}/triggers", headers=headers).json()["triggers"]
        assert {t["id"] for t in triggers} == {
            "post-login", "credentials-exchange", "pre-user-registration",
            "post-user-registration", "post-change-password", "send-phone-message",
            "password-reset-post-challenge", "custom-phone-provider", "custom-email-provider",
            "custom-token-exchange", "event-stream", "password-hash-migration", "mcp-tool"}
        assert all(set(t) == {"id", "version", "status", "runtimes", "default_runtime",
                              "binding_policy", "compatible_triggers"} for t in triggers)
        login = {t["version"]: t for t in triggers if t["id"] == "post-login"}
        assert [login[v]["status"] for v in ("v1", "v2", "v3")] == [
            "DEPRECATED", "DEPRECATED", "CURRENT"]
        assert login["v3"]["compatible_triggers"] == [{"id": "post-login", "version": "v2"}]
        assert login["v3"]["default_runtime"] == "node22"
        policies = {t["id"]: t["binding_policy"] for t in triggers}
        assert policies["event-stream"] == "entity-bound"
        assert policies["post-login"] == "trigger-bound"

        empty = httpx.get(f"{api}/actions", params={"actionName": "none"}, headers=headers)
        assert empty.json() == {"actions": [], "per_page": 50}

        created = httpx.post(f"{api}/actions", headers=headers, json={
            "name": "deployed at once", "deploy": True, "code": "module.exports = {};",
            "supported_triggers": [{"id": "post-login", "version": "v3"}]})
        assert created.status_code == 201, created.text
        body = created.json()
        assert body["all_changes_deployed"] is True
        assert body["current_version"]["status"] == "PENDING"
        assert body["deployed_version"]["status"] == "pending"
        done = _wait(box, headers, body["id"])  # no handler export: Auth0 still builds it
        assert done["current_version"]["status"] == "BUILT"
        assert done["deployed_version"]["status"] == "built"

        listed = httpx.get(f"{api}/actions", headers=headers).json()
        assert list(listed) == ["actions", "total", "per_page"] and listed["total"] == 1
