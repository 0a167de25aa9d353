"""The three prompts users start with, as scripted MCP client sessions over stdio against
``auth0-mcp run --sandbox`` (a real process, its in-process sandbox over real HTTP)."""

from __future__ import annotations

import sys
from pathlib import Path

from mcp import Client
from mcp.client.stdio import StdioServerParameters

from auth0_mcp.testing import structured
from auth0_mcp.testing.processes import CLEAN_ENV

EXE = str(Path(sys.executable).parent / "auth0-mcp")
ENV = CLEAN_ENV  # no credentials from the shell; a test journal directory


def server() -> Client:
    return Client(StdioServerParameters(command=EXE, args=["run", "--sandbox"], env=ENV),
                  read_timeout_seconds=60)


async def test_create_an_application_and_get_its_domain_and_client_id():
    async with server() as client:
        created = structured(await client.call_tool("auth0_create_application", {
            "name": "My Shop", "app_type": "spa",
            "callbacks": ["http://localhost:5173/callback"]}))
        assert created["domain"].startswith("127.0.0.1:")
        assert len(created["client_id"]) == 32
        fetched = structured(await client.call_tool("auth0_get_application",
                                                    {"client_id": created["client_id"]}))
        assert fetched["name"] == "My Shop" and fetched["client_secret"] == "[REDACTED]"


CLAIM = """exports.onExecutePostLogin = async (event, api) => {
  api.accessToken.setCustomClaim('https://example.com/favourite_color',
                                 event.user.user_metadata.favourite_color || 'blue');
};"""


async def test_create_and_deploy_an_action_that_adds_a_custom_claim():
    async with server() as client:
        created = structured(await client.call_tool("auth0_create_action", {
            "name": "Add favourite colour claim", "code": CLAIM,
            "supported_triggers": [{"id": "post-login", "version": "v3"}]}))
        action_id = created["id"]
        # Deploying changes what every login runs: the default policy shows the plan first
        # (this client has no elicitation), and the same call with its token applies it.
        planned = structured(await client.call_tool("auth0_deploy_action", {"id": action_id}))
        assert planned["applied"] is False
        assert planned["plan"]["requests"] == [f"POST /actions/actions/{action_id}/deploy"]
        deployed = await client.call_tool("auth0_deploy_action",
                                          {"id": action_id, "confirm": planned["confirm"]})
        assert not deployed.is_error
        action = structured(await client.call_tool("auth0_get_action", {"id": action_id}))
        assert action["deployed_version"]["status"] == "built"
        assert "setCustomClaim" in action["code"]


async def test_find_the_logins_from_192_108_92_3():
    async with server() as client:
        found = structured(await client.call_tool("auth0_search_logs", {
            "ip": "192.108.92.3", "types": ["login"]}))
        assert found["total"] > 0
        assert all(e for e in found["examples"]["logs"])
        assert "192.108.92.3" in found["query"]
