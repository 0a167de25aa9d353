"""The audit journal: every call leaves one hash-chained line (refused ones too), arguments
are redacted by the tool's declared secrets, and ``audit verify`` finds an edited, a removed
and a swapped line."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import attrs
from mcp import Client

from auth0_mcp.callers import CallPolicy
from auth0_mcp.pipeline import Pipeline
from auth0_mcp.redaction import Redactor
from auth0_mcp.safety.journal import FileJournal, MemoryJournal, read_entries, verify
from auth0_mcp.server import build_server
from auth0_mcp.spec import tool
from auth0_mcp.testing import structured

from .conftest import recorded, run_cli, unique
from .test_elicitation import Person

SECRET_VALUE = "sk_live_do-not-journal-4242"
CODE = "exports.onExecutePostLogin = async (event, api) => {};"


async def fill(harness: Any, path: Path) -> None:
    """A real journal: reads, writes, a secret, bad input, an unknown tool, a decline."""
    journal = FileJournal(path)
    async with recorded(harness, journal=journal) as (runtime, _):
        person = Person("decline")
        async with Client(runtime.server, mode="legacy", elicitation_callback=person) as c:
            await c.call_tool("auth0_list_applications", {"per_page": 1})
            app = structured(await c.call_tool("auth0_create_application",
                                               {"name": unique("Journal")}))
            await c.call_tool("auth0_create_action", {
                "name": unique("Journal"), "code": CODE,
                "supported_triggers": [{"id": "post-login"}],
                "secrets": {"API_KEY": SECRET_VALUE}})
            await c.call_tool("auth0_get_application", {"client_id": 42})
            await c.call_tool("auth0_no_such_tool", {})
            await c.call_tool("auth0_delete_application", {"client_id": app["client_id"]})
    journal.close()


async def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return await run_cli("audit", *args)


async def test_every_call_is_journaled_with_its_outcome_and_no_secret(harness, tmp_path):
    path = tmp_path / "j.jsonl"
    await fill(harness, path)
    entries = list(read_entries(path))
    assert [(e["tool"], e["outcome"]) for e in entries] == [
        ("auth0_list_applications", "ok"), ("auth0_create_application", "ok"),
        ("auth0_create_action", "ok"), ("auth0_get_application", "invalid"),
        ("auth0_no_such_tool", "refused"), ("auth0_delete_application", "declined")]
    assert SECRET_VALUE not in path.read_text()
    assert entries[2]["arguments"]["secrets"] == {"API_KEY": "[REDACTED]"}
    for entry in entries:
        assert {"time", "call_id", "caller", "tool", "arguments", "plan", "outcome",
                "request_ids", "duration_ms", "prev", "hash", "seq"} <= set(entry)
        assert entry["caller"].startswith("local")
    assert entries[-1]["plan"] and len(entries[-1]["plan"]) == 64  # the declined plan's hash
    assert verify(entries) == []


async def test_audit_verify_detects_an_edited_a_removed_and_a_swapped_line(harness, tmp_path):
    path = tmp_path / "j.jsonl"
    await fill(harness, path)
    ok = await cli("verify", "--journal", str(path))
    assert ok.returncode == 0 and "6 calls, chain intact" in ok.stdout
    listed = await cli("list", "--journal", str(path))
    assert listed.returncode == 0 and "auth0_delete_application  declined" in listed.stdout
    lines = path.read_text().splitlines(keepends=True)

    async def broken(text: str) -> subprocess.CompletedProcess[str]:
        bad = tmp_path / "bad.jsonl"
        bad.write_text(text)
        return await cli("verify", "--journal", str(bad))

    edited = json.loads(lines[3])
    edited["outcome"] = "ok"
    result = await broken("".join([*lines[:3], json.dumps(edited) + "\n", *lines[4:]]))
    assert result.returncode == 1 and "line 4 (seq 4): edited" in result.stderr
    result = await broken("".join([*lines[:2], *lines[3:]]))
    assert result.returncode == 1 and "removed or moved" in result.stderr
    result = await broken("".join([lines[0], lines[2], lines[1], *lines[3:]]))
    assert result.returncode == 1 and "removed or moved" in result.stderr


@attrs.frozen
class NoArgs:
    pass


@tool(name="auth0_broken_thing", title="Broken", kind="read", scopes=[])
async def broken_thing(ctx: Any, args: NoArgs) -> Any:
    """A third-party handler that returns the wrong type."""
    return ["not", "a", "mapping"]


async def test_a_failing_handler_is_a_tool_error_and_is_journaled(harness):
    journal = MemoryJournal()
    async with recorded(harness) as (runtime, _):
        pipeline = Pipeline([broken_thing], lambda: runtime.pipeline._context(), Redactor(),
                            journal=journal)
        async with Client(build_server([broken_thing], pipeline), mode="legacy") as client:
            result = await client.call_tool("auth0_broken_thing", {})
    assert result.is_error and "internal error (TypeError)" in result.content[0].text
    assert [(e["tool"], e["outcome"]) for e in journal.lines] == [
        ("auth0_broken_thing", "error")]


async def test_a_call_over_the_callers_budget_is_refused_and_journaled(harness):
    async def over_budget(_caller: str | None) -> float:
        return 7.0

    journal = MemoryJournal()
    async with recorded(harness, journal=journal) as (runtime, _):
        server = build_server(runtime.tools, runtime.pipeline,
                              CallPolicy(caller_of=lambda: "auth0|noisy", wait_for=over_budget))
        async with Client(server, mode="legacy") as client:
            result = await client.call_tool("auth0_list_applications", {})
    assert result.is_error and "retry in 7 s" in result.content[0].text
    assert [(e["tool"], e["caller"], e["outcome"]) for e in journal.lines] == [
        ("auth0_list_applications", "auth0|noisy", "refused")]




def test_a_stream_journal_writes_a_chain_a_collector_can_verify():
    import io

    from auth0_mcp.safety.journal import StreamJournal

    out = io.StringIO()
    sink = StreamJournal(out)
    for name in ("a", "b", "c"):
        sink.append({"tool": name, "outcome": "ok"})
    entries = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [e["seq"] for e in entries] == [1, 2, 3] and verify(entries) == []
    assert list(sink.entries()) == []  # write-only: undo needs a file or memory journal
