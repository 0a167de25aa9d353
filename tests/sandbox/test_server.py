"""Running the sandbox: start and stop, ``--state`` persistence (atomic, keeps objects, keys and
logins, survives a new port), empty tenants, extra routers, and ``auth0-mcp sandbox``'s
foreground server with its ready-to-paste instructions."""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import socket
import ssl
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest

from auth0_mcp_sandbox.auth import AUTH0_CLI_CLIENT_ID, DEVICE_GRANT
from auth0_mcp_sandbox.routing import Reply, Router, SandboxRequest
from auth0_mcp_sandbox.server import SandboxServer


def client_credentials(box: SandboxServer) -> httpx.Response:
    client_id, secret = box.admin_credentials
    return httpx.post(f"{box.base_url}/oauth/token", data={
        "grant_type": "client_credentials", "client_id": client_id, "client_secret": secret,
        "audience": f"{box.base_url}/api/v2/"})


def refuses_connections(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def test_start_and_stop(box):
    with SandboxServer(empty=True) as other:
        assert other.base_url == f"http://127.0.0.1:{other.port}"
        assert other.domain == f"127.0.0.1:{other.port}"
        assert other.port != box.port
        assert client_credentials(other).status_code == 200
    assert refuses_connections(other.port)


def test_state_file_round_trip(tmp_path: Path):
    state = tmp_path / "tenant.json"
    with SandboxServer(state_file=state, device_interval=0) as first:
        port = first.port
        kid = httpx.get(f"{first.base_url}/.well-known/jwks.json").json()["keys"][0]["kid"]
        token = client_credentials(first).json()["access_token"]
        headers = {"authorization": f"Bearer {token}"}
        created = httpx.post(f"{first.base_url}/api/v2/clients", headers=headers,
                             json={"name": "Persisted app"})
        assert created.status_code == 201
        client_id = created.json()["client_id"]
        started = httpx.post(f"{first.base_url}/oauth/device/code", data={
            "client_id": AUTH0_CLI_CLIENT_ID, "scope": "read:clients offline_access"}).json()
        first.approve_device(started["user_code"])
        login = httpx.post(f"{first.base_url}/oauth/token", data={
            "grant_type": DEVICE_GRANT, "device_code": started["device_code"],
            "client_id": AUTH0_CLI_CLIENT_ID}).json()
        credentials = first.admin_credentials
        logs = len(first.tenant.logs)
    saved = json.loads(state.read_text())  # complete JSON, written atomically
    assert os.stat(state).st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["tenant.json"]  # no temp files left
    assert client_id in saved["collections"]["clients"]

    # the same port: everything, including tokens issued before the restart, still works
    with SandboxServer(state_file=state, port=port) as again:
        assert again.admin_credentials == credentials
        assert len(again.tenant.logs) == logs
        got = httpx.get(f"{again.base_url}/api/v2/clients/{client_id}", headers=headers)
        assert got.status_code == 200 and got.json()["name"] == "Persisted app"
        assert httpx.get(f"{again.base_url}/.well-known/jwks.json").json()["keys"][0][
            "kid"] == kid
        refreshed = httpx.post(f"{again.base_url}/oauth/token", data={
            "grant_type": "refresh_token", "refresh_token": login["refresh_token"],
            "client_id": AUTH0_CLI_CLIENT_ID})
        assert refreshed.status_code == 200, refreshed.text

    # another port: the Management API's audience moves with the tenant
    with SandboxServer(state_file=state) as moved:
        response = client_credentials(moved)
        assert response.status_code == 200, response.text
        fresh = {"authorization": f"Bearer {response.json()['access_token']}"}
        assert httpx.get(f"{moved.base_url}/api/v2/clients/{client_id}",
                         headers=fresh).status_code == 200
        identifiers = [a["identifier"] for a in moved.tenant.collection("resource_servers")
                       .values() if a.get("is_system")]
        assert identifiers == [f"{moved.base_url}/api/v2/"]


def test_empty_tenant_has_only_what_logging_in_needs():
    with SandboxServer(empty=True) as box:
        clients = {c["name"] for c in box.tenant.collection("clients").values()}
        assert clients == {"auth0-mcp sandbox admin", "Auth0 CLI (sandbox)"}
        assert [a["name"] for a in box.tenant.collection("resource_servers").values()] == [
            "Auth0 Management API"]
        assert not box.tenant.collection("forms") and not box.tenant.collection("actions")
        assert box.tenant.logs == []
        assert client_credentials(box).status_code == 200


def test_seeded_tenant_has_demo_data(box):
    tenant = box.tenant
    assert len(tenant.collection("clients")) > 5
    assert tenant.logs and tenant.collection("forms") and tenant.collection("actions")


def test_extra_routers_are_served_seeded_and_granted():
    widgets = Router("widgets")

    @widgets.get("/api/v2/widgets", scope="read:widgets")
    def list_widgets(req: SandboxRequest) -> list[dict[str, str]]:
        return list(req.tenant.collection("widgets").values())

    @widgets.post("/api/v2/widgets", scope="create:widgets")
    def create_widget(req: SandboxRequest) -> Reply:
        widget = {"id": f"wdg_{len(req.tenant.collection('widgets'))}",
                  **req.json_object()}
        req.tenant.collection("widgets")[widget["id"]] = widget
        return Reply(widget, 201)

    @widgets.seed
    def seed(tenant) -> None:
        tenant.collection("widgets")["wdg_demo"] = {"id": "wdg_demo", "name": "Demo"}

    with SandboxServer(extra_routers=[widgets]) as box:
        token = client_credentials(box).json()
        assert {"read:widgets", "create:widgets"} <= set(token["scope"].split())
        headers = {"authorization": f"Bearer {token['access_token']}"}
        assert httpx.get(f"{box.base_url}/api/v2/widgets", headers=headers).json() == [
            {"id": "wdg_demo", "name": "Demo"}]
        created = httpx.post(f"{box.base_url}/api/v2/widgets", headers=headers,
                             json={"name": "New"})
        assert created.status_code == 201
        assert box.tenant.logs[-1]["description"] == "Create a widget"
        denied = httpx.get(f"{box.base_url}/api/v2/widgets",
                           headers={"authorization": f"Bearer {box.mint_token(['read:x'])}"})
        assert denied.status_code == 403


def test_two_routers_may_not_declare_the_same_route():
    clash = Router("clash")
    clash.get("/api/v2/clients", scope="read:clients")(lambda req: [])
    with pytest.raises(ValueError, match="declared by both"):
        SandboxServer(empty=True, extra_routers=[clash])


def test_helpers_for_tests(box, http):
    assert not box.approve_device("ZZZZ-ZZZZ")
    with pytest.raises(ValueError):
        box.set_faults(nonsense=1)
    token = box.mint_token(["read:logs"], expires_in=120)
    assert http.get("/api/v2/logs", headers={"authorization": f"Bearer {token}"}
                    ).status_code == 200


def read_until(lines: queue.Queue[str], pattern: str, proc: subprocess.Popen[str]) -> str:
    seen = []
    while True:
        try:
            line = lines.get(timeout=60)
        except queue.Empty:
            raise AssertionError("no output: " + "".join(seen)) from None
        if line == "":
            raise AssertionError(f"exited {proc.poll()}: " + "".join(seen))
        seen.append(line)
        if re.search(pattern, line):
            return "".join(seen)


def test_cli_serve_prints_how_to_use_it_and_saves_on_exit(tmp_path: Path):
    state = tmp_path / "cli-tenant.json"
    code = ("import sys; from pathlib import Path; from auth0_mcp_sandbox.cli import serve; "
            f"serve(port=0, state=Path({str(state)!r}), empty=True)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTH0_")}
    proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env=env)
    lines: queue.Queue[str] = queue.Queue()
    assert proc.stderr is not None
    stderr = proc.stderr

    def pump() -> None:
        for line in stderr:
            lines.put(line)
        lines.put("")

    threading.Thread(target=pump, daemon=True).start()
    try:
        text = read_until(lines, r"auth0-mcp run$", proc)
        base = re.search(r"domain \(AUTH0_DOMAIN\):\s+(\S+)", text).group(1)
        client_id = re.search(r"client_id (\w+)", text).group(1)
        secret = re.search(r"client_secret (\S+)", text).group(1)
        assert f"AUTH0_DOMAIN={base} AUTH0_CLIENT_ID={client_id}" in text
        assert "auth0-mcp run" in text
        curl = re.search(r"curl -s (\S+/oauth/token) .*?-d '([^']+)'", text, re.S)
        assert curl is not None, text
        url, form = curl.group(1), json.loads(curl.group(2))
        assert (form["client_id"], form["client_secret"]) == (client_id, secret)
        answer = httpx.post(url, json=form)  # what pasting the curl does
        assert answer.status_code == 200 and answer.json()["token_type"] == "Bearer"
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
    assert json.loads(state.read_text())["auth"]["base_url"] == base


def test_https_with_a_certificate_clients_trust_explicitly(tmp_path: Path):
    """For https-only clients (the reference server): a self-signed certificate that is
    trusted when named, and refused by default verification, so TLS is really in use."""
    with SandboxServer(tls_dir=tmp_path) as box:
        assert box.base_url.startswith("https://127.0.0.1:")
        cert = ssl.create_default_context(cafile=tmp_path / "cert.pem")
        config = httpx.get(f"{box.base_url}/.well-known/openid-configuration", verify=cert)
        assert config.json()["issuer"] == f"{box.base_url}/"
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            httpx.get(f"{box.base_url}/.well-known/openid-configuration")
        assert (tmp_path / "key.pem").stat().st_mode & 0o077 == 0  # owner-only key
    with SandboxServer(tls_dir=tmp_path) as again:  # certificate reused
        assert httpx.get(f"{again.base_url}/.well-known/jwks.json", verify=cert).status_code == 200
