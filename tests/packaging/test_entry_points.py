"""Plugins discovered through real entry points, in a fresh virtual environment.

Each test installs the core (editable) and small plugin distributions written on the fly into a
temporary venv with uv, then runs the installed ``auth0-mcp`` command as a user would.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.packaging  # wheels and fresh environments: pytest -m packaging

ROOT = Path(__file__).resolve().parents[2]
_LOCAL_UV = Path(sys.executable).parent / "uv"  # from the dev dependency group
UV = str(_LOCAL_UV) if _LOCAL_UV.exists() else (shutil.which("uv") or "uv")

PLUGIN_CODE = '''
import attrs
from auth0_mcp import arg, hookimpl, tool

@attrs.frozen
class Args:
    user_id: str = arg(description="user id", minLength=1)

@tool(name="auth0_get_{noun}", title="Get {noun}", read_only=True, scopes=["read:users"])
async def get_thing(ctx, args: Args):
    """Get one {noun}."""
    return await ctx.api.get("/users/" + args.user_id)

@hookimpl
def auth0_mcp_register_tools():
    return [get_thing]
'''


def make_plugin(base: Path, dist: str, ep_name: str, package: str, code: str) -> Path:
    src = base / dist
    (src / package).mkdir(parents=True)
    (src / package / "__init__.py").write_text("")
    (src / package / "plugin.py").write_text(code)
    (src / "pyproject.toml").write_text(textwrap.dedent(f"""
        [project]
        name = "{dist}"
        version = "1.0"
        dependencies = []
        [project.entry-points.auth0_mcp]
        {ep_name} = "{package}.plugin"
        [build-system]
        requires = ["hatchling"]
        build-backend = "hatchling.build"
        [tool.hatch.build.targets.wheel]
        packages = ["{package}"]
    """))
    return src


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("venv") / "v"
    subprocess.run([UV, "venv", "-q", str(path)], check=True)
    subprocess.run([UV, "pip", "install", "-q", "--python", str(path / "bin/python"),
                    "-e", str(ROOT / "core")], check=True)
    return path


def install(venv: Path, *paths: Path) -> None:
    subprocess.run([UV, "pip", "install", "-q", "--python", str(venv / "bin/python"),
                    *map(str, paths)], check=True)


def uninstall(venv: Path, *names: str) -> None:
    subprocess.run([UV, "pip", "uninstall", "-q", "--python", str(venv / "bin/python"),
                    *names], check=True)


def cli(venv: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(venv / "bin/auth0-mcp"), *args], capture_output=True, text=True,
                          timeout=60)


def test_core_alone_lists_no_tools_and_says_how_to_install(venv: Path):
    result = cli(venv, "tools", "list")
    assert result.returncode == 0
    assert "No tools installed" in result.stdout and "auth0-mcp[all]" in result.stdout


def test_plugin_via_entry_point_appears_and_broken_one_is_skipped(venv: Path, tmp_path: Path):
    good = make_plugin(tmp_path, "acme-users", "acme_users", "acme_users",
                       PLUGIN_CODE.format(noun="acme_user"))
    broken = make_plugin(tmp_path, "acme-broken", "acme_broken", "acme_broken",
                         "raise RuntimeError('this plugin is broken')\n")
    install(venv, good, broken)
    try:
        listed = cli(venv, "tools", "list", "--json")
        assert listed.returncode == 0, listed.stderr
        tools = json.loads(listed.stdout)["tools"]
        assert [(t["name"], t["plugin"]) for t in tools] == [("auth0_get_acme_user",
                                                              "acme_users")]
        assert "acme_broken" in listed.stderr and "this plugin is broken" in listed.stderr
        plugins = json.loads(cli(venv, "plugins", "list", "--json").stdout)
        state = {p["name"]: (p["loaded"], p["reason"]) for p in plugins}
        assert state["acme_users"] == (True, None)
        assert state["acme_broken"][0] is False
        strict = cli(venv, "tools", "list", "--strict-plugins")
        assert strict.returncode != 0 and "acme_broken" in strict.stderr
        blocked = cli(venv, "tools", "list", "--json", "--exclude-plugins", "acme_broken")
        assert "broken" not in blocked.stderr
    finally:
        uninstall(venv, "acme-users", "acme-broken")


def test_duplicate_plugin_name_fails_naming_both_distributions(venv: Path, tmp_path: Path):
    one = make_plugin(tmp_path, "dup-one", "dupe", "dup_one", PLUGIN_CODE.format(noun="one"))
    two = make_plugin(tmp_path, "dup-two", "dupe", "dup_two", PLUGIN_CODE.format(noun="two"))
    install(venv, one, two)
    try:
        result = cli(venv, "tools", "list")
        assert result.returncode != 0
        assert "dup-one" in result.stderr and "dup-two" in result.stderr
        assert result.stderr.count("\n") <= 2  # one line, not a traceback
    finally:
        uninstall(venv, "dup-one", "dup-two")
