"""#12 §7: while the token issuer is unreachable, callers get 503 (retry), not 401 (sign in)."""

from __future__ import annotations

import subprocess

import httpx

from auth0_mcp.testing.processes import CLEAN_ENV, EXE, free_port, stop, wait_until_up

AUDIENCE = "https://mcp.example.test/mcp"


def test_unreachable_issuer_answers_503_with_retry_after():
    nobody = free_port()  # nothing listens there
    port = free_port()
    proc = subprocess.Popen(
        [EXE, "run", "--sandbox", "--transport", "http", "--port", str(port),
         "--oauth-issuer", f"http://127.0.0.1:{nobody}/", "--oauth-audience", AUDIENCE],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=CLEAN_ENV)
    url = f"http://127.0.0.1:{port}/mcp"
    try:
        wait_until_up(url, proc)
        for _ in range(3):
            response = httpx.post(url, json={"jsonrpc": "2.0", "id": 1, "method": "ping"},
                                  headers={"Authorization": "Bearer a.b.c",
                                           "Accept": "application/json, text/event-stream"})
            assert response.status_code == 401  # not even a JWT: no need to ask the issuer
        token = ("eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJ4In0.c2ln")
        for _ in range(3):
            response = httpx.post(url, json={"jsonrpc": "2.0", "id": 1, "method": "ping"},
                                  headers={"Authorization": f"Bearer {token}",
                                           "Accept": "application/json, text/event-stream"})
            assert response.status_code == 503, response.text
            assert int(response.headers["retry-after"]) > 0
            assert "issuer" in response.json()["error_description"]
        assert httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200
    finally:
        stop(proc)
