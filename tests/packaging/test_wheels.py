"""Packaging as users install it: built wheels (once per session, conftest.py), extras
choosing families, and each family's tests passing with only the core and that family
installed."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from auth0_mcp.testing.processes import UV

from .conftest import ROOT

pytestmark = pytest.mark.packaging  # wheels and fresh environments: pytest -m packaging

FAMILIES = {"applications": "applications", "resource_servers": "resource-servers",
            "actions": "actions", "logs": "logs", "forms": "forms", "users": "users",
            "connections": "connections", "roles": "roles", "organizations": "organizations"}


def venv_with(tmp: Path, wheels: Path, *requirements: str) -> Path:
    env = tmp / "venv"
    subprocess.run([UV, "venv", "-q", str(env)], check=True)
    subprocess.run([UV, "pip", "install", "-q", "--python", str(env / "bin/python"),
                    "--find-links", str(wheels), *requirements], check=True)
    return env


def listed_families(env: Path) -> set[str]:
    """The extras' names of the families ``tools list`` shows, after a clean plugin load."""
    listed = subprocess.run([str(env / "bin/auth0-mcp"), "tools", "list", "--json"],
                            capture_output=True, text=True, timeout=60)
    assert listed.returncode == 0, listed.stderr
    assert "skipping" not in listed.stderr
    # core adds auth0_undo beside the families' writes
    return {FAMILIES[t["plugin"]] for t in json.loads(listed.stdout)["tools"]
            if t["plugin"] != "core"}


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_each_family_installs_alone_and_passes_its_tests(family: str, wheels: Path,
                                                        tmp_path: Path):
    """One venv per family (its extra, plus testing): exactly that family is installed, and
    its tests pass against the sandbox with only its own emulator."""
    dist = FAMILIES[family]
    env = venv_with(tmp_path, wheels, f"auth0-mcp[{dist},testing]==0.1.0")
    assert listed_families(env) == {dist}
    tests = ROOT / "plugins" / family / "tests"
    (tmp_path / "none.ini").write_text("[pytest]\n")  # keep the workspace's config out
    result = subprocess.run(
        [str(env / "bin/python"), "-m", "pytest", str(tests), "-q", "-p", "auth0_mcp.testing",
         "-o", "anyio_mode=auto", "--import-mode=importlib", "-c", str(tmp_path / "none.ini"),
         "--rootdir", str(tmp_path), "-p", "no:cacheprovider"],
        capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert " passed" in result.stdout


@pytest.mark.parametrize("extras", [("actions", "logs"), ("users", "organizations")])
def test_two_extras_without_the_sandbox(extras: tuple[str, str], wheels: Path, tmp_path: Path):
    """``auth0-mcp[actions,logs]``, ``auth0-mcp[users,organizations]``: exactly those
    families, and their plugins load without the sandbox (emulators are imported only when a
    sandbox starts); asking for a sandbox answers one line naming the extra, exit 2."""
    env = venv_with(tmp_path, wheels, f"auth0-mcp[{','.join(extras)}]==0.1.0")
    exe = str(env / "bin/auth0-mcp")
    probe = subprocess.run([str(env / "bin/python"), "-c", "import auth0_mcp_sandbox"],
                           capture_output=True, text=True)
    assert probe.returncode != 0 and "auth0_mcp_sandbox" in probe.stderr
    assert listed_families(env) == set(extras)
    for argv in (["run", "--sandbox"], ["sandbox", "--port", "0"]):
        result = subprocess.run([exe, *argv], capture_output=True, text=True, timeout=60,
                                stdin=subprocess.DEVNULL)
        assert result.returncode == 2, (argv, result.stderr)
        assert result.stdout == ""
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, (argv, result.stderr)
        assert "pip install 'auth0-mcp[sandbox]'" in lines[0]
