"""``auth0-mcp plugin new NAME``: a working plugin package to start from.

The package has the entry point, one read-only tool that works against the sandbox, and tests
that drive it through a real MCP session and run the family contract.
"""

from __future__ import annotations

import re
from pathlib import Path
from string import Template

from . import __version__
from .errors import SetupError

NAME = re.compile(r"^[a-z][a-z0-9_]{1,30}$")

PYPROJECT = Template('''\
[project]
name = "auth0-mcp-$dash"
version = "0.1.0"
description = "auth0-mcp plugin: $name tools."
requires-python = ">=3.11"
dependencies = ["auth0-mcp>=$core_minor,<$core_next"]

[project.optional-dependencies]
# the example tool reads applications: the applications family brings their sandbox emulator
test = ["auth0-mcp[testing,applications]"]

[project.entry-points.auth0_mcp]
$name = "auth0_mcp_$name.plugin"

[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[tool.hatch.build.targets.wheel]
packages = ["src/auth0_mcp_$name"]

[tool.pytest.ini_options]
addopts = "-p auth0_mcp.testing"
anyio_mode = "auto"
''')

PLUGIN = Template('''\
"""The $name tool family: the table of its tools."""

from auth0_mcp import hookimpl

from . import tools


@hookimpl
def auth0_mcp_register_tools():
    return [tools.count_applications]
''')

TOOLS = Template('''\
"""$name tools."""

from __future__ import annotations

from collections import Counter
from typing import Any

import attrs

from auth0_mcp import ToolContext, arg, returns, tool


@attrs.frozen
class CountArgs:
    app_type: str | None = arg(None, "Only this application type, e.g. spa")


@tool(name="auth0_count_${name}_applications", title="Count applications", read_only=True,
      idempotent=True, scopes=["read:clients"], output=returns(total="integer", by_type="object"),
      example={"app_type": "spa"})
async def count_applications(ctx: ToolContext, args: CountArgs) -> dict[str, Any]:
    """Count the tenant's applications by type."""
    counts: Counter[str] = Counter()
    async for client in ctx.api.iterate_pages("/clients", "clients", fields="app_type",
                                              app_type=args.app_type):
        counts[client.get("app_type") or "unknown"] += 1
    return {"total": sum(counts.values()), "by_type": dict(counts)}
''')

TESTS = Template('''\
"""$name: the contract, and the tool through a real MCP session against the sandbox."""

import auth0_mcp_$name.plugin as plugin_module
from auth0_mcp.testing import Harness
from auth0_mcp.testing.contract import ToolFamilyContract


class TestContract(ToolFamilyContract):
    plugin = plugin_module


async def test_counts_match_the_tenant(auth0_mcp: Harness):
    clients = auth0_mcp.sandbox.tenant.collection("clients").values()
    expected = sum(1 for c in clients if c.get("app_type") == "spa")
    data = await auth0_mcp.call_ok("auth0_count_${name}_applications", {"app_type": "spa"})
    assert data["total"] == expected


async def test_the_tool_is_listed(auth0_mcp: Harness):
    async with auth0_mcp.session() as client:
        names = {t.name for t in (await client.list_tools()).tools}
    assert "auth0_count_${name}_applications" in names
''')

README = Template('''\
# auth0-mcp-$dash

An auth0-mcp tool family.

| tool | what it does | read-only | scopes |
|---|---|---|---|
| `auth0_count_${name}_applications` | count applications by type | yes | read:clients |

Develop: `pip install -e '.[test]' && pytest`
''')


def new_plugin(name: str, parent: Path) -> Path:
    """Write ``auth0-mcp-<name>/`` under ``parent``; refuses to overwrite anything."""
    if not NAME.match(name):
        raise SetupError(f"plugin name {name!r} must be lower-case letters, digits and _")
    dash = name.replace("_", "-")
    root = parent / f"auth0-mcp-{dash}"
    if root.exists():
        raise SetupError(f"{root} already exists")
    major, minor = (int(p) for p in __version__.split(".")[:2])
    values = {"name": name, "dash": dash, "core_minor": f"{major}.{minor}",
              "core_next": f"{major}.{minor + 1}"}
    package = root / "src" / f"auth0_mcp_{name}"
    files = {
        root / "pyproject.toml": PYPROJECT,
        root / "README.md": README,
        package / "__init__.py": Template('"""$name tools for auth0-mcp."""\n'),
        package / "plugin.py": PLUGIN,
        package / "tools.py": TOOLS,
        root / "tests" / f"test_{name}.py": TESTS,
    }
    for path, template in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(template.substitute(values), encoding="utf-8")
    return root
