"""Files auth0-mcp writes for the user (credentials, MCP client configuration): replaced
atomically, never through a link, private where they hold secrets, and locked while several
processes read, merge and write the same one."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .errors import SetupError


def atomic_write(path: Path, text: str, *, mode: int | None = None,
                 backup: bool = False) -> Path | None:
    """Replace ``path`` with ``text`` in one step (readers see the old or the new file, never
    half of one). ``mode`` defaults to the previous file's (0600 for a new file). With
    ``backup`` the previous content is kept as ``<file>.bak``, which is returned. A link at
    either name is replaced, never written through."""
    path.parent.mkdir(parents=True, exist_ok=True)
    saved = None
    previous_mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else None
    if backup and previous_mode is not None:
        saved = path.with_name(path.name + ".bak")
        _replace(saved, path.read_bytes(), previous_mode)
    _replace(path, text.encode("utf-8"), mode if mode is not None else previous_mode)
    return saved


def _replace(path: Path, data: bytes, mode: int | None) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # created 0600
    try:
        if mode is not None and hasattr(os, "fchmod"):
            os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``<file>.lock`` (POSIX ``flock``) for a read-merge-write of
    ``path``, so parallel writers each add their part instead of the last one winning."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # Windows: os.replace is atomic; parallel merges are not serialized
        yield
        return
    fd = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def ensure_private(path: Path) -> None:
    """Refuse a secrets file that others can read, as ssh does with keys."""
    if os.name != "posix" or not path.exists():
        return
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise SetupError(
            f"{path} is readable by others (mode {mode:04o}) and holds secrets; refusing to use "
            f"it. Make it private with `chmod 600 {path}` and run again.")
