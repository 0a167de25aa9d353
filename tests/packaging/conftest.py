"""Wheels of every workspace distribution, built once per test session, even when pytest-xdist
spreads the packaging tests over several worker processes (the first one builds, under a file
lock in the session's shared temporary directory; the others reuse its wheels)."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_LOCAL_UV = Path(sys.executable).parent / "uv"
UV = str(_LOCAL_UV) if _LOCAL_UV.exists() else "uv"


@pytest.fixture(scope="session")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # the directory all workers of this session share
    out = shared / "wheels"
    with open(shared / "wheels.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (out / ".built").exists():
            subprocess.run([UV, "build", "--all-packages", "--wheel", "-q", "-o", str(out)],
                           cwd=ROOT, check=True)
            (out / ".built").touch()
    return out
