"""#12 §7: a server reachable beyond loopback without OAuth is refused at start, not served."""

from __future__ import annotations

import subprocess

import httpx

from auth0_mcp.testing.processes import CLEAN_ENV, EXE, free_port, stop, wait_until_up


def start(*args: str) -> subprocess.Popen:
    return subprocess.Popen([EXE, "run", "--sandbox", "--transport", "http", *args],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=CLEAN_ENV)


def test_non_loopback_host_without_oauth_refuses_to_start():
    port = free_port()
    proc = start("--host", "0.0.0.0", "--port", str(port))
    try:
        code = proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        # it serves: prove what that means (a spoofed Host passes the rebinding check)
        wait_until_up(f"http://127.0.0.1:{port}/mcp", proc)
        spoofed = httpx.post(f"http://127.0.0.1:{port}/mcp", headers={"Host": "localhost:1"},
                             json={"jsonrpc": "2.0", "id": 1, "method": "ping"})
        stop(proc)
        raise AssertionError(f"served unauthenticated on 0.0.0.0 ({spoofed.status_code})") \
            from None
    err = proc.communicate()[1]
    assert code != 0
    assert "--oauth-issuer" in err and "--insecure-no-auth" in err, err
    assert "Traceback" not in err


def test_insecure_flag_is_explicit_and_loopback_needs_none():
    port = free_port()
    proc = start("--host", "0.0.0.0", "--port", str(port), "--insecure-no-auth")
    try:
        wait_until_up(f"http://127.0.0.1:{port}/mcp", proc)
    finally:
        proc.terminate()
        err = proc.communicate(timeout=10)[1]
    assert "WARNING: serving every tool unauthenticated" in err
    loopback = free_port()
    proc = start("--port", str(loopback))
    try:
        wait_until_up(f"http://127.0.0.1:{loopback}/mcp", proc)
    finally:
        stop(proc)
