"""Third-party families, the way their authors work: a generated plugin and the example log
streams family, each installed into a fresh venv next to auth0-mcp, running their own tests, and
visible in ``tools list`` and in an MCP session."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters

from auth0_mcp.testing import structured
from auth0_mcp.testing.processes import CLEAN_ENV, UV

pytestmark = pytest.mark.packaging  # wheels and fresh environments: pytest -m packaging

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    base = tmp_path_factory.mktemp("kit")
    env = base / "venv"
    subprocess.run([UV, "venv", "-q", str(env)], check=True)
    subprocess.run([UV, "pip", "install", "-q", "--python", str(env / "bin/python"),
                    "-e", f"{ROOT / 'core'}[testing]", "-e", str(ROOT / "sandbox"),
                    # the generated tool counts applications: its tests need their emulator
                    "-e", str(ROOT / "plugins" / "applications")], check=True)
    subprocess.run([str(env / "bin/auth0-mcp"), "plugin", "new", "acme", "--dir", str(base)],
                   check=True, capture_output=True)
    subprocess.run([UV, "pip", "install", "-q", "--python", str(env / "bin/python"),
                    "-e", str(base / "auth0-mcp-acme"),
                    "-e", str(ROOT / "examples" / "log_streams")], check=True)
    yield env


def run_tests(env: Path, project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(env / "bin/python"), "-m", "pytest", "-q", "-p",
                           "no:cacheprovider"], cwd=project, capture_output=True, text=True,
                          timeout=300)


def test_generated_plugin_tests_pass(venv: Path):
    project = venv.parent / "auth0-mcp-acme"
    result = run_tests(venv, project)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-1000:]
    assert " passed" in result.stdout


def test_example_family_tests_pass(venv: Path):
    result = run_tests(venv, ROOT / "examples" / "log_streams")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-1000:]
    assert " passed" in result.stdout


def test_third_party_tools_are_listed(venv: Path):
    listed = subprocess.run([str(venv / "bin/auth0-mcp"), "tools", "list", "--json"],
                            capture_output=True, text=True, timeout=60)
    tools = {t["name"]: t["plugin"] for t in json.loads(listed.stdout)["tools"]}
    assert tools["auth0_count_acme_applications"] == "acme"
    assert tools["auth0_create_log_stream"] == "log_streams"


async def test_third_party_tools_work_in_an_mcp_session(venv: Path):
    params = StdioServerParameters(command=str(venv / "bin/auth0-mcp"),
                                   args=["run", "--sandbox"], env=CLEAN_ENV)
    async with Client(params, read_timeout_seconds=60) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        assert {"auth0_count_acme_applications", "auth0_list_log_streams"} <= names
        counted = structured(await client.call_tool("auth0_count_acme_applications", {}))
        assert counted["total"] > 0
        streams = structured(await client.call_tool("auth0_list_log_streams", {}))
        assert {s["name"] for s in streams["log_streams"]} >= {"SIEM webhook"}
