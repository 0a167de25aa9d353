"""MCP client configuration: add this server to Claude Desktop, Claude Code, Cursor, Windsurf,
VS Code, Gemini CLI or Codex.

Every writer merges into the existing file (other servers and settings are kept), refuses a
file it cannot parse (never overwrites it), keeps a ``.bak`` of the previous version and
replaces the file atomically. Paths follow each client's conventions on macOS, Linux and
Windows (the reference used %APPDATA% where Cursor, Windsurf and Gemini use the home folder).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import tempfile
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from .errors import SetupError

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
            return Place((project or Path.cwd()) / ".mcp.json")
        return Place(home / ".claude.json")
    if client == "cursor":
        return Place(home / ".cursor" / "mcp.json")
    if client == "windsurf":
        return Place(home / ".codeium" / "windsurf" / "mcp_config.json")
    if client == "gemini":
        return Place(home / ".gemini" / "settings.json")
    if client == "vscode":
        if scope == "workspace":
            return Place((project or Path.cwd()) / ".vscode" / "mcp.json", "servers",
                         vscode=True)
        base = {"darwin": home / "Library" / "Application Support" / "Code" / "User",
                "win32": appdata / "Code" / "User"}.get(platform, home / ".config" / "Code" /
                                                          "User")
        return Place(base / "mcp.json", "servers", vscode=True)
    if client == "codex":
        return Place(Path(env.get("CODEX_HOME", home / ".codex")) / "config.toml",
                     "mcp_servers", "toml")
    raise ClientConfigError(f"unknown client {client!r}; choose one of {', '.join(CLIENTS)}")


def _atomic_write(path: Path, text: str) -> Path | None:
    """Write ``text`` atomically; the previous file is kept as ``<file>.bak``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    backup = None
    if path.exists():
        backup = path.with_name(path.name + ".bak")
        shutil.copy2(path, backup)
    fd, tmp = tempfile.mkstemp(prefix=path.name, dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        if path.exists():
            shutil.copymode(path, tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return backup


def _toml_string(value: str) -> str:
    return json.dumps(value)  # a JSON string is a valid TOML basic string


def _codex(path: Path, command: Sequence[str], env: Mapping[str, str]) -> str:
    """Replace only our ``[mcp_servers.auth0]`` tables, keeping the rest of the file as it was
    (comments included), and check the result still parses."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ClientConfigError(f"{path} is not valid TOML ({exc}); fix it first, nothing was "
                                "changed") from None
    kept, skipping = [], False
    for line in text.splitlines():
        header = re.match(r"\s*\[+\s*([^\]]+?)\s*\]+", line)
        if header:
            skipping = header.group(1) in (f"mcp_servers.{NAME}", ) or header.group(
                1).startswith(f"mcp_servers.{NAME}.")
        if not skipping:
            kept.append(line)
    section = [f"[mcp_servers.{NAME}]", f"command = {_toml_string(command[0])}",
               "args = [" + ", ".join(_toml_string(a) for a in command[1:]) + "]"]
    if env:
        section += [f"[mcp_servers.{NAME}.env]"] + [f"{k} = {_toml_string(v)}"
                                                    for k, v in env.items()]
    body = "\n".join(kept).rstrip()
    result = (body + "\n\n" if body else "") + "\n".join(section) + "\n"
    tomllib.loads(result)
    return result


def write_client_config(place: Place, command: Sequence[str],
                        env: Mapping[str, str] | None = None) -> tuple[Path, Path | None]:
    """Add or replace this server's entry; returns (file, backup or None)."""
    env = dict(env or {})
    if place.kind == "toml":
        return place.path, _atomic_write(place.path, _codex(place.path, command, env))
    data: dict[str, Any] = {}
    if place.path.exists():
        raw = place.path.read_text(encoding="utf-8")
        try:
            data = json.loads(raw) if raw.strip() else {}
        except json.JSONDecodeError as exc:
            raise ClientConfigError(f"{place.path} is not valid JSON ({exc}); fix it first, "
                                    "nothing was changed") from None
        if not isinstance(data, dict):
            raise ClientConfigError(f"{place.path} does not hold a JSON object; nothing was "
                                    "changed")
    servers = data.setdefault(place.key, {})
    if not isinstance(servers, dict):
        raise ClientConfigError(f"{place.path}: '{place.key}' is not an object; nothing was "
                                "changed")
    entry: dict[str, Any] = {"command": command[0], "args": list(command[1:])}
    if place.vscode:
        entry = {"type": "stdio", **entry}
    if env:
        entry["env"] = env
    servers[NAME] = entry
    return place.path, _atomic_write(place.path, json.dumps(data, indent=2) + "\n")
