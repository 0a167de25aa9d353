"""Logins in the OS keyring (here the test kit's in-memory backend): one entry per profile
under the service ``auth0-mcp``, an index of profile names, nothing left after delete."""

from __future__ import annotations

import subprocess
import sys

import keyring
import pytest

from auth0_mcp.auth.store import SERVICE, FileStore, KeyringStore, NoKeyringError, StoredLogin
from auth0_mcp.errors import SetupError


def test_profiles_side_by_side_in_the_keyring(memory_keyring):
    store = KeyringStore()
    store.save(StoredLogin("dev", "device", "dev.eu.auth0.com", "tok-dev", 1e10, ["read:logs"],
                       refresh_token="rt-dev", auth_server="https://auth0.auth0.com"))
    store.save(StoredLogin("prod", "client_credentials", "prod.us.auth0.com", "tok-prod", 1e10,
                       client_id="cid", client_secret="shh"))
    assert store.names() == ["dev", "prod"]
    assert store.load("dev").refresh_token == "rt-dev"
    assert store.load("prod").client_secret == "shh"
    assert {service for service, _ in memory_keyring.entries} == {SERVICE}
    assert store.delete("dev") and not store.delete("dev")
    assert store.names() == ["prod"] and store.load("dev") is None


def test_no_backend_is_a_clear_error():
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        with pytest.raises(NoKeyringError, match="--credentials-file"):
            KeyringStore()
    finally:
        keyring.set_keyring(previous)


SAVER = """
import sys
from pathlib import Path
from auth0_mcp.auth.store import FileStore, StoredLogin
store = FileStore(Path(sys.argv[1]))
for n in range(15):
    store.save(StoredLogin(f"{sys.argv[2]}-{n}", "device", "t.eu.auth0.com", "tok", 1e10))
"""


def test_processes_saving_into_one_file_keep_every_profile(tmp_path):
    """Six writers at once: each save reads, merges and replaces the file under a lock."""
    path = tmp_path / "creds.json"
    procs = [subprocess.Popen([sys.executable, "-c", SAVER, str(path), f"w{i}"])
             for i in range(6)]
    assert all(proc.wait(timeout=60) == 0 for proc in procs)
    assert len(FileStore(path).names()) == 6 * 15


def test_a_file_others_can_read_is_refused_with_the_fix(tmp_path):
    path = tmp_path / "creds.json"
    store = FileStore(path)
    store.save(StoredLogin("p", "device", "t.eu.auth0.com", "tok", 1e10))
    assert path.stat().st_mode & 0o777 == 0o600
    path.chmod(0o640)
    with pytest.raises(SetupError, match=f"chmod 600 {path}"):
        store.load("p")
