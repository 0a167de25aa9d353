"""--state: the tenant survives a restart (objects, log, signing key), even on another port."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from auth0_mcp_sandbox.server import SandboxServer


def test_state_round_trip_on_another_port(tmp_path: Path):
    state = tmp_path / "tenant.json"
    with SandboxServer(state_file=state) as first:
        client_id, secret = first.admin_credentials
        token = first.mint_token(["read:clients"], expires_in=600)
        created = httpx.post(f"{first.base_url}/api/v2/forms", json={"name": "Kept"},
                             headers={"authorization": "Bearer " + first.mint_token(
                                 ["create:forms"])})
        assert created.status_code == 201
        first_url = first.base_url
    saved = json.loads(state.read_text())
    assert saved["collections"]["forms"][created.json()["id"]]["name"] == "Kept"
    assert state.stat().st_mode & 0o777 == 0o600
    assert not list(tmp_path.glob("tenant.json?*"))  # no temp files left behind
    with SandboxServer(state_file=state) as second:
        assert second.base_url != first_url
        assert second.admin_credentials == (client_id, secret)
        minted = httpx.post(f"{second.base_url}/oauth/token", json={
            "grant_type": "client_credentials", "client_id": client_id,
            "client_secret": secret, "audience": f"{second.base_url}/api/v2/"})
        assert minted.status_code == 200, minted.text
        fresh = minted.json()["access_token"]
        forms = httpx.get(f"{second.base_url}/api/v2/forms",
                          headers={"authorization": f"Bearer {fresh}"}).json()
        assert "Kept" in {f["name"] for f in forms}
        # the signing key survived: a token minted before the restart still verifies,
        # but its audience was the old port's, so the new tenant refuses it
        old = httpx.get(f"{second.base_url}/api/v2/clients",
                        headers={"authorization": f"Bearer {token}"})
        assert old.status_code == 401
