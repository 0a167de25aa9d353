"""The example family: contract, and every tool end to end against the sandbox, which it
extends through the auth0_mcp_sandbox_routers hook."""

import auth0_mcp_users.plugin as plugin_module
from auth0_mcp.testing import Harness, structured, text_of
from auth0_mcp.testing.contract import ToolFamilyContract


class TestContract(ToolFamilyContract):
    plugin = plugin_module


async def test_find_block_and_unblock(auth0_mcp: Harness):
    async with auth0_mcp.session() as client:
        found = structured(await client.call_tool("auth0_search_users_by_email",
                                                  {"email": "bob@example.com"}))
        (bob,) = found["users"]
        blocked = structured(await client.call_tool("auth0_block_user",
                                                    {"user_id": bob["user_id"]}))
        assert blocked["blocked"] is True
        assert auth0_mcp.sandbox.tenant.collection("users")[bob["user_id"]]["blocked"] is True
        again = structured(await client.call_tool("auth0_unblock_user",
                                                  {"user_id": bob["user_id"]}))
        assert again["blocked"] is False
        fetched = structured(await client.call_tool("auth0_get_user",
                                                    {"user_id": bob["user_id"]}))
        # Text users control reaches the model fenced as data (core does it: docs/safety.md).
        assert fetched["email"] == "\u2039bob@example.com\u203a"


async def test_unknown_user_and_missing_scope(auth0_mcp: Harness):
    missing = await auth0_mcp.call("auth0_get_user", {"user_id": "auth0|nobody"})
    assert missing.is_error and "does not exist" in text_of(missing)
    async with auth0_mcp.session(scopes=["read:users"]) as client:
        names = {t.name for t in (await client.list_tools()).tools}
    assert names == {"auth0_search_users_by_email", "auth0_get_user"}
