"""The confirmation flows through real transports: ``auth0-mcp run`` as a process, over stdio
and Streamable HTTP, in both protocol eras, with a client that declares elicitation and one
that does not, against a sandbox tenant over real HTTP that the test inspects."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters

from auth0_mcp.safety.journal import read_entries, verify
from auth0_mcp.testing import structured, text_of
from auth0_mcp.testing.processes import CLEAN_ENV, EXE, http_server

from .conftest import unique
from .test_elicitation import Person

SCOPES = ["read:clients", "create:clients", "update:clients", "delete:clients",
          "read:client_grants"]


@pytest.fixture(scope="module")
def env(sandbox: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    journal = tmp_path_factory.mktemp("journal")
    return {**CLEAN_ENV, "AUTH0_DOMAIN": sandbox.base_url,
            "AUTH0_TOKEN": sandbox.mint_token(SCOPES), "AUTH0_MCP_JOURNAL_DIR": str(journal)}


@pytest.fixture(scope="module")
def http_url(env: dict[str, str]) -> Iterator[str]:
    with http_server(env=env) as url:
        yield url


def connect(transport: str, env: dict[str, str], url: str | None, mode: str,
            person: Person | None) -> Client:
    server: Any = url if transport == "http" else StdioServerParameters(
        command=EXE, args=["run"], env=env)
    kwargs: dict[str, Any] = {"mode": mode, "read_timeout_seconds": 30}
    if person is not None:
        kwargs["elicitation_callback"] = person
    return Client(server, **kwargs)


def deletes_answered(sandbox: Any) -> int:
    """DELETEs the sandbox answered (the only 204s here): what proves nothing was sent."""
    return sandbox.stats()["by_status"].get("204", 0)


@pytest.mark.parametrize("transport", ["stdio", "http"])
@pytest.mark.parametrize("mode", ["legacy", "2026-07-28"])
async def test_elicitation_client_is_asked_and_a_decline_sends_nothing(
        request, sandbox, env, transport, mode):
    url = request.getfixturevalue("http_url") if transport == "http" else None
    person = Person()
    async with connect(transport, env, url, mode, person) as client:
        app = structured(await client.call_tool("auth0_create_application",
                                                {"name": unique("Wire")}))
        cid, clients = app["client_id"], sandbox.tenant.collection("clients")
        start = deletes_answered(sandbox)
        for action, typed in (("decline", None), ("accept", "wrong name")):
            person.action, person.typed = action, typed
            answer = await client.call_tool("auth0_delete_application", {"client_id": cid})
            assert not answer.is_error and "nothing" in text_of(answer)
            assert deletes_answered(sandbox) == start and cid in clients
        person.action, person.typed = "accept", app["name"]
        done = await client.call_tool("auth0_delete_application", {"client_id": cid})
        assert structured(done) == {"deleted": cid}
        assert deletes_answered(sandbox) == start + 1 and cid not in clients
        assert len(person.asked) == 3  # one question per call, no extra tool call


@pytest.mark.parametrize("transport", ["stdio", "http"])
@pytest.mark.parametrize("mode", ["legacy", "2026-07-28"])
async def test_client_without_elicitation_confirms_with_one_more_call(
        request, sandbox, env, transport, mode):
    url = request.getfixturevalue("http_url") if transport == "http" else None
    async with connect(transport, env, url, mode, None) as client:
        cid = structured(await client.call_tool("auth0_create_application",
                                                {"name": unique("Token")}))["client_id"]
        start = deletes_answered(sandbox)
        planned = structured(await client.call_tool("auth0_delete_application",
                                                    {"client_id": cid}))
        assert planned["applied"] is False and deletes_answered(sandbox) == start
        done = await client.call_tool("auth0_delete_application",
                                      {"client_id": cid, "confirm": planned["confirm"]})
        assert structured(done) == {"deleted": cid}
        assert deletes_answered(sandbox) == start + 1


async def test_the_stdio_journal_is_a_verifiable_chain(env, sandbox):
    """A stdio session's journal (with whatever others in this module wrote beside it) is an
    unbroken chain that records both the change and the declined delete."""
    async with connect("stdio", env, None, "legacy", Person("decline")) as client:
        cid = structured(await client.call_tool("auth0_create_application",
                                                {"name": unique("Journal")}))["client_id"]
        declined = await client.call_tool("auth0_delete_application", {"client_id": cid})
        assert "nothing" in text_of(declined)
    assert {"ok", "declined"} <= verified_outcomes(Path(env["AUTH0_MCP_JOURNAL_DIR"]))


def verified_outcomes(journal_dir: Path) -> set[str]:
    """The outcomes in every journal under ``journal_dir``, each checked as a chain."""
    files = list(journal_dir.rglob("*.jsonl"))
    assert files
    outcomes: set[str] = set()
    for path in files:
        entries = list(read_entries(path))
        assert entries and verify(entries) == []
        outcomes |= {e["outcome"] for e in entries}
    return outcomes
