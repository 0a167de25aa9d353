"""The test kit's in-memory keyring stands in for the OS keychain and is restored after."""

from __future__ import annotations

import keyring
import pytest
from keyring.errors import PasswordDeleteError


def test_memory_keyring_round_trip(memory_keyring):
    keyring.set_password("auth0-mcp", "default", "{}")
    assert keyring.get_password("auth0-mcp", "default") == "{}"
    assert memory_keyring.entries == {("auth0-mcp", "default"): "{}"}
    keyring.delete_password("auth0-mcp", "default")
    with pytest.raises(PasswordDeleteError):
        keyring.delete_password("auth0-mcp", "default")


def test_the_previous_backend_is_restored():
    from auth0_mcp.testing.memory_keyring import MemoryKeyring

    assert not isinstance(keyring.get_keyring(), MemoryKeyring)
