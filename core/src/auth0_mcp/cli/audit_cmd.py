"""``auth0-mcp audit list|show|verify`` and ``auth0-mcp undo``: the journal every call leaves,
read back; and a change reverted from it."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from .options import CredentialsFile, Json
from .options import ProfileName as Profile

app = typer.Typer(help="Read and verify the audit journal (one file per profile).",
                  no_args_is_help=True)

JournalFile = Annotated[Path | None, typer.Option(
    "--journal", envvar="AUTH0_MCP_AUDIT_LOG",
    help="The journal file (default: the profile's, in the user data directory; "
         "AUTH0_MCP_JOURNAL_DIR moves it).")]


def _path(profile: str, journal: Path | None) -> Path:
    from ..safety.journal import default_path

    path = journal or default_path(profile)
    if not path.exists():
        raise typer.BadParameter(f"no journal at {path}: no call was made with profile "
                                 f"{profile!r} yet (or pass --journal)")
    return path


@app.command("list")
def list_calls(profile: Profile = "default", journal: JournalFile = None,
               last: Annotated[int, typer.Option(help="Only the last N calls.")] = 50,
               as_json: Json = False) -> None:
    """One line per call: time, call id, caller, tool, outcome.

    Example: auth0-mcp audit list --last 20
    """
    from ..safety.journal import read_entries

    entries = list(read_entries(_path(profile, journal)))[-last:]
    for entry in entries:
        if as_json:
            print(json.dumps(entry, separators=(",", ":")))
            continue
        undo = "  (undoable)" if entry.get("undo") else ""
        print(f"{entry.get('time')}  {entry.get('call_id')}  {entry.get('caller')}  "
              f"{entry.get('tool')}  {entry.get('outcome')}{undo}")


@app.command("show")
def show(call_id: str, profile: Profile = "default", journal: JournalFile = None) -> None:
    """Everything the journal holds about one call (arguments redacted)."""
    from ..safety.journal import read_entries

    for entry in read_entries(_path(profile, journal)):
        if entry.get("call_id") == call_id:
            print(json.dumps(entry, indent=2, ensure_ascii=False))
            return
    raise typer.BadParameter(f"no call {call_id} in the journal")


@app.command("verify")
def verify_journal(profile: Profile = "default", journal: JournalFile = None) -> None:
    """Check the hash chain: exits 1 when a line was edited, removed or moved."""
    from ..safety.journal import read_entries, verify

    path = _path(profile, journal)
    entries = list(read_entries(path))
    problems = verify(entries)
    if problems:
        for problem in problems:
            print(f"auth0-mcp: {path}: {problem}", file=sys.stderr)
        raise typer.Exit(1)
    print(f"{path}: {len(entries)} calls, chain intact")


def undo(
    call_id: str,
    force: Annotated[bool, typer.Option("--force", help="Restore even if the object changed "
                                        "since.")] = False,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask; apply the plan.")] = False,
    profile: Profile = "default",
    journal: JournalFile = None,
    credentials_file: CredentialsFile = None,
) -> None:
    """Revert an update, or re-create a deleted object, from the journal. Shows the plan and
    asks first.

    Example: auth0-mcp undo 3f2a9c1b7e40
    """
    import anyio

    from .. import logsetup

    logsetup.configure()
    path = _path(profile, journal)
    outcome = anyio.run(_undo, path, profile, credentials_file, call_id, force, yes)
    print(outcome.text)
    if outcome.is_error:
        raise typer.Exit(1)


async def _undo(path: Path, profile: str, credentials_file: Path | None, call_id: str,
                force: bool, yes: bool) -> Any:
    from ..credentials import CredentialsError, from_environment
    from ..runtime import RunOptions, build_runtime
    from ..safety.journal import FileJournal
    from .run_cmd import _stored

    credentials = from_environment(os.environ) or _stored(profile, credentials_file)[0]
    if credentials is None:
        raise CredentialsError(f"no credentials for profile {profile!r}: run `auth0-mcp init` "
                               "or set AUTH0_DOMAIN with AUTH0_TOKEN")
    sink = FileJournal(path)
    runtime = await build_runtime(RunOptions(confirm="writes"), credentials,
                                  journal=sink)
    try:
        arguments: dict[str, Any] = {"call_id": call_id, "force": force}
        planned = await runtime.pipeline.call("auth0_undo", arguments)
        if planned.is_error or planned.data is None or "confirm" not in planned.data:
            return planned
        print(json.dumps(planned.data["plan"], indent=2, ensure_ascii=False))
        if not yes and not typer.confirm("Apply this undo?", default=False):
            return type(planned)(None, "Not applied: nothing was sent.", False)
        return await runtime.pipeline.call("auth0_undo",
                                           {**arguments, "confirm": planned.data["confirm"]})
    finally:
        await runtime.aclose()
        sink.close()
