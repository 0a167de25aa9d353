"""Each distribution's README is its page on the package index: it must stand on its own (say
what the package is and how to install it, and link only by absolute URL)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from .conftest import ROOT

PROJECT_URL = "https://github.com/auth0-mcp/auth0-mcp"
# Published: the core, the sandbox framework (once it is a distribution), every family, and the
# third-party example (its README is what plugin authors copy).
DISTRIBUTIONS = [p.parent for pattern in ("core", "sandbox", "plugins/*", "examples/*")
                 for p in sorted(ROOT.glob(f"{pattern}/pyproject.toml"))]
_LINK = re.compile(r"\]\(([^)\s]+)\)")


@pytest.mark.parametrize("folder", DISTRIBUTIONS, ids=lambda p: str(p.relative_to(ROOT)))
def test_readme_stands_on_its_own(folder: Path):
    project = tomllib.loads((folder / "pyproject.toml").read_text())["project"]
    readme = (folder / project["readme"]).read_text()
    assert readme.startswith(f"# {project['name']}\n")
    assert len(readme.split()) > 60, "more than a heading: what it is, install, its tools"
    assert PROJECT_URL in readme
    assert "install" in readme.lower()
    relative = [t for t in _LINK.findall(readme) if not t.startswith(("https://", "http://", "#"))]
    assert relative == [], "relative links break on the package index"


def test_readme_shows_every_install_path():
    install = (ROOT / "README.md").read_text().split("## Install\n", 1)[1].split("\n## ", 1)[0]
    for path in ("uvx --from 'auth0-mcp[all]'", "pip install 'auth0-mcp[all]'",
                 "pip install 'auth0-mcp[applications,logs]'", ".mcpb", "docker run",
                 "io.github.auth0-mcp/auth0-mcp"):
        assert path in install, path
    assert len(install.splitlines()) < 40, "a few lines, not a manual"


def test_first_example_prompt_creates_something_new_in_the_demo_tenant(sandbox):
    """Following the README on the sandbox must not make a duplicate of a seeded app."""
    readme = (ROOT / "README.md").read_text()
    name = re.search(r'\*"Create a [\w-]+ application called (\w+)', readme)
    assert name, "the README's first prompt creates an application"
    seeded = {c["name"] for c in sandbox.tenant.collection("clients").values()}
    assert "Storefront" in seeded and name.group(1) not in seeded
