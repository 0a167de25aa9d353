"""stdin and stdout on the event loop: no worker thread per line read or written.

The SDK's stdio transport goes through ``anyio.wrap_file``: every line read, every write and
every flush is a hop to a worker thread and back, three per call. Here both ends are asyncio
pipes (``connect_read_pipe`` / ``connect_write_pipe``); a regular file (``run < calls.jsonl``
or ``> answers.jsonl``) is read or written directly, since a file never blocks. As in the SDK,
while serving fd 0 reads the null device and fd 1 goes to stderr, so a stray print or a child
process cannot corrupt the JSON-RPC stream; both are restored on exit.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import stat
from collections.abc import AsyncIterator

log = logging.getLogger("auth0_mcp")

LINE_LIMIT = 64 * 1024 * 1024  # one JSON-RPC message; the pipeline refuses big arguments sooner
CHUNK = 256 * 1024


class LineTooLong(Exception):
    """A line over LINE_LIMIT: it was skipped; the caller answers it."""


class _FileLines:
    """Lines from a descriptor that never blocks for long (a regular file)."""

    def __init__(self, fd: int, unread: bytes) -> None:
        self.fd = fd
        self.buffer = bytearray(unread)
        self.eof = False

    async def readline(self) -> bytes:
        while True:
            end = self.buffer.find(b"\n")
            if end >= 0 or self.eof:
                end = len(self.buffer) - 1 if end < 0 else end
                line = bytes(self.buffer[: end + 1])
                del self.buffer[: end + 1]
                return line
            chunk = os.read(self.fd, CHUNK)
            self.eof = not chunk
            self.buffer += chunk
            if len(self.buffer) > LINE_LIMIT and b"\n" not in self.buffer:
                self.buffer.clear()
                raise LineTooLong


class _PipeLines:
    def __init__(self, reader: asyncio.StreamReader) -> None:
        self.reader = reader

    async def readline(self) -> bytes:
        try:
            return await self.reader.readline()
        except ValueError:  # over the limit: asyncio has dropped the line (or what came yet)
            raise LineTooLong from None


class Wire:
    """Line-framed bytes in, whole messages out; writing after the client left is a no-op."""

    def __init__(self, lines: _FileLines | _PipeLines,
                 writer: asyncio.StreamWriter | None, out_fd: int) -> None:
        self._lines = lines
        self._writer = writer
        self._out_fd = out_fd
        self.gone = False

    async def readline(self) -> bytes:
        """The next line, b"" at the end of input; LineTooLong for a line over LINE_LIMIT."""
        return await self._lines.readline()

    async def write(self, data: bytes) -> None:
        if self.gone:
            return
        try:
            if self._writer is None:
                _write_all(self._out_fd, data)
            else:
                self._writer.write(data)
                await self._writer.drain()
        except (ConnectionError, OSError) as exc:
            self.gone = True
            log.info("the client stopped reading answers (%s)", type(exc).__name__)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _divert(fd: int, replacement: int) -> int:
    """Move ``fd``'s open file to a private descriptor and point ``fd`` at ``replacement``."""
    private = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 3)
    os.dup2(replacement, fd)
    os.close(replacement)
    return private


def _restore(fd: int, private: int) -> None:
    with contextlib.suppress(OSError):
        os.set_blocking(private, True)  # the description is shared: give it back as found
        os.dup2(private, fd)


def _is_file(fd: int) -> bool:
    return stat.S_ISREG(os.fstat(fd).st_mode)


@contextlib.asynccontextmanager
async def open_wire(unread: bytes = b"") -> AsyncIterator[Wire]:
    """stdin/stdout as a Wire; ``unread`` is input read already (by the early handshake) but
    not yet handled."""
    loop = asyncio.get_running_loop()
    fd_in = _divert(0, os.open(os.devnull, os.O_RDONLY))
    fd_out = _divert(1, os.dup(2))
    transports: list[asyncio.BaseTransport] = []
    try:
        if _is_file(fd_in):
            lines: _FileLines | _PipeLines = _FileLines(fd_in, unread)
        else:
            reader = asyncio.StreamReader(limit=LINE_LIMIT)
            if unread:
                reader.feed_data(unread)
            read_side, _ = await loop.connect_read_pipe(
                lambda: asyncio.StreamReaderProtocol(reader), os.fdopen(fd_in, "rb", 0,
                                                                       closefd=False))
            transports.append(read_side)
            lines = _PipeLines(reader)
        writer = None
        if not _is_file(fd_out):
            write_side, protocol = await loop.connect_write_pipe(
                asyncio.streams.FlowControlMixin, os.fdopen(fd_out, "wb", 0, closefd=False))
            transports.append(write_side)
            writer = asyncio.StreamWriter(write_side, protocol, None, loop)
        yield Wire(lines, writer, fd_out)
    finally:
        for transport in transports:
            transport.close()
        await asyncio.sleep(0)  # let the transports finish closing before the fds move
        _restore(0, fd_in)
        _restore(1, fd_out)
        for fd in (fd_in, fd_out):
            with contextlib.suppress(OSError):
                os.close(fd)
