"""The CLI turns user errors (SetupError) into one line and exit 2, and nothing else: a
ValueError from a bug surfaces as a bug instead of passing for the user's mistake."""

from __future__ import annotations

import subprocess

import pytest

import auth0_mcp.cli as cli
from auth0_mcp.testing.processes import CLEAN_ENV, EXE


def test_a_bug_is_not_reported_as_a_user_error(monkeypatch, capsys):
    def broken() -> None:
        raise ValueError("internal invariant broken")

    monkeypatch.setattr(cli, "app", broken)
    with pytest.raises(ValueError, match="invariant"):
        cli.main()
    assert "auth0-mcp: error" not in capsys.readouterr().err


@pytest.mark.parametrize("args, expected", [
    (["init", "--no-login"], "--no-login only makes sense with --client"),
    (["init", "--auth0-domain", "t.eu.auth0.com"], "--auth0-client-id"),
    (["plugin", "new", "Bad-Name"], "must be lower-case"),
    (["run", "--transport", "http", "--port", "0", "--oauth-issuer", "http://evil.example.com"],
     "https"),
    (["run", "--transport", "http", "--port", "0", "--oauth-issuer",
      "https://t.eu.auth0.com/"], "--oauth-audience"),
    (["run", "--oauth-issuer", "https://t.eu.auth0.com/"], "--transport http"),
    (["sandbox", "--port", "0", "--state", "broken.json"], "not a sandbox state file"),
    (["run", "--sandbox", "--sandbox-state", "broken.json"], "not a sandbox state file"),
])
def test_user_errors_are_one_line_and_exit_2(args, expected, tmp_path):
    (tmp_path / "broken.json").write_text("{not json")
    env = {**CLEAN_ENV, "AUTH0_DOMAIN": "http://127.0.0.1:9",
           "AUTH0_TOKEN": "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.c2ln"}
    result = subprocess.run([EXE, *args], capture_output=True, text=True, timeout=60,
                            stdin=subprocess.DEVNULL, env=env, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("auth0-mcp: error: ") and expected in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("domain", ["http://evil.example.com", "http://10.0.0.1",
                                    "ftp://t.eu.auth0.com"])
def test_a_bad_domain_at_init_is_one_line(domain, tmp_path):
    result = subprocess.run([EXE, "init", "--auth0-domain", domain, "--auth0-client-id", "id",
                             "--credentials-file", str(tmp_path / "c.json")],
                            capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
                            env={**CLEAN_ENV, "AUTH0_CLIENT_SECRET": "s"})
    assert result.returncode == 2 and result.stderr.startswith("auth0-mcp: error: ")
    assert "Traceback" not in result.stderr
