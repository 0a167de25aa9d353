"""Undo from the journal: an updated application's non-secret fields come back exactly; a
deleted API is re-created with its scopes; a target that changed since is not overwritten
unless forced; the undo itself is confirmed like any destructive write."""

from __future__ import annotations

from typing import Any

from mcp import Client

from auth0_mcp.safety.journal import FileJournal
from auth0_mcp.server import CALL_ID
from auth0_mcp.testing import structured, text_of
from auth0_mcp.testing.processes import CLEAN_ENV

from .conftest import recorded, run_cli, unique

FIELDS = ("name", "description", "callbacks", "web_origins", "allowed_logout_urls",
          "jwt_configuration", "grant_types", "client_metadata")


async def undo(client: Client, call_id: str, **extra: Any) -> Any:
    """auth0_undo through the real confirmation path: plan, then the token."""
    planned = structured(await client.call_tool("auth0_undo", {"call_id": call_id, **extra}))
    assert planned["applied"] is False
    return await client.call_tool("auth0_undo", {"call_id": call_id, **extra,
                                                 "confirm": planned["confirm"]})


async def test_undo_restores_an_updated_applications_fields_exactly(harness):
    async with recorded(harness) as (runtime, _), Client(runtime.server, mode="legacy") as c:
        app = structured(await c.call_tool("auth0_create_application", {
            "name": unique("Undo"), "app_type": "spa", "callbacks": ["https://a.example/cb"],
            "settings": {"description": "before", "web_origins": ["https://a.example"]}}))
        clients = harness.sandbox.tenant.collection("clients")
        before = {k: clients[app["client_id"]].get(k) for k in FIELDS}
        args = {"client_id": app["client_id"], "set": {
            "name": unique("Renamed"), "description": "after",
            "jwt_configuration": {"lifetime_in_seconds": 600}},
            "add": {"callbacks": ["https://b.example/cb"]},
            "remove": {"web_origins": ["https://a.example"]}}
        planned = structured(await c.call_tool("auth0_update_application", args))
        changed = await c.call_tool("auth0_update_application",
                                    {**args, "confirm": planned["confirm"]})
        call_id = changed.meta[CALL_ID]
        assert f"auth0_undo call_id={call_id}" in text_of(changed)
        assert clients[app["client_id"]]["description"] == "after"

        restored = await undo(c, call_id)
        assert not restored.is_error, text_of(restored)
        assert {k: clients[app["client_id"]].get(k) for k in FIELDS} == before


async def test_undo_recreates_a_deleted_api_with_its_scopes(harness):
    scopes = [{"value": "read:orders", "description": "Read orders"},
              {"value": "write:orders", "description": "Write orders"}]
    identifier = f"https://{unique('orders')}.example.com"
    async with recorded(harness, confirm="never") as (runtime, _), \
            Client(runtime.server, mode="legacy") as c:
        api = structured(await c.call_tool("auth0_create_resource_server", {
            "name": unique("Orders"), "identifier": identifier, "scopes": scopes,
            "token_lifetime": 3600}))
        gone = await c.call_tool("auth0_delete_resource_server", {"id": api["id"]})
        assert structured(gone) == {"deleted": api["id"]}
        restored = await c.call_tool("auth0_undo", {"call_id": gone.meta[CALL_ID]})
        assert not restored.is_error, text_of(restored)
        assert "new id" in text_of(restored)
    again = [a for a in harness.sandbox.tenant.collection("resource_servers").values()
             if a.get("identifier") == identifier]
    assert len(again) == 1 and again[0]["id"] != api["id"]
    assert again[0]["scopes"] == scopes and again[0]["token_lifetime"] == 3600
    assert again[0]["name"] == api["name"]


async def test_undo_refuses_a_target_that_changed_since_unless_forced(harness):
    async with recorded(harness, confirm="never") as (runtime, wire), \
            Client(runtime.server, mode="legacy") as c:
        cid = structured(await c.call_tool("auth0_create_application",
                                           {"name": unique("Drift")}))["client_id"]
        first = await c.call_tool("auth0_update_application",
                                  {"client_id": cid, "set": {"description": "one"}})
        await c.call_tool("auth0_update_application",
                          {"client_id": cid, "set": {"description": "two"}})
        start = len(wire.writes)
        refused = await c.call_tool("auth0_undo", {"call_id": first.meta[CALL_ID]})
        assert refused.is_error and "changed since" in text_of(refused)
        assert "force" in text_of(refused) and len(wire.writes) == start
        forced = await c.call_tool("auth0_undo", {"call_id": first.meta[CALL_ID],
                                                  "force": True})
        assert not forced.is_error, text_of(forced)
        assert harness.sandbox.tenant.collection("clients")[cid].get("description") is None
        nothing = await c.call_tool("auth0_undo", {"call_id": "000000000000"})
        assert nothing.is_error and "audit list" in text_of(nothing)


async def test_cli_undo_from_the_profiles_journal(harness, sandbox, tmp_path):
    path = tmp_path / "journal.jsonl"
    journal = FileJournal(path)
    async with recorded(harness, confirm="never", journal=journal) as (runtime, _), \
            Client(runtime.server, mode="legacy") as c:
        cid = structured(await c.call_tool("auth0_create_application", {
            "name": unique("Cli"), "settings": {"description": "kept"}}))["client_id"]
        changed = await c.call_tool("auth0_update_application",
                                    {"client_id": cid, "set": {"description": "lost"}})
    journal.close()
    env = {**CLEAN_ENV, "AUTH0_DOMAIN": sandbox.base_url,
           "AUTH0_TOKEN": sandbox.mint_token(["read:clients", "update:clients"])}
    result = await run_cli("undo", changed.meta[CALL_ID], "--yes", "--journal", str(path),
                           env=env)
    assert result.returncode == 0, result.stderr
    assert "Restored description" in result.stdout
    assert sandbox.tenant.collection("clients")[cid]["description"] == "kept"
    verified = await run_cli("audit", "verify", "--journal", str(path))
    assert verified.returncode == 0 and "4 calls" in verified.stdout  # undo: plan + apply
