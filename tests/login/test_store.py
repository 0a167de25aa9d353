"""Logins in the OS keyring (here the test kit's in-memory backend): one entry per profile
under the service ``auth0-mcp``, an index of profile names, nothing left after delete."""

from __future__ import annotations

import keyring
import pytest

from auth0_mcp.auth.store import SERVICE, KeyringStore, NoKeyringError, Profile


def test_profiles_side_by_side_in_the_keyring(memory_keyring):
    store = KeyringStore()
    store.save(Profile("dev", "device", "dev.eu.auth0.com", "tok-dev", 1e10, ["read:logs"],
                       refresh_token="rt-dev", auth_server="https://auth0.auth0.com"))
    store.save(Profile("prod", "client_credentials", "prod.us.auth0.com", "tok-prod", 1e10,
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
