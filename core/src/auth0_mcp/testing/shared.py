"""Where tests find the shared reference material (recorded Auth0 interactions, the OpenAPI
document): beside the checkout (``<repo>/../shared``, or a folder above it for worktrees),
or where ``AUTH0_MCP_SHARED`` / ``AUTH0_MCP_FIXTURES`` say. Tests that need it skip cleanly
when it is absent (a wheel installed elsewhere, a fresh clone without it)."""

from __future__ import annotations

import os
from pathlib import Path


def shared_dir(near: str | Path | None = None) -> Path | None:
    """The ``shared`` folder, or None. ``near`` (a test's ``__file__``) is searched first: a
    family's tests run from an installed wheel still sit in the checkout."""
    if env := os.environ.get("AUTH0_MCP_SHARED"):
        return Path(env)
    starts = [Path(near).resolve()] if near else []
    for start in (*starts, Path(__file__).resolve(), Path.cwd().resolve()):
        for folder in start.parents:
            candidate = folder / "shared"
            if (candidate / "fixtures").is_dir() or (candidate / "reference").is_dir():
                return candidate
    return None


def shared_path(*parts: str, near: str | Path | None = None) -> Path:
    """A path under the shared folder (it may not exist: check before use)."""
    base = shared_dir(near) or Path(__file__).resolve().parents[4].parent / "shared"
    return base.joinpath(*parts)


def fixtures_dir(near: str | Path | None = None) -> Path:
    """Recorded Auth0 interactions (``$AUTH0_MCP_FIXTURES`` wins)."""
    if env := os.environ.get("AUTH0_MCP_FIXTURES"):
        return Path(env)
    return shared_path("fixtures", "auth0", near=near)
