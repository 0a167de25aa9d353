"""``@modelcontextprotocol/conformance`` against ``run --transport http`` (the sandbox behind).

CI installs Node 22 and the suite (.ci/run) and sets AUTH0_MCP_CONFORMANCE_DIR; elsewhere the
test is skipped unless that is set, and it fails if CI asked for it but it is missing.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

REQUIRED = ["server-initialize", "ping", "tools-list", "tools-call-error",
            "server-sse-multiple-streams", "dns-rebinding-protection"]


def conformance_dir() -> Path | None:
    value = os.environ.get("AUTH0_MCP_CONFORMANCE_DIR")
    if not value:
        if os.environ.get("AUTH0_MCP_REQUIRE_CONFORMANCE"):
            pytest.fail("AUTH0_MCP_REQUIRE_CONFORMANCE is set but the suite is not installed")
        pytest.skip("conformance suite not installed (set AUTH0_MCP_CONFORMANCE_DIR; .ci/run does)")
    return Path(value)


@pytest.mark.parametrize("scenario", REQUIRED)
def test_conformance_scenario(scenario: str, http_mcp_url: str, tmp_path: Path):
    modules = conformance_dir()
    assert modules is not None
    node = modules / "node" / "bin" / "node"
    if not node.exists():
        node = modules / ".bin" / "node"
    cli = modules / "@modelcontextprotocol" / "conformance" / "dist" / "index.js"
    result = subprocess.run(
        [str(node), str(cli), "server", "--url", http_mcp_url, "--scenario", scenario,
         "-o", str(tmp_path)], capture_output=True, text=True, timeout=120)
    checks = [json.loads(p.read_text()) for p in tmp_path.rglob("checks.json")]
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert checks, "the suite wrote no results"
