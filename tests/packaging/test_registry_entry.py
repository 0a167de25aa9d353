"""The MCP registry entry (server.json): valid against the registry's published schema, vendored
in docs/schemas, and saying what a client needs to start the server."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema

from .conftest import ROOT

SCHEMA = ROOT / "docs" / "schemas" / "server.schema.2025-12-11.json"
NAME = "io.github.auth0-mcp/auth0-mcp"


def load(path: Path) -> dict:
    return json.loads(path.read_text())


def test_server_json_is_valid_against_the_published_schema():
    schema = load(SCHEMA)
    entry = load(ROOT / "server.json")
    assert entry["$schema"] == schema["$id"]
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
              for e in validator.iter_errors(entry)]
    assert errors == []


def test_the_schema_catches_a_broken_entry():
    """The validation above can fail: the vendored schema rejects what the registry rejects."""
    schema = load(SCHEMA)
    entry = load(ROOT / "server.json")
    entry["name"] = "auth0-mcp"  # no namespace
    del entry["packages"][0]["transport"]
    assert len(list(jsonschema.Draft7Validator(schema).iter_errors(entry))) == 2


def test_pypi_package_runs_over_stdio_with_secrets_marked():
    entry = load(ROOT / "server.json")
    assert entry["name"] == NAME
    (pypi,) = [p for p in entry["packages"] if p["registryType"] == "pypi"]
    assert (pypi["identifier"], pypi["runtimeHint"], pypi["transport"]) == \
        ("auth0-mcp", "uvx", {"type": "stdio"})
    env = {v["name"]: v for v in pypi["environmentVariables"]}
    assert set(env) == {"AUTH0_DOMAIN", "AUTH0_CLIENT_ID", "AUTH0_CLIENT_SECRET", "AUTH0_TOKEN",
                        "AUTH0_MCP_TOOLS", "AUTH0_MCP_READ_ONLY", "AUTH0_MCP_CONFIRM"}
    assert {n for n, v in env.items() if v.get("isSecret")} == {"AUTH0_CLIENT_SECRET",
                                                                "AUTH0_TOKEN"}
    (remote,) = entry["remotes"]
    assert remote["type"] == "streamable-http" and remote["url"].endswith("/mcp")


def test_readmes_carry_the_ownership_marker():
    """The registry verifies a PyPI package by ``mcp-name:`` in its description (core's
    README); the repository README carries it too."""
    for readme in (ROOT / "README.md", ROOT / "core" / "README.md"):
        assert re.search(rf"mcp-name: {re.escape(NAME)}\b", readme.read_text()), readme
