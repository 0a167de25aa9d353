"""Answers never carry a token, whoever's it is: strings shaped like JWTs are masked wherever
they appear, not only the server's own token (a mutation that turned the pattern off failed
no test before these)."""

from __future__ import annotations

import base64
import json

import httpx

from auth0_mcp.redaction import REDACTED, Redactor
from auth0_mcp.testing import Harness, structured, text_of, unfenced


def foreign_jwt() -> str:
    """A token of someone else's: not among the secrets the server knows."""
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return ".".join([part({"alg": "RS256", "typ": "JWT"}),
                     part({"sub": "auth0|someone"}),
                     "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"])


def test_jwts_are_masked_in_any_string_without_being_known():
    token = foreign_jwt()
    redactor = Redactor()
    assert redactor.text(f"Bearer {token} rejected") == f"Bearer {REDACTED} rejected"
    masked = redactor.data({"metadata": {"note": f"debug: {token}"}, "list": [token]})
    assert token not in json.dumps(masked)
    assert masked["list"] == [REDACTED]


async def test_a_jwt_stored_in_the_tenant_never_reaches_the_model(auth0_mcp: Harness):
    token = foreign_jwt()
    admin = auth0_mcp.sandbox.mint_token(["create:clients"])
    async with httpx.AsyncClient() as http:
        created = await http.post(f"{auth0_mcp.sandbox.base_url}/api/v2/clients",
                                  headers={"Authorization": f"Bearer {admin}"},
                                  json={"name": "Leaky", "description": f"pasted token {token}"})
    assert created.status_code == 201, created.text
    client_id = created.json()["client_id"]
    result = await auth0_mcp.call("auth0_get_application", {"client_id": client_id})
    data = structured(result)
    assert token not in json.dumps(data) + text_of(result)
    assert unfenced(data["description"]) == f"pasted token {REDACTED}"
