"""One version for everything a release publishes: every distribution, the registry entry, the
MCPB manifest and the bundle's pin, and the top of CHANGELOG.md. A release bumps them together
or this fails."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

from .conftest import ROOT

# Published together: the core, the sandbox framework once it is its own distribution, and
# every first-party family.
DISTRIBUTIONS = [p for pattern in ("core", "sandbox", "plugins/*")
                 for p in sorted(ROOT.glob(f"{pattern}/pyproject.toml"))]


def project(path: Path) -> dict:
    return tomllib.loads(path.read_text())["project"]


def versions() -> dict[str, str]:
    found = {str(p.relative_to(ROOT)): project(p)["version"] for p in DISTRIBUTIONS}
    server = json.loads((ROOT / "server.json").read_text())
    found["server.json"] = server["version"]
    for i, package in enumerate(server["packages"]):
        found[f"server.json packages[{i}]"] = package["version"]
    found["mcpb/manifest.json"] = json.loads((ROOT / "mcpb" / "manifest.json").read_text())[
        "version"]
    found["mcpb/pyproject.toml"] = project(ROOT / "mcpb" / "pyproject.toml")["version"]
    (pin,) = project(ROOT / "mcpb" / "pyproject.toml")["dependencies"]
    found["mcpb/pyproject.toml dependency"] = pin.split("==")[1]
    release = re.search(r"^## \[?(\d[^\]\s]*)", (ROOT / "CHANGELOG.md").read_text(), re.M)
    assert release, "CHANGELOG.md has a '## <version>' section"
    found["CHANGELOG.md"] = release.group(1)
    return found


def test_every_published_thing_has_one_version():
    found = versions()
    assert len(DISTRIBUTIONS) >= 6  # core and the five families at least
    assert len(set(found.values())) == 1, found


def test_families_accept_the_core_they_ship_with():
    """A family's ``auth0-mcp>=X,<Y`` range must include the core released with it."""
    from packaging.requirements import Requirement

    core = project(ROOT / "core" / "pyproject.toml")["version"]
    for path in DISTRIBUTIONS[1:]:
        for requirement in map(Requirement, project(path).get("dependencies", [])):
            if requirement.name == "auth0-mcp":
                assert requirement.specifier.contains(core), (path, str(requirement))
