"""The documented contract is the real one: every hook with its exact signature, every
``ToolContext`` field, every public ``ManagementClient`` method with its signature, every CLI
command and option. Something a plugin author or a user cannot read about does not exist."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

from auth0_mcp import hookspecs

DOCS = Path(__file__).resolve().parents[2] / "docs"
PLUGINS = DOCS / "plugins.md"
CLI = DOCS / "cli.md"
CLIENT_METHODS = ("get", "post", "patch", "put", "delete", "page", "iterate_pages",
                  "iterate_checkpoint")


def section(text: str, heading: str) -> str:
    """The text of the ``## heading`` section (up to the next ``## ``)."""
    assert f"\n## {heading}" in text, f"docs have no section '## {heading}'"
    return text.split(f"\n## {heading}", 1)[1].split("\n## ", 1)[0]


def signature_text(name: str, fn: Callable[..., Any]) -> str:
    """``name(params) -> return`` as written in the source (annotations are strings)."""
    sig = inspect.signature(fn)
    parts: list[str] = []
    star = False
    for p in sig.parameters.values():
        if p.name == "self":
            continue
        text = p.name
        if p.kind is p.VAR_KEYWORD:
            text = "**" + text
        elif p.kind is p.VAR_POSITIONAL:
            text, star = "*" + text, True
        elif p.kind is p.KEYWORD_ONLY and not star:
            parts.append("*")
            star = True
        if p.annotation is not p.empty:
            text += f": {p.annotation}"
        if p.default is not p.empty:
            text += f" = {p.default!r}"
        parts.append(text)
    ret = f" -> {sig.return_annotation}" if sig.return_annotation is not sig.empty else ""
    return f"{name}({', '.join(parts)}){ret}"


def hooks() -> list[tuple[str, Callable[..., Any]]]:
    found = [(n, f) for n, f in inspect.getmembers(hookspecs, inspect.isfunction)
             if n.startswith("auth0_mcp_")]
    assert found, "no hookspecs found"
    return found


@pytest.mark.parametrize("name, fn", hooks())
def test_every_hook_is_documented_with_its_signature(name, fn):
    reference = section(PLUGINS.read_text(encoding="utf-8"), "Hook reference")
    heading = f"### `{signature_text(name, fn)}`"
    assert heading in reference, f"docs/plugins.md needs the heading {heading}"
    body = reference.split(heading, 1)[1].split("\n### ", 1)[0]
    for part in ("**Parameters:**", "**Called:**", "**Returns:**"):
        assert part in body, f"hook {name}: '{part}' is not documented"


def test_every_tool_context_field_is_documented():
    from auth0_mcp.context import ToolContext

    text = section(PLUGINS.read_text(encoding="utf-8"), "What a handler receives")
    for field in attrs.fields(ToolContext):
        assert f"`ctx.{field.name}`" in text, f"ToolContext.{field.name} is not documented"


@pytest.mark.parametrize("method", CLIENT_METHODS)
def test_every_public_client_method_is_documented_with_its_signature(method):
    from auth0_mcp.management import ManagementClient

    text = section(PLUGINS.read_text(encoding="utf-8"), "The Management API client")
    documented = signature_text(method, getattr(ManagementClient, method)).replace("|", "\\|")
    assert f"`{documented}`" in text, f"docs/plugins.md needs `{documented}`"


def test_the_public_api_named_in_the_policy_exists():
    import auth0_mcp

    text = PLUGINS.read_text(encoding="utf-8")
    for name in auth0_mcp.__all__:
        assert f"`{name}`" in text, f"{name} is exported but not in the compatibility policy"
    policy = section(text, "Compatibility policy")
    assert "`ManagementClient`" in policy and "`ToolContext`" in policy


def commands() -> Iterator[tuple[str, Any]]:
    import typer.main

    from auth0_mcp.cli import app

    def walk(command: Any, path: list[str]) -> Iterator[tuple[str, Any]]:
        if hasattr(command, "commands"):
            for name, sub in command.commands.items():
                yield from walk(sub, [*path, name])
        else:
            yield " ".join(path), command

    return walk(typer.main.get_command(app), [])


@pytest.mark.parametrize("path, command", list(commands()), ids=lambda v: str(v)[:20])
def test_every_cli_command_and_option_is_documented(path, command):
    text = section(CLI.read_text(encoding="utf-8"), f"`auth0-mcp {path}`")
    for param in command.params:
        names = param.opts if type(param).__name__.endswith("Option") else [param.name.upper()]
        for name in names:
            assert f"`{name}`" in text, f"auth0-mcp {path}: {name} is not in docs/cli.md"
