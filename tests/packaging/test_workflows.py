"""The GitHub workflows: they parse, CI runs exactly .ci/run, and a release tests first, then
publishes every artifact the README promises."""

from __future__ import annotations

from typing import Any

import yaml

from .conftest import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"


def load(name: str) -> dict[str, Any]:
    workflow = yaml.safe_load((WORKFLOWS / name).read_text())
    assert isinstance(workflow, dict) and workflow["jobs"], name
    workflow["on"] = workflow.pop(True, workflow.get("on"))  # YAML 1.1 reads `on:` as true
    return workflow


def runs(job: dict[str, Any]) -> str:
    return "\n".join(step.get("run", "") for step in job["steps"])


def uses(job: dict[str, Any]) -> list[str]:
    return [step["uses"].split("@")[0] for step in job["steps"] if "uses" in step]


def test_ci_runs_the_ci_entry_point_on_pushes_and_pull_requests():
    ci = load("ci.yml")
    assert {"push", "pull_request"} <= set(ci["on"])
    assert any("bash .ci/run" in runs(job) for job in ci["jobs"].values())


def test_release_tests_with_ci_run_before_it_builds():
    release = load("release.yml")
    jobs = release["jobs"]
    assert release["on"]["push"]["tags"] == ["v*"]
    assert "bash .ci/run" in runs(jobs["test"])
    assert jobs["build"]["needs"] == "test"
    build = runs(jobs["build"])
    assert "uv build --all-packages" in build and "--wheel" not in build  # wheels and sdists
    assert "mcpb/build.py --require-cli" in build and "@anthropic-ai/mcpb" in build


def test_release_publishes_pypi_bundle_container_and_registry():
    jobs = load("release.yml")["jobs"]
    pypi = jobs["pypi"]
    assert pypi["permissions"]["id-token"] == "write"  # trusted publishing, no stored token
    assert "pypa/gh-action-pypi-publish" in uses(pypi)
    assert "password" not in str(pypi)
    assert "*.mcpb" in runs(jobs["github-release"])
    assert "docker/build-push-action" in uses(jobs["container"])
    registry = jobs["mcp-registry"]
    assert set(registry["needs"]) == {"pypi", "container"}  # the packages exist first
    assert "mcp-publisher login github-oidc" in runs(registry)
    assert "mcp-publisher publish server.json" in runs(registry)


def test_ci_run_installs_the_mcpb_cli_and_requires_it():
    script = (ROOT / ".ci" / "run").read_text()
    assert "@anthropic-ai/mcpb@" in script and "AUTH0_MCP_REQUIRE_MCPB=1" in script
