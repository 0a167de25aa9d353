"""The audit journal: one hash-chained JSON line per tool call, refused calls included.

Each entry carries the previous line's hash and its own (SHA-256 over the canonical entry
without ``hash``), so ``verify`` finds a line that was edited, removed or moved. Sinks are
pluggable (``JournalSink``): a file per profile (stdio and remote ``--audit-log``), memory
(tests, embedding), others (stdout JSON lines for a log collector).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol

GENESIS = "0" * 64
# Where a result's _meta carries the journal's id of the call (undo, audit show): here, a
# stdlib-only module, so the stdio fast path and the SDK server share it.
CALL_ID = "auth0-mcp/call_id"


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str)


def digest(value: Any) -> str:
    return hashlib.sha256(canonical(value).encode()).hexdigest()


class JournalSink(Protocol):
    def append(self, entry: Mapping[str, Any]) -> dict[str, Any]:
        """Chain ``entry`` (adds ``seq``, ``prev``, ``hash``), store it, return it."""
        ...

    def entries(self) -> Iterator[dict[str, Any]]:
        """Every stored entry, oldest first (empty for write-only sinks)."""
        ...

    def close(self) -> None: ...


def seal(entry: Mapping[str, Any], seq: int, prev: str) -> dict[str, Any]:
    chained = {**entry, "seq": seq, "prev": prev}
    chained["hash"] = digest(chained)
    return chained


class MemoryJournal:
    def __init__(self) -> None:
        self.lines: list[dict[str, Any]] = []

    def append(self, entry: Mapping[str, Any]) -> dict[str, Any]:
        prev = self.lines[-1]["hash"] if self.lines else GENESIS
        sealed = seal(entry, len(self.lines) + 1, prev)
        self.lines.append(sealed)
        return sealed

    def entries(self) -> Iterator[dict[str, Any]]:
        return iter(list(self.lines))

    def close(self) -> None:
        return None


class FileJournal:
    """An append-only JSON-lines file (0600), chained from its last line; a lock file keeps
    two processes on one profile from forking the chain."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._lock = threading.Lock()
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        self._stream = os.fdopen(fd, "a", encoding="utf-8")
        self._tail: tuple[int, int, str] | None = None  # (file size, seq, hash) we wrote last

    def _last(self) -> tuple[int, str]:
        last = None
        with contextlib.suppress(FileNotFoundError), self.path.open("rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - 65536))
            tail = f.read().splitlines()
            last = tail[-1] if tail else None
        if not last:
            return 0, GENESIS
        try:
            entry = json.loads(last)
            return int(entry["seq"]), str(entry["hash"])
        except (ValueError, KeyError, TypeError):
            return 0, digest(last.decode("utf-8", "replace"))  # chain on from a damaged tail

    def append(self, entry: Mapping[str, Any]) -> dict[str, Any]:
        with self._lock, _flocked(self._stream):
            size = os.fstat(self._stream.fileno()).st_size
            if self._tail is not None and self._tail[0] == size:
                seq, prev = self._tail[1], self._tail[2]  # nobody else appended since
            else:
                seq, prev = self._last()
            sealed = seal(entry, seq + 1, prev)
            self._stream.write(canonical(sealed) + "\n")
            self._stream.flush()
            self._tail = (os.fstat(self._stream.fileno()).st_size, seq + 1, sealed["hash"])
        return sealed

    def entries(self) -> Iterator[dict[str, Any]]:
        return read_entries(self.path)

    def close(self) -> None:
        self._stream.close()


class StreamJournal:
    """Chained JSON lines to a stream (stderr by default): for collectors that read logs."""

    def __init__(self, stream: Any = None) -> None:
        self._stream = stream or sys.stderr
        self._memory = MemoryJournal()

    def append(self, entry: Mapping[str, Any]) -> dict[str, Any]:
        sealed = self._memory.append(entry)
        self._memory.lines[-1:] = [{"seq": sealed["seq"], "hash": sealed["hash"]}]
        self._stream.write(canonical(sealed) + "\n")
        self._stream.flush()
        return sealed

    def entries(self) -> Iterator[dict[str, Any]]:
        return iter(())

    def close(self) -> None:
        return None


@contextlib.contextmanager
def _flocked(stream: Any) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # Windows: the in-process lock is all there is
        yield
        return
    fcntl.flock(stream.fileno(), fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(stream.fileno(), fcntl.LOCK_UN)


def read_entries(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if line.strip():
                try:
                    yield json.loads(line)
                except ValueError:
                    yield {"seq": None, "unparsable_line": number}


def verify(entries: Iterable[Mapping[str, Any]]) -> list[str]:
    """Problems found in the chain (empty: intact): edited, removed or reordered lines."""
    problems: list[str] = []
    prev, expected_seq = GENESIS, 1
    for number, entry in enumerate(entries, 1):
        if "unparsable_line" in entry:
            problems.append(f"line {number}: not JSON")
            prev = ""
            continue
        body = {k: v for k, v in entry.items() if k != "hash"}
        if digest(body) != entry.get("hash"):
            problems.append(f"line {number} (seq {entry.get('seq')}): edited (hash mismatch)")
        if entry.get("prev") != prev:
            problems.append(f"line {number} (seq {entry.get('seq')}): does not follow the line "
                            "before it (a line was removed or moved)")
        if entry.get("seq") != expected_seq:
            problems.append(f"line {number}: seq {entry.get('seq')}, expected {expected_seq}")
        prev = str(entry.get("hash"))
        seq = entry.get("seq")
        expected_seq = (seq if isinstance(seq, int) else expected_seq) + 1
    return problems


def default_path(profile: str, env: Mapping[str, str] | None = None) -> Path:
    """``AUTH0_MCP_JOURNAL_DIR``, else the platform's user data directory, one file per
    profile."""
    env = os.environ if env is None else env
    base = env.get("AUTH0_MCP_JOURNAL_DIR")
    if base:
        root = Path(base)
    elif sys.platform == "win32":
        root = Path(env.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local") / "auth0-mcp"
    elif sys.platform == "darwin":
        root = Path.home() / "Library" / "Application Support" / "auth0-mcp"
    else:
        root = Path(env.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "auth0-mcp"
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in profile) or "default"
    return root / "journal" / f"{safe}.jsonl"


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
