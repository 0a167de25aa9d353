"""``uvx --from 'auth0-mcp[all]' auth0-mcp run`` (what the README, the registry entry and MCP
clients' configs say) works from the built wheels: offline, using only uv's cache for the
third-party dependencies, and a real MCP session reaches the sandbox tenant."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters

from auth0_mcp.testing import structured
from auth0_mcp.testing.processes import CLEAN_ENV

from .conftest import ROOT, UV

pytestmark = pytest.mark.packaging  # wheels and fresh environments: pytest -m packaging


def registry_command() -> list[str]:
    """``uvx <runtimeArguments> auth0-mcp <packageArguments>`` from server.json's PyPI entry."""
    (pypi,) = [p for p in json.loads((ROOT / "server.json").read_text())["packages"]
               if p["registryType"] == "pypi"]
    runtime = [part for a in pypi["runtimeArguments"] for part in (a["name"], a["value"])]
    return [*runtime, pypi["identifier"], *(a["value"] for a in pypi["packageArguments"])]


async def test_uvx_from_built_wheels_serves_the_tools(wheels: Path):
    command = registry_command()
    version = tomllib.loads((ROOT / "core" / "pyproject.toml").read_text())["project"]["version"]
    assert command == ["--from", f"auth0-mcp[all]=={version}", "auth0-mcp", "run"]
    params = StdioServerParameters(
        command=UV, args=["tool", "run", "--isolated", "--offline", "--find-links",
                          str(wheels), *command, "--sandbox"],
        env={**CLEAN_ENV, "UV_NO_PROGRESS": "1"})
    async with Client(params, read_timeout_seconds=60) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        assert {"auth0_create_application", "auth0_search_logs", "auth0_deploy_action",
                "auth0_publish_form", "auth0_list_resource_servers"} <= names
        found = structured(await client.call_tool("auth0_list_applications", {}))
    assert found["applications"]
