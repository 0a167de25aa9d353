"""Where logins are kept: the OS keyring (service ``auth0-mcp``, one entry per named profile),
or, only when asked for explicitly, a JSON file with owner-only permissions.

Never a silent plaintext fallback: without a keyring backend the error says so and names the
``--credentials-file`` / ``AUTH0_MCP_CREDENTIALS_FILE`` alternative.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Protocol

import attrs
import cattrs

from ..errors import SetupError
from ..files import atomic_write, ensure_private, locked

SERVICE = "auth0-mcp"
INDEX = "profiles"


class NoKeyringError(SetupError):
    """No usable OS keyring (headless Linux, containers, CI)."""


@attrs.define
class StoredLogin:
    """One stored login. ``kind`` is ``device`` (refresh token) or ``client_credentials``
    (client id and secret, so the server re-mints tokens)."""

    name: str
    kind: str
    domain: str  # host, or http://127.0.0.1:port for the sandbox
    access_token: str = attrs.field(repr=False)
    expires_at: float
    scopes: list[str] = attrs.field(factory=list)
    refresh_token: str | None = attrs.field(default=None, repr=False)
    client_id: str | None = None
    client_secret: str | None = attrs.field(default=None, repr=False)
    auth_server: str | None = None  # where device-flow tokens are refreshed and revoked
    confirm: str | None = None  # the confirmation policy chosen at init (safety/confirm.py)


_converter = cattrs.Converter()


class Store(Protocol):
    def load(self, name: str) -> StoredLogin | None: ...
    def save(self, profile: StoredLogin) -> None: ...
    def delete(self, name: str) -> bool: ...
    def names(self) -> list[str]: ...


class KeyringStore:
    def __init__(self) -> None:
        import keyring
        from keyring.backends import fail

        backend = keyring.get_keyring()
        if isinstance(backend, fail.Keyring) or type(backend).__name__ == "NullKeyring":
            raise NoKeyringError(
                "no OS keyring backend is available here (headless Linux, container or CI). "
                "Store logins in a file instead, readable only by you: pass --credentials-file "
                "PATH (or set AUTH0_MCP_CREDENTIALS_FILE)")
        self._keyring = keyring

    def names(self) -> list[str]:
        raw = self._keyring.get_password(SERVICE, INDEX)
        return json.loads(raw) if raw else []

    def load(self, name: str) -> StoredLogin | None:
        raw = self._keyring.get_password(SERVICE, f"profile:{name}")
        return _converter.structure(json.loads(raw), StoredLogin) if raw else None

    def save(self, profile: StoredLogin) -> None:
        self._keyring.set_password(SERVICE, f"profile:{profile.name}",
                                   json.dumps(_converter.unstructure(profile)))
        names = self.names()
        if profile.name not in names:
            self._keyring.set_password(SERVICE, INDEX, json.dumps(sorted([*names,
                                                                          profile.name])))

    def delete(self, name: str) -> bool:
        if self.load(name) is None:
            return False
        self._keyring.delete_password(SERVICE, f"profile:{name}")
        self._keyring.set_password(SERVICE, INDEX,
                                   json.dumps([n for n in self.names() if n != name]))
        return True


class FileStore:
    """An explicit opt-in: a JSON file created 0600 and replaced atomically. A file others can
    read is refused (as ssh refuses such keys); each change is a read-merge-write under a
    lock, so parallel ``init``s into one file keep every profile."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _read(self) -> dict[str, Any]:
        if not self.path.exists():
            return {"profiles": {}}
        ensure_private(self.path)
        data = json.loads(self.path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {"profiles": {}}

    def _write(self, data: dict[str, Any]) -> None:
        atomic_write(self.path, json.dumps(data, indent=2), mode=0o600)

    def names(self) -> list[str]:
        return sorted(self._read().get("profiles", {}))

    def load(self, name: str) -> StoredLogin | None:
        raw = self._read().get("profiles", {}).get(name)
        return _converter.structure(raw, StoredLogin) if raw else None

    def save(self, profile: StoredLogin) -> None:
        with locked(self.path):
            data = self._read()
            data.setdefault("profiles", {})[profile.name] = _converter.unstructure(profile)
            self._write(data)

    def delete(self, name: str) -> bool:
        with locked(self.path):
            data = self._read()
            if name not in data.get("profiles", {}):
                return False
            del data["profiles"][name]
            self._write(data)
            return True


def open_store(credentials_file: Path | None = None) -> Store:
    path = credentials_file or (Path(p) if (p := os.environ.get(
        "AUTH0_MCP_CREDENTIALS_FILE")) else None)
    return FileStore(path) if path else KeyringStore()
