"""A fresh clone's README commands: the first starts the server on the sandbox tenant (uv
builds the workspace from the lock) and answers MCP; the second is what .ci/run runs."""

from __future__ import annotations

import re
import shlex
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from mcp import Client

from auth0_mcp.testing.processes import CLEAN_ENV, free_port, stop, wait_until_up

from .conftest import ROOT

pytestmark = pytest.mark.packaging  # wheels and fresh environments: pytest -m packaging


def readme_commands() -> list[str]:
    """The commands of the README's "Fresh machine" section, without the uv install."""
    section = (ROOT / "README.md").read_text().split("## Fresh machine", 1)[1].split("\n## ")[0]
    blocks = re.findall(r"```bash\n(.*?)\n```", section, re.S)
    return [block.split(" && ")[-1] for block in blocks]


@pytest.fixture
def fresh_clone_serving(tmp_path: Path) -> Iterator[str]:
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    port = free_port()
    command = [*shlex.split(readme_commands()[0]), "--port", str(port)]
    env = {k: v for k, v in CLEAN_ENV.items() if k != "VIRTUAL_ENV"}
    proc = subprocess.Popen(command, cwd=clone, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    url = f"http://127.0.0.1:{port}/mcp"
    try:
        wait_until_up(url, proc, timeout=180)
        yield url
    finally:
        stop(proc)


def test_readme_commands_are_the_ones_ci_runs():
    serve, test = readme_commands()
    assert serve == "python3 -m uv run auth0-mcp run --sandbox --transport http"
    assert test in (ROOT / ".ci" / "run").read_text()


async def test_first_command_serves_mcp_from_a_fresh_clone(fresh_clone_serving: str):
    async with Client(fresh_clone_serving) as client:
        names = {t.name for t in (await client.list_tools()).tools}
    assert {"auth0_create_application", "auth0_search_logs"} <= names
