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
