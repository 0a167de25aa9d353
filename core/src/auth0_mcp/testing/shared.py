"""Where tests find the shared reference material (recorded Auth0 interactions, the OpenAPI
document): beside the checkout (``<repo>/../shared``, or a folder above it for worktrees),
or where ``AUTH0_MCP_SHARED`` / ``AUTH0_MCP_FIXTURES`` say. Tests that need it skip cleanly
when it is absent (a wheel installed elsewhere, a fresh clone without it)."""

from __future__ import annotations

import os
from pathlib import Path


def shared_dir() -> Path | None:
    """The ``shared`` folder, or None."""
    if env := os.environ.get("AUTH0_MCP_SHARED"):
        return Path(env)
    for start in (Path(__file__).resolve(), Path.cwd().resolve()):
        for folder in start.parents:
            candidate = folder / "shared"
            if (candidate / "fixtures").is_dir() or (candidate / "reference").is_dir():
                return candidate
    return None


def shared_path(*parts: str) -> Path:
    """A path under the shared folder (it may not exist: check before use)."""
    base = shared_dir() or Path(__file__).resolve().parents[4].parent / "shared"
    return base.joinpath(*parts)


def fixtures_dir() -> Path:
    """Recorded Auth0 interactions (``$AUTH0_MCP_FIXTURES`` wins)."""
    if env := os.environ.get("AUTH0_MCP_FIXTURES"):
        return Path(env)
    return shared_path("fixtures", "auth0")
