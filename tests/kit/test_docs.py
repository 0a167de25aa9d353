"""Every hook is documented: a hook that plugin authors cannot read about does not exist."""

from __future__ import annotations

import inspect
from pathlib import Path

from auth0_mcp import hookspecs

DOC = Path(__file__).resolve().parents[2] / "docs" / "plugins.md"


def test_every_hookspec_is_in_the_hook_reference():
    text = DOC.read_text(encoding="utf-8")
    reference = text.split("## Hook reference", 1)[1].split("\n## ", 1)[0]
    hooks = [name for name, fn in inspect.getmembers(hookspecs, inspect.isfunction)
             if name.startswith("auth0_mcp_")]
    assert hooks, "no hookspecs found"
    for name in hooks:
        assert f"`{name}(" in reference, f"hook {name} is not documented in docs/plugins.md"


def test_the_public_api_named_in_the_policy_exists():
    import auth0_mcp

    text = DOC.read_text(encoding="utf-8")
    for name in auth0_mcp.__all__:
        assert f"`{name}`" in text, f"{name} is exported but not in the compatibility policy"
