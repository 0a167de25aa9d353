"""MCP client configuration: add this server to Claude Desktop, Claude Code, Cursor, Windsurf,
VS Code, Gemini CLI or Codex. (MCP clients, that is: in Auth0 a "client" is an application.)

Every writer merges into the existing file (other servers and settings are kept), refuses a
file it cannot parse (never overwrites it), keeps a ``.bak`` of the previous version and
replaces the file atomically. Paths follow each client's conventions on macOS, Linux and
Windows (the reference used %APPDATA% where Cursor, Windsurf and Gemini use the home folder).
"""

from __future__ import annotations

import json
import os
import sys
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from .errors import SetupError
from .files import atomic_write

CLIENTS = ("claude", "claude-code", "cursor", "windsurf", "vscode", "gemini", "codex")
NAME = "auth0"


class ClientConfigError(SetupError, ValueError):
    """The configuration cannot be written safely; the message says what to do."""


@attrs.frozen
class Place:
    """Where a client keeps its servers: the file, the key, and its entry format."""

    path: Path
    key: str = "mcpServers"
    kind: str = "json"  # or "toml"
    vscode: bool = False
    project: Path | None = None  # a project file must stay inside this folder


def server_command(tools: str | None, read_only: bool, profile: str | None) -> list[str]:
    """The command that starts this server where it is installed (pip, uv or pipx)."""
    exe = Path(sys.executable).parent / ("auth0-mcp.exe" if os.name == "nt" else "auth0-mcp")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "auth0_mcp"]
    command.append("run")
    if tools:
        command += ["--tools", tools]
    if read_only:
        command.append("--read-only")
    if profile:
        command += ["--profile", profile]
    return command


def place_for(client: str, *, platform: str = sys.platform, home: Path | None = None,
              env: Mapping[str, str] | None = None, scope: str | None = None,
              project: Path | None = None) -> Place:
    env = os.environ if env is None else env
    home = home or Path.home()
    appdata = Path(env.get("APPDATA", home / "AppData" / "Roaming"))
    if client == "claude":
        base = {"darwin": home / "Library" / "Application Support" / "Claude",
                "win32": appdata / "Claude"}.get(platform, home / ".config" / "Claude")
        return Place(base / "claude_desktop_config.json")
    if client == "claude-code":
        if scope == "project":
            root = project or Path.cwd()
            return Place(root / ".mcp.json", project=root)
        return Place(home / ".claude.json")
    if client == "cursor":
        return Place(home / ".cursor" / "mcp.json")
    if client == "windsurf":
        return Place(home / ".codeium" / "windsurf" / "mcp_config.json")
    if client == "gemini":
        return Place(home / ".gemini" / "settings.json")
    if client == "vscode":
        if scope == "workspace":
            root = project or Path.cwd()
            return Place(root / ".vscode" / "mcp.json", "servers", vscode=True, project=root)
        base = {"darwin": home / "Library" / "Application Support" / "Code" / "User",
                "win32": appdata / "Code" / "User"}.get(platform, home / ".config" / "Code" /
                                                          "User")
        return Place(base / "mcp.json", "servers", vscode=True)
    if client == "codex":
        return Place(Path(env.get("CODEX_HOME", home / ".codex")) / "config.toml",
                     "mcp_servers", "toml")
    raise ClientConfigError(f"unknown client {client!r}; choose one of {', '.join(CLIENTS)}")


def _target(place: Place) -> Path:
    """The file to write. A project file is never written through a link (it would copy what
    the link points at, secrets included, into the project); a user file that is a link
    (dotfile managers) is updated where it lives, and the link stays."""
    path = place.path
    if place.project is None:
        return Path(os.path.realpath(path)) if path.is_symlink() else path
    if path.is_symlink():
        raise ClientConfigError(
            f"{path} is a symbolic link (to {os.readlink(path)}): auth0-mcp does not write a "
            "project file through a link, which would copy the linked file's content into the "
            "project. Replace the link with a regular file, or use the user scope; nothing was "
            "changed")
    root = place.project.resolve()
    if not path.parent.resolve().is_relative_to(root):
        raise ClientConfigError(
            f"{path.parent} leads outside the project ({root}) through a symbolic link; "
            "replace the link with a folder, or use the user scope; nothing was changed")
    return path


def _codex(path: Path, command: Sequence[str], env: Mapping[str, str]) -> str:
    """Set ``mcp_servers.auth0`` in Codex's TOML, keeping everything else as it was (comments,
    key spelling: dotted keys, inline tables, tables); the result must parse."""
    import tomlkit
    from tomlkit.items import InlineTable

    text = path.read_text(encoding="utf-8") if path.exists() else ""
    try:
        tomllib.loads(text)
        doc = tomlkit.parse(text)
    except (tomllib.TOMLDecodeError, tomlkit.exceptions.TOMLKitError) as exc:
        raise ClientConfigError(f"{path} is not valid TOML ({exc}); fix it first, nothing was "
                                "changed") from None
    if "mcp_servers" not in doc:
        doc["mcp_servers"] = tomlkit.table(is_super_table=True)
    servers = doc["mcp_servers"]
    if not isinstance(servers, dict):
        raise ClientConfigError(f"{path}: 'mcp_servers' is not a table; nothing was changed")
    inline = isinstance(servers, InlineTable)
    entry = tomlkit.inline_table() if inline else tomlkit.table()
    entry["command"] = command[0]
    entry["args"] = list(command[1:])
    if env:
        entry["env"] = dict(env)
    servers[NAME] = entry
    result = tomlkit.dumps(doc)
    tomllib.loads(result)
    return result


def write_client_config(place: Place, command: Sequence[str],
                        env: Mapping[str, str] | None = None) -> tuple[Path, Path | None]:
    """Add or replace this server's entry; returns (file, backup or None)."""
    env = dict(env or {})
    path = _target(place)
    if place.kind == "toml":
        return path, atomic_write(path, _codex(path, command, env), backup=True)
    data: dict[str, Any] = {}
    if path.exists():
        raw = path.read_text(encoding="utf-8")
        try:
            data = json.loads(raw) if raw.strip() else {}
        except json.JSONDecodeError as exc:
            raise ClientConfigError(f"{path} is not valid JSON ({exc}); fix it first, "
                                    "nothing was changed") from None
        if not isinstance(data, dict):
            raise ClientConfigError(f"{path} does not hold a JSON object; nothing was "
                                    "changed")
    servers = data.setdefault(place.key, {})
    if not isinstance(servers, dict):
        raise ClientConfigError(f"{path}: '{place.key}' is not an object; nothing was "
                                "changed")
    entry: dict[str, Any] = {"command": command[0], "args": list(command[1:])}
    if place.vscode:
        entry = {"type": "stdio", **entry}
    if env:
        entry["env"] = env
    servers[NAME] = entry
    return path, atomic_write(path, json.dumps(data, indent=2) + "\n", backup=True)
