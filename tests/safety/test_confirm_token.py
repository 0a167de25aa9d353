"""The confirm-token path (clients without elicitation): the first call answers with the plan
and a token, nothing sent; the same call plus the token applies it; every misuse is refused
with a fresh plan, nothing sent."""

from __future__ import annotations

import time

import attrs

from auth0_mcp import arg, tool
from auth0_mcp.pipeline import Pipeline
from auth0_mcp.redaction import Redactor
from auth0_mcp.testing import structured, text_of

from .conftest import session, unique


async def create_app(client, **fields):
    return structured(await client.call_tool("auth0_create_application",
                                             {"name": unique("Safety"), **fields}))


async def test_delete_plans_first_and_applies_with_the_token(harness):
    async with session(harness) as (client, _, wire):
        app = await create_app(client)
        cid = app["client_id"]
        before = len(wire.writes)
        planned = await client.call_tool("auth0_delete_application", {"client_id": cid})
        assert not planned.is_error
        plan = structured(planned)
        assert plan["applied"] is False and plan["confirm"]
        assert plan["plan"]["kind"] == "delete" and plan["plan"]["target"] == app["name"]
        assert plan["plan"]["loses"]["client_id"] == cid
        assert "client_secret" not in plan["plan"]["loses"]
        assert "confirm" in text_of(planned) and app["name"] in text_of(planned)
        assert len(wire.writes) == before  # nothing sent
        assert cid in harness.sandbox.tenant.collection("clients")

        done = structured(await client.call_tool(
            "auth0_delete_application", {"client_id": cid, "confirm": plan["confirm"]}))
        assert done == {"deleted": cid}
        assert wire.writes[before:] == [("DELETE", f"/api/v2/clients/{cid}")]


async def test_each_misuse_is_refused_with_a_fresh_plan_and_nothing_sent(harness):
    async with session(harness) as (client, runtime, wire):
        app, other = await create_app(client), await create_app(client)
        cid = app["client_id"]
        args = {"client_id": cid}
        token = structured(await client.call_tool("auth0_delete_application", args))["confirm"]
        before = len(wire.writes)

        # other arguments (another application)
        refused = structured(await client.call_tool(
            "auth0_delete_application", {"client_id": other["client_id"], "confirm": token}))
        assert refused["applied"] is False and "other arguments" in refused["refused"]
        assert refused["confirm"] != token  # a fresh plan, with its own token

        # a forged or damaged token
        forged = structured(await client.call_tool(
            "auth0_delete_application", {**args, "confirm": token[:-2] + "xx"}))
        assert "not one this server issued" in forged["refused"]

        # expiry
        sealer = runtime.pipeline.sealer
        sealer.clock = lambda: time.time() + sealer.ttl + 1
        expired = structured(await client.call_tool("auth0_delete_application",
                                                    {**args, "confirm": token}))
        assert "expired" in expired["refused"]
        sealer.clock = time.time

        # a target that changed since the plan
        fresh = structured(await client.call_tool("auth0_delete_application", args))["confirm"]
        harness.sandbox.tenant.collection("clients")[cid]["description"] = "changed meanwhile"
        changed = structured(await client.call_tool("auth0_delete_application",
                                                    {**args, "confirm": fresh}))
        assert "target changed" in changed["refused"]
        assert len(wire.writes) == before
        assert cid in harness.sandbox.tenant.collection("clients")

        # reuse: the first use applies, the second is refused
        token = changed["confirm"]
        structured(await client.call_tool("auth0_delete_application",
                                          {**args, "confirm": token}))
        assert len(wire.writes) == before + 1
        reused = await client.call_tool("auth0_delete_application", {**args, "confirm": token})
        assert len(wire.writes) == before + 1
        assert reused.is_error or "already used" in structured(reused).get("refused", "")


async def test_update_plan_shows_the_exact_diff(harness):
    async with session(harness) as (client, _, wire):
        app = await create_app(client, callbacks=["https://a.example/cb", "https://b.example/cb"])
        cid = app["client_id"]
        before = len(wire.writes)
        planned = structured(await client.call_tool("auth0_update_application", {
            "client_id": cid, "set": {"description": "new words"},
            "add": {"callbacks": ["https://c.example/cb"]},
            "remove": {"callbacks": ["https://a.example/cb"]}}))
        assert planned["applied"] is False and len(wire.writes) == before
        assert planned["plan"]["changes"] == {
            "callbacks": {"+": ["https://c.example/cb"], "-": ["https://a.example/cb"]},
            "description": {"from": None, "to": "\u2039new words\u203a"}}  # free text: fenced
        assert planned["plan"]["requests"] == [f"PATCH /clients/{cid}"]


async def test_an_update_that_removes_nothing_critical_applies_at_once(harness):
    async with session(harness) as (client, _, wire):
        cid = (await create_app(client))["client_id"]
        before = len(wire.writes)
        done = structured(await client.call_tool("auth0_update_application", {
            "client_id": cid, "set": {"description": "harmless"}}))
        assert done["client_id"] == cid
        assert wire.writes[before:] == [("PATCH", f"/api/v2/clients/{cid}")]


async def test_policies_writes_and_never(harness):
    async with session(harness, confirm="writes") as (client, _, wire):
        planned = structured(await client.call_tool("auth0_create_application",
                                                    {"name": unique("Planned")}))
        assert planned["applied"] is False and planned["plan"]["kind"] == "create"
        assert planned["plan"]["body"]["name"].startswith("Planned")
        assert wire.writes == []
    async with session(harness, confirm="never") as (client, _, wire):
        cid = (await create_app(client))["client_id"]
        gone = structured(await client.call_tool("auth0_delete_application",
                                                 {"client_id": cid}))
        assert gone == {"deleted": cid}


async def test_init_stores_the_policy_with_the_profile_and_run_uses_it(sandbox, tmp_path):
    import json

    from mcp import Client
    from mcp.client.stdio import StdioServerParameters

    from auth0_mcp.testing.processes import CLEAN_ENV, EXE

    from .conftest import run_cli

    creds = tmp_path / "creds.json"
    client_id, secret = sandbox.admin_credentials
    env = {**CLEAN_ENV, "AUTH0_CLIENT_SECRET": secret}
    bad = await run_cli("init", "--auth0-domain", sandbox.base_url, "--auth0-client-id",
                        client_id, "--credentials-file", str(creds), "--confirm", "sometimes",
                        env=env)
    assert bad.returncode != 0 and "destructive, writes, never" in bad.stderr
    done = await run_cli("init", "--auth0-domain", sandbox.base_url, "--auth0-client-id",
                         client_id, "--credentials-file", str(creds), "--profile", "ci",
                         "--confirm", "never", env=env)
    assert done.returncode == 0, done.stderr
    assert json.loads(creds.read_text())["profiles"]["ci"]["confirm"] == "never"
    server = StdioServerParameters(command=EXE, args=["run", "--profile", "ci",
                                                      "--credentials-file", str(creds)],
                                   env=CLEAN_ENV)
    async with Client(server, read_timeout_seconds=30) as client:
        cid = structured(await client.call_tool("auth0_create_application",
                                                {"name": unique("Ci")}))["client_id"]
        gone = await client.call_tool("auth0_delete_application", {"client_id": cid})
        assert structured(gone) == {"deleted": cid}  # "never": no plan first


async def test_a_delete_plan_names_what_depends_on_it(harness):
    async with session(harness, confirm="never") as (client, _, _wire):
        api = structured(await client.call_tool("auth0_create_resource_server", {
            "name": unique("Deps"), "identifier": f"https://{unique('deps')}.example",
            "scopes": [{"value": "read:deps"}]}))
        app = await create_app(client, app_type="non_interactive")
        structured(await client.call_tool("auth0_create_application_grant", {
            "client_id": app["client_id"], "audience": api["identifier"],
            "scope": ["read:deps"]}))
    async with session(harness) as (client, _, wire):
        before = len(wire.writes)
        plan = structured(await client.call_tool("auth0_delete_resource_server",
                                                 {"id": api["id"]}))["plan"]
        assert plan["dependents"] == {"grants": [app["client_id"]]}
        plan = structured(await client.call_tool("auth0_delete_application",
                                                  {"client_id": app["client_id"]}))["plan"]
        assert plan["dependents"] == {"grants": [f"{api['identifier']} (read:deps)"]}
        assert len(wire.writes) == before


@attrs.frozen
class CopyArgs:
    source: str = arg()
    target: str = arg()


@tool(name="auth0_copy_description", title="Copy", kind="update", scopes=[])
async def copy_description(ctx, args: CopyArgs):
    """Copy one application's description to another (reads more than its target)."""
    source = await ctx.api.get(f"/clients/{args.source}")
    return await ctx.api.patch(f"/clients/{args.target}",
                               {"description": source.get("description") or ""})


async def test_the_first_write_applied_is_the_one_confirmed(harness):
    """A handler that reads something besides its target: if that changed after the plan was
    confirmed, the write it would now send differs, and it is not sent."""
    async with session(harness, confirm="never") as (client, runtime, wire):
        source, target = await create_app(client), await create_app(client)
        pipeline = Pipeline([copy_description], runtime.pipeline._context, Redactor(),
                            confirm="writes")
        args = {"source": source["client_id"], "target": target["client_id"]}
        clients = harness.sandbox.tenant.collection("clients")
        clients[source["client_id"]]["description"] = "shown to the user"
        planned = await pipeline.call("auth0_copy_description", args)
        assert planned.data["plan"]["changes"]["description"]["to"] == \
            "\u2039shown to the user\u203a"
        clients[source["client_id"]]["description"] = "swapped afterwards"
        before = len(wire.writes)
        applied = await pipeline.call("auth0_copy_description",
                                      {**args, "confirm": planned.data["confirm"]})
        assert not applied.is_error and applied.data["applied"] is False
        assert "other requests than the plan showed" in applied.data["refused"]
        assert len(wire.writes) == before
        assert clients[target["client_id"]].get("description") != "swapped afterwards"


async def test_what_changed_while_the_user_was_asked_is_not_applied(harness):
    from auth0_mcp.safety.gate import Asker

    async with session(harness, confirm="never") as (client, runtime, wire):
        source, target = await create_app(client), await create_app(client)
        clients = harness.sandbox.tenant.collection("clients")
        clients[source["client_id"]]["description"] = "shown to the user"

        async def person(message: str, schema: dict) -> dict:
            assert "shown to the user" in message
            clients[source["client_id"]]["description"] = "swapped while asked"
            return {"action": "accept", "content": {}}

        pipeline = Pipeline([copy_description], runtime.pipeline._context, Redactor(),
                            confirm="writes")
        before = len(wire.writes)
        applied = await pipeline.call("auth0_copy_description",
                                      {"source": source["client_id"],
                                       "target": target["client_id"]},
                                      asker=Asker(elicit=person))
        assert applied.is_error and "other content than the plan" in applied.text
        assert len(wire.writes) == before


async def test_an_action_delete_plan_names_the_flows_that_run_it(harness):
    code = "exports.onExecutePostLogin = async (event, api) => {};"
    async with session(harness, confirm="never") as (client, _, _wire):
        action = structured(await client.call_tool("auth0_create_action", {
            "name": unique("Bound"), "code": code,
            "supported_triggers": [{"id": "post-login", "version": "v3"}]}))
        structured(await client.call_tool("auth0_deploy_action", {"id": action["id"]}))
        structured(await client.call_tool("auth0_update_action_bindings", {
            "trigger_id": "post-login", "add": action["id"]}))
    async with session(harness) as (client, _, wire):
        before = len(wire.writes)
        plan = structured(await client.call_tool("auth0_delete_action",
                                                 {"id": action["id"], "force": True}))["plan"]
        assert plan["dependents"] == {"bound_to": ["post-login"]}
        assert len(wire.writes) == before
        # unbinding it is a binding change: planned first, with the flow's diff
        unbind = structured(await client.call_tool("auth0_update_action_bindings", {
            "trigger_id": "post-login", "remove": [action["id"]]}))
        removed = unbind["plan"]["changes"]["bindings"]["-"]
        assert [b["ref"]["value"] for b in removed] == [action["id"]]
        assert len(wire.writes) == before
