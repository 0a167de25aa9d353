"""MCP client configuration writers: fresh file, merge keeping other servers, unparsable file
refused and untouched, a backup, correct paths per OS, and the written entry really starts the
server."""

from __future__ import annotations

import json
import subprocess
import tomllib
from pathlib import Path

import anyio
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters

from auth0_mcp.clients import (
    CLIENTS,
    ClientConfigError,
    place_for,
    server_command,
    write_client_config,
)
from auth0_mcp.testing.processes import CLEAN_ENV, EXE
from auth0_mcp_sandbox.server import SandboxServer


def entry_of(client: str, path: Path) -> dict:
    if client == "codex":
        return tomllib.loads(path.read_text())["mcp_servers"]["auth0"]
    key = "servers" if client == "vscode" else "mcpServers"
    return json.loads(path.read_text())[key]["auth0"]


@pytest.mark.parametrize("client", CLIENTS)
def test_fresh_merge_and_unparsable(client: str, tmp_path: Path):
    place = place_for(client, platform="linux", home=tmp_path, env={}, project=tmp_path)
    command = server_command("auth0_list_*", True, "work")
    path, backup = write_client_config(place, command)
    assert backup is None and path.exists()
    entry = entry_of(client, path)
    assert entry["command"] == command[0]
    assert entry["args"] == ["run", "--tools", "auth0_list_*", "--read-only", "--profile", "work"]
    if client == "vscode":
        assert entry["type"] == "stdio"

    # another server and other settings survive a second write; the old file is backed up
    if client == "codex":
        path.write_text('# my settings\nmodel = "o3"\n\n[mcp_servers.other]\ncommand = "x"\n'
                        + path.read_text())
    else:
        data = json.loads(path.read_text())
        data[place.key]["other"] = {"command": "x"}
        data["theme"] = "dark"
        path.write_text(json.dumps(data))
    _, backup = write_client_config(place, server_command(None, False, "default"))
    assert backup is not None and backup.exists()
    if client == "codex":
        text = path.read_text()
        parsed = tomllib.loads(text)
        assert "# my settings" in text and parsed["model"] == "o3"
        assert parsed["mcp_servers"]["other"] == {"command": "x"}
        assert text.count("[mcp_servers.auth0]") == 1
    else:
        data = json.loads(path.read_text())
        assert data["theme"] == "dark" and data[place.key]["other"] == {"command": "x"}
    assert entry_of(client, path)["args"] == ["run", "--profile", "default"]

    # a file that does not parse is refused and left exactly as it was
    broken = "{ not valid" if client != "codex" else "[mcp_servers\nbroken = "
    path.write_text(broken)
    with pytest.raises(ClientConfigError, match="nothing was changed"):
        write_client_config(place, command)
    assert path.read_text() == broken


def test_paths_on_each_platform(tmp_path: Path):
    home = tmp_path
    win = {"APPDATA": str(tmp_path / "Roaming")}
    assert place_for("claude", platform="darwin", home=home, env={}).path == (
        home / "Library/Application Support/Claude/claude_desktop_config.json")
    assert place_for("claude", platform="win32", home=home, env=win).path == (
        tmp_path / "Roaming/Claude/claude_desktop_config.json")
    assert place_for("claude", platform="linux", home=home, env={}).path == (
        home / ".config/Claude/claude_desktop_config.json")
    # Cursor, Windsurf and Gemini live in the home folder on Windows too (the reference used
    # %APPDATA%, where these clients do not look)
    for client, rel in (("cursor", ".cursor/mcp.json"),
                        ("windsurf", ".codeium/windsurf/mcp_config.json"),
                        ("gemini", ".gemini/settings.json")):
        assert place_for(client, platform="win32", home=home, env=win).path == home / rel
    assert place_for("vscode", platform="win32", home=home, env=win).path == (
        tmp_path / "Roaming/Code/User/mcp.json")
    assert place_for("vscode", scope="workspace", project=tmp_path, home=home,
                     env={}).path == tmp_path / ".vscode/mcp.json"
    assert place_for("claude-code", scope="project", project=tmp_path, home=home,
                     env={}).path == tmp_path / ".mcp.json"
    assert place_for("codex", platform="linux", home=home, env={}).path == (
        home / ".codex/config.toml")
    with pytest.raises(ClientConfigError):
        place_for("notepad")


@pytest.mark.parametrize("client", CLIENTS)
async def test_the_written_entry_starts_the_server(client: str, tmp_path: Path):
    creds = tmp_path / "creds.json"
    with SandboxServer() as box:
        client_id, secret = box.admin_credentials
        login = await anyio.to_thread.run_sync(lambda: subprocess.run(
            [EXE, "init", "--auth0-domain", box.base_url, "--auth0-client-id", client_id,
             "--credentials-file", str(creds), "--profile", "box", "--client", client,
             "--tools", "auth0_list_*"],
            capture_output=True, text=True, timeout=60,
            env={**CLEAN_ENV, "AUTH0_CLIENT_SECRET": secret, "HOME": str(tmp_path),
                 "CODEX_HOME": str(tmp_path / ".codex")}))
        assert login.returncode == 0, login.stderr
        place = place_for(client, platform="linux", home=tmp_path,
                          env={"CODEX_HOME": str(tmp_path / ".codex")})
        entry = entry_of(client, place.path)
        params = StdioServerParameters(command=entry["command"], args=entry["args"],
                                       env={**CLEAN_ENV, **entry.get("env", {})})
        async with Client(params, read_timeout_seconds=60) as session:
            names = {t.name for t in (await session.list_tools()).tools}
    assert names and all(n.startswith("auth0_list_") for n in names)
