"""A real Redis (or Valkey) server for tests: a free loopback port, a private directory, no
persistence; stopped, and restarted on the same port, on demand."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

from .processes import free_port

REQUIRE_ENV = "AUTH0_MCP_REQUIRE_REDIS"


def redis_server_binary() -> str | None:
    return shutil.which("redis-server") or shutil.which("valkey-server")


def missing_reason() -> str:
    return ("redis-server (or valkey-server) is not on PATH: `apt-get install redis-server` "
            f"to run the shared-state tests ({REQUIRE_ENV}=1 makes this a failure, as in CI)")


class RedisServer:
    def __init__(self, workdir: Path, binary: str | None = None) -> None:
        self.binary = binary or redis_server_binary() or "redis-server"
        self.workdir = workdir
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self.proc = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir",
             str(self.workdir), "--save", "", "--appendonly", "no", "--protected-mode", "yes"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            cwd=self.workdir, env={k: v for k, v in os.environ.items()})
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.command("PING") == "+PONG":
                return self
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.binary} exited with {self.proc.returncode}")
            time.sleep(0.05)
        raise RuntimeError(f"{self.binary} did not answer on port {self.port}")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None

    def command(self, *words: str) -> str | None:
        """One inline command, its first reply line (or None when nothing answers)."""
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=2) as s:
                s.sendall((" ".join(words) + "\r\n").encode())
                return s.recv(65536).decode().split("\r\n", 1)[0]
        except OSError:
            return None

    def info(self, section: str) -> dict[str, str]:
        """``INFO section`` as a dict (``commandstats``: cmdstat_evalsha -> "calls=3,...")."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=2) as s:
            s.sendall(f"INFO {section}\r\n".encode())
            data = b""
            while b"\r\n" not in data:
                data += s.recv(65536)
            header, body = data.split(b"\r\n", 1)
            while len(body) < int(header[1:]):
                body += s.recv(65536)
        return dict(line.split(":", 1) for line in body.decode().split("\r\n") if ":" in line)

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
