"""The MCPB bundle (one-click install in Claude Desktop): its manifest is valid against the
v0.4 schema, mcpb/build.py packs it (with the official CLI when installed), and the bundled
server starts the way the host starts it, from the unpacked bundle with uv, and serves tools
from the sandbox tenant."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import zipfile
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters

from auth0_mcp.testing import structured
from auth0_mcp.testing.processes import CLEAN_ENV

from .conftest import ROOT, UV

pytestmark = pytest.mark.packaging  # wheels and fresh environments: pytest -m packaging

MANIFEST = ROOT / "mcpb" / "manifest.json"
_spec = importlib.util.spec_from_file_location("mcpb_build", ROOT / "mcpb" / "build.py")
assert _spec and _spec.loader
mcpb_build = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(mcpb_build)


def test_manifest_is_valid_against_the_v0_4_schema():
    schema = json.loads((ROOT / "docs" / "schemas" / "mcpb-manifest-v0.4.schema.json").read_text())
    manifest = json.loads(MANIFEST.read_text())
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())
    assert [e.message for e in validator.iter_errors(manifest)] == []
    assert manifest["manifest_version"] == "0.4" and manifest["server"]["type"] == "uv"
    config = manifest["user_config"]
    assert {k for k, v in config.items() if v.get("sensitive")} == {"client_secret"}
    assert {"domain", "client_id", "client_secret", "read_only", "tools"} <= set(config)
    used = set(re.findall(r"\$\{user_config\.(\w+)\}", json.dumps(manifest["server"])))
    assert used == set(config), "every option reaches the server, none is made up"


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require = os.environ.get("AUTH0_MCP_REQUIRE_MCPB") == "1"
    return mcpb_build.build(tmp_path_factory.mktemp("mcpb"), require_cli=require)


def test_build_packs_the_manifest_and_the_server(bundle: Path):
    with zipfile.ZipFile(bundle) as packed:
        assert {"manifest.json", "pyproject.toml", "src/server.py"} <= set(packed.namelist())
        assert json.loads(packed.read("manifest.json")) == json.loads(MANIFEST.read_text())


def host_command(manifest: dict[str, Any], where: Path, values: dict[str, str]) -> tuple:
    """What the host does with ``mcp_config``: substitute ``${__dirname}`` and
    ``${user_config.*}``."""

    def fill(text: str) -> str:
        text = text.replace("${__dirname}", str(where))
        return re.sub(r"\$\{user_config\.(\w+)\}", lambda m: values[m.group(1)], text)

    config = manifest["server"]["mcp_config"]
    return (config["command"], [fill(a) for a in config["args"]],
            {k: fill(v) for k, v in config["env"].items()})


async def test_bundled_server_starts_like_the_host_and_lists_tools(
        bundle: Path, wheels: Path, sandbox: Any, tmp_path: Path):
    unpacked = tmp_path / "bundle"
    with zipfile.ZipFile(bundle) as packed:
        packed.extractall(unpacked)
    manifest = json.loads((unpacked / "manifest.json").read_text())
    client_id, secret = sandbox.admin_credentials
    command, args, env = host_command(manifest, unpacked, {
        "domain": sandbox.base_url, "client_id": client_id, "client_secret": secret,
        "read_only": "true", "tools": "auth0_list_*,auth0_get_*"})
    assert command == "uv"
    # The host's uv installs auth0-mcp[all] from PyPI; here from the built wheels.
    env = {**CLEAN_ENV, **env, "UV_FIND_LINKS": str(wheels), "UV_NO_PROGRESS": "1"}
    params = StdioServerParameters(command=UV, args=args, env=env)
    async with Client(params, read_timeout_seconds=120) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        assert {"auth0_list_applications", "auth0_get_log", "auth0_list_actions"} <= names
        assert not any(n.startswith(("auth0_create_", "auth0_delete_")) for n in names)
        apps = structured(await client.call_tool("auth0_list_applications", {}))
    assert apps["applications"], "the tools reach the tenant the user configured"
