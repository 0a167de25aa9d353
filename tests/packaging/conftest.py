"""Shared by the publishing tests: the workspace's wheels, built once per session."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from auth0_mcp.testing.processes import UV

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A folder of wheels of every workspace distribution, as a release builds them."""
    out = tmp_path_factory.mktemp("wheels")
    subprocess.run([UV, "build", "--all-packages", "--wheel", "-q", "-o", str(out)], cwd=ROOT,
                   check=True)
    yield out
