"""``init`` / ``run --profile`` / ``session`` / ``logout`` as a user runs them: real processes,
a sandbox tenant as the authorization server, logins kept in a 0600 credentials file."""

from __future__ import annotations

import json
import re
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters

from auth0_mcp.testing import structured
from auth0_mcp.testing.processes import CLEAN_ENV, EXE
from auth0_mcp_sandbox.server import SandboxServer

CODE = re.compile(r"confirm the code ([A-Z]{4}-[A-Z]{4})")


@pytest.fixture
def box() -> Iterator[SandboxServer]:
    with SandboxServer() as server:
        server.tenant.auth["device_interval"] = 1
        yield server


def init(*args: str, decide=None, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run ``auth0-mcp init``; ``decide(user_code)`` plays the person in the browser."""
    proc = subprocess.Popen([EXE, "init", "--no-browser", *args], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**CLEAN_ENV, **(env or {})})
    lines: list[str] = []

    def read() -> None:
        assert proc.stderr
        for line in proc.stderr:
            lines.append(line)
            found = CODE.search(line)
            if found and decide:
                decide(found.group(1))

    reader = threading.Thread(target=read)
    reader.start()
    out = proc.stdout.read() if proc.stdout else ""
    proc.wait(timeout=60)
    reader.join(timeout=10)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, "".join(lines))


def stored(path: Path) -> dict:
    return json.loads(path.read_text())["profiles"]


async def tools_via_profile(path: Path, profile: str) -> set[str]:
    params = StdioServerParameters(command=EXE, args=["run", "--profile", profile,
                                                      "--credentials-file", str(path)],
                                   env=CLEAN_ENV)
    async with Client(params, read_timeout_seconds=60) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        if "auth0_list_applications" in names:
            structured(await client.call_tool("auth0_list_applications", {"per_page": 1}))
        return names


async def test_device_flow_approved_then_run_refreshes_an_expired_login(box: SandboxServer,
                                                                       tmp_path: Path):
    creds = tmp_path / "creds.json"
    result = init("--auth-server", box.base_url, "--credentials-file", str(creds),
                  "--scopes", "read:*", "--profile", "dev", decide=box.approve_device)
    assert result.returncode == 0, result.stderr
    assert box.base_url in result.stderr and "confirm the code" in result.stderr
    profile = stored(creds)["dev"]
    assert profile["domain"] == box.base_url and profile["refresh_token"]
    assert "offline_access" in profile["scopes"] and "read:clients" in profile["scopes"]
    assert creds.stat().st_mode & 0o777 == 0o600

    names = await tools_via_profile(creds, "dev")
    assert "auth0_list_applications" in names and "auth0_create_application" not in names

    # expire it: the next start refreshes with the stored refresh token, which rotates
    data = json.loads(creds.read_text())
    old_refresh = data["profiles"]["dev"]["refresh_token"]
    data["profiles"]["dev"]["expires_at"] = 0
    creds.write_text(json.dumps(data))
    await tools_via_profile(creds, "dev")
    renewed = stored(creds)["dev"]
    assert renewed["refresh_token"] != old_refresh and renewed["expires_at"] > time.time()


async def test_a_login_expiring_mid_session_is_refreshed_unnoticed(box: SandboxServer,
                                                                  tmp_path: Path):
    creds = tmp_path / "creds.json"
    assert init("--auth-server", box.base_url, "--credentials-file", str(creds),
                "--scopes", "read:*", "--profile", "dev",
                decide=box.approve_device).returncode == 0
    params = StdioServerParameters(command=EXE, args=["run", "--profile", "dev",
                                                      "--credentials-file", str(creds)],
                                   env=CLEAN_ENV)
    async with Client(params, read_timeout_seconds=60) as client:
        structured(await client.call_tool("auth0_list_applications", {"per_page": 1}))
        data = json.loads(creds.read_text())
        before = data["profiles"]["dev"]["refresh_token"]
        data["profiles"]["dev"]["expires_at"] = 0  # the token expires while the session runs
        creds.write_text(json.dumps(data))
        again = await client.call_tool("auth0_list_applications", {"per_page": 1})
        assert not again.is_error
    assert stored(creds)["dev"]["refresh_token"] != before


def test_device_flow_denied_and_expired_store_nothing(box: SandboxServer, tmp_path: Path):
    creds = tmp_path / "creds.json"
    denied = init("--auth-server", box.base_url, "--credentials-file", str(creds),
                  "--scopes", "read:*", decide=box.deny_device)
    assert denied.returncode == 1 and "denied" in denied.stderr
    box.tenant.auth["device_expires_in"] = 0
    expired = init("--auth-server", box.base_url, "--credentials-file", str(creds),
                   "--scopes", "read:*")
    assert expired.returncode == 1 and "expired" in expired.stderr
    assert not creds.exists()


def test_slow_down_makes_the_client_poll_slower(box: SandboxServer):
    import anyio

    from auth0_mcp.auth.login import device_login

    box.tenant.auth["device_interval"] = 2  # the fake sleep below does not wait at all
    waits: list[float] = []
    lines: list[str] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 3:
            box.approve_device(CODE.search(lines[0]).group(1))

    body = anyio.run(lambda: device_login(box.base_url, ["read:logs"], open_browser=False,
                                          show=lines.append, sleep=sleep))
    # poll 1: pending; poll 2 came too fast: slow_down, so the client adds 5 s (RFC 8628)
    assert body["access_token"] and waits == [2, 2, 7]


async def test_client_credentials_and_remint(box: SandboxServer, tmp_path: Path):
    creds = tmp_path / "creds.json"
    client_id, secret = box.admin_credentials
    result = init("--auth0-domain", box.base_url, "--auth0-client-id", client_id,
                  "--credentials-file", str(creds), "--profile", "m2m",
                  env={"AUTH0_CLIENT_SECRET": secret})
    assert result.returncode == 0, result.stderr
    assert secret not in result.stderr + result.stdout
    data = json.loads(creds.read_text())
    data["profiles"]["m2m"]["expires_at"] = 0
    creds.write_text(json.dumps(data))
    names = await tools_via_profile(creds, "m2m")
    assert "auth0_create_application" in names
    assert stored(creds)["m2m"]["expires_at"] > time.time()  # re-minted


def test_two_tenants_side_by_side_and_logout_removes_one(box: SandboxServer, tmp_path: Path):
    creds = tmp_path / "creds.json"
    with SandboxServer() as other:
        for name, server in (("a", box), ("b", other)):
            client_id, secret = server.admin_credentials
            assert init("--auth0-domain", server.base_url, "--auth0-client-id", client_id,
                        "--credentials-file", str(creds), "--profile", name,
                        env={"AUTH0_CLIENT_SECRET": secret}).returncode == 0
        profiles = stored(creds)
        assert profiles["a"]["domain"] == box.base_url
        assert profiles["b"]["domain"] == other.base_url
        session = subprocess.run([EXE, "session", "--profile", "b", "--credentials-file",
                                  str(creds)], capture_output=True, text=True, env=CLEAN_ENV)
        assert other.base_url in session.stdout and "refreshes automatically" in session.stdout
        out = subprocess.run([EXE, "logout", "--profile", "a", "--credentials-file",
                              str(creds)], capture_output=True, text=True, env=CLEAN_ENV)
        assert out.returncode == 0 and "removed login" in out.stdout
        assert set(stored(creds)) == {"b"}


def test_without_a_keyring_the_error_names_the_file_alternative(tmp_path: Path):
    result = subprocess.run([EXE, "session"], capture_output=True, text=True,
                            env={**CLEAN_ENV, "PYTHON_KEYRING_BACKEND":
                                 "keyring.backends.fail.Keyring"})
    assert result.returncode != 0
    assert "--credentials-file" in result.stderr and "Traceback" not in result.stderr


def test_parallel_inits_into_one_file_keep_every_profile(box: SandboxServer, tmp_path: Path):
    """Each init reads, merges and replaces the file: without a lock the last writer wins."""
    creds = tmp_path / "creds.json"
    client_id, secret = box.admin_credentials
    procs = [subprocess.Popen([EXE, "init", "--auth0-domain", box.base_url,
                               "--auth0-client-id", client_id, "--credentials-file", str(creds),
                               "--profile", f"p{i}"], stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env={**CLEAN_ENV, "AUTH0_CLIENT_SECRET": secret})
             for i in range(6)]
    for proc in procs:
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
    assert set(stored(creds)) == {f"p{i}" for i in range(6)}
    assert creds.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604])
def test_run_refuses_a_credentials_file_others_can_read(box: SandboxServer, tmp_path: Path,
                                                        mode: int):
    creds = tmp_path / "creds.json"
    client_id, secret = box.admin_credentials
    assert init("--auth0-domain", box.base_url, "--auth0-client-id", client_id,
                "--credentials-file", str(creds), "--profile", "m2m",
                env={"AUTH0_CLIENT_SECRET": secret}).returncode == 0
    creds.chmod(mode)
    result = subprocess.run([EXE, "run", "--profile", "m2m", "--credentials-file", str(creds)],
                            stdin=subprocess.DEVNULL, capture_output=True, text=True,
                            env=CLEAN_ENV, timeout=60)
    assert result.returncode == 2
    assert f"chmod 600 {creds}" in result.stderr and "Traceback" not in result.stderr
    assert secret not in result.stderr
