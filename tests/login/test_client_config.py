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

from auth0_mcp.client_config import (
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


@pytest.mark.parametrize("client, scope, rel", [("claude-code", "project", ".mcp.json"),
                                                ("vscode", "workspace", ".vscode/mcp.json")])
def test_a_project_file_linked_outside_the_project_is_refused(client, scope, rel,
                                                               tmp_path: Path):
    """Writing through a link would copy the target (secrets included) into the project."""
    outside = tmp_path / "home" / ".claude.json"
    outside.parent.mkdir()
    secret = '{"mcpServers": {"prod": {"env": {"AUTH0_CLIENT_SECRET": "s3cr3t"}}}}'
    outside.write_text(secret)
    project = tmp_path / "project"
    link = project / rel
    link.parent.mkdir(parents=True)
    link.symlink_to(outside)
    place = place_for(client, scope=scope, project=project, home=tmp_path / "home", env={})
    with pytest.raises(ClientConfigError, match="symbolic link"):
        write_client_config(place, server_command(None, False, "default"))
    assert link.is_symlink() and outside.read_text() == secret
    assert sorted(p.name for p in link.parent.iterdir()) == [link.name]


def test_a_project_folder_linked_outside_the_project_is_refused(tmp_path: Path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    project = tmp_path / "project"
    project.mkdir()
    (project / ".vscode").symlink_to(elsewhere)
    place = place_for("vscode", scope="workspace", project=project, home=tmp_path, env={})
    with pytest.raises(ClientConfigError, match="outside the project"):
        write_client_config(place, server_command(None, False, "default"))
    assert list(elsewhere.iterdir()) == []


def test_a_linked_user_file_is_updated_where_it_lives(tmp_path: Path):
    """Dotfile managers link ~/.cursor/mcp.json into a repository: the link stays a link."""
    real = tmp_path / "dotfiles" / "mcp.json"
    real.parent.mkdir()
    real.write_text('{"mcpServers": {"other": {"command": "x"}}}')
    place = place_for("cursor", platform="linux", home=tmp_path, env={})
    place.path.parent.mkdir()
    place.path.symlink_to(real)
    path, backup = write_client_config(place, server_command(None, False, "default"))
    assert place.path.is_symlink() and path == real
    assert set(json.loads(real.read_text())["mcpServers"]) == {"other", "auth0"}
    assert backup is not None and backup.parent == real.parent


def test_a_backup_name_that_is_a_link_is_not_written_through(tmp_path: Path):
    victim = tmp_path / "victim"
    victim.write_text("keep me")
    place = place_for("claude-code", scope="project", project=tmp_path, home=tmp_path, env={})
    place.path.write_text("{}")
    place.path.with_name(".mcp.json.bak").symlink_to(victim)
    write_client_config(place, server_command(None, False, "default"))
    assert victim.read_text() == "keep me"


@pytest.mark.parametrize("existing", [
    # dotted keys, for another server and for ours
    'model = "o3"\nmcp_servers.other.command = "x"\nmcp_servers.auth0.command = "old"\n',
    # inline tables
    'mcp_servers = { other = { command = "x" }, auth0 = { command = "old" } }\n',
    # a line that looks like our table header, inside a multi-line string
    'notes = """\n[mcp_servers.auth0]\nkeep this text\n"""\n\n[mcp_servers.other]\n'
    'command = "x"\n\n[mcp_servers.auth0]\ncommand = "old"\n\n[mcp_servers.auth0.env]\nA = "1"\n',
])
def test_codex_accepts_every_valid_toml(existing: str, tmp_path: Path):
    """Valid configs in any TOML spelling are merged, not refused or mangled."""
    place = place_for("codex", platform="linux", home=tmp_path, env={})
    place.path.parent.mkdir(parents=True)
    place.path.write_text("# mine\n" + existing)
    before = tomllib.loads(existing)
    write_client_config(place, server_command(None, False, "default"), {"B": "2"})
    text = place.path.read_text()
    after = tomllib.loads(text)
    assert "# mine" in text
    assert after["mcp_servers"]["other"] == {"command": "x"}
    assert after["mcp_servers"]["auth0"]["args"] == ["run", "--profile", "default"]
    assert after["mcp_servers"]["auth0"]["env"] == {"B": "2"}
    assert after.get("model") == before.get("model")
    assert after.get("notes") == before.get("notes")
