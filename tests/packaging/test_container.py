"""The container image, without a container runtime: hadolint lints the Dockerfile, its
instructions say what the image promises (slim base, non-root, locked install, HTTP entrypoint,
health check, registry label), and its install steps run as written (the same COPY and RUN
commands, into a clean venv) and give a server that answers MCP over HTTP.

Not exercised here: the base image itself, the multi-stage copy, the HEALTHCHECK probe and the
non-root user at run time (they need a container runtime; CI's release job builds the image)."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from mcp import Client

from auth0_mcp.testing.processes import CLEAN_ENV, sandbox_over_http

from .conftest import ROOT, UV

pytestmark = pytest.mark.packaging  # wheels and fresh environments: pytest -m packaging

DOCKERFILE = ROOT / "Dockerfile"


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, continuation lines joined, comments dropped."""
    joined = DOCKERFILE.read_text().replace("\\\n", " ")
    found = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            found.append((word.upper(), " ".join(rest.split())))
    return found


def stages() -> list[list[tuple[str, str]]]:
    split: list[list[tuple[str, str]]] = []
    for instruction in instructions():
        if instruction[0] == "FROM":
            split.append([])
        split[-1].append(instruction)
    return split


def exec_form(arguments: str) -> list[str]:
    return json.loads(arguments)


def test_hadolint_passes():
    hadolint = Path(sys.executable).parent / "hadolint"
    result = subprocess.run([str(hadolint), "--no-color", str(DOCKERFILE)], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_image_is_slim_non_root_labelled_and_serves_http():
    build, final = stages()
    assert all("-slim" in stage[0][1] for stage in (build, final))
    final_map = {word: args for word, args in final}
    user = final_map["USER"]
    assert user not in ("root", "0") and not user.startswith("0:")
    assert "--locked" in dict(build)["RUN"]
    name = json.loads((ROOT / "server.json").read_text())["name"]
    assert f'io.modelcontextprotocol.server.name="{name}"' in final_map["LABEL"]
    entrypoint = exec_form(final_map["ENTRYPOINT"])
    assert entrypoint[:4] == ["auth0-mcp", "run", "--transport", "http"]
    assert "/healthz" in final_map["HEALTHCHECK"]
    port = entrypoint[entrypoint.index("--port") + 1]
    assert final_map["EXPOSE"] == port


def ignored() -> Callable[[str], bool]:
    """.dockerignore as Docker reads it: patterns in order, the last match wins, ``!``
    re-includes, ``**`` spans folders, and a match on a folder covers what is inside."""
    rules = []
    for line in (ROOT / ".dockerignore").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keep = line.startswith("!")
            glob = line.lstrip("!").strip("/")
            pattern = re.escape(glob).replace(r"\*\*/", "(.*/)?").replace(r"\*", "[^/]*")
            rules.append((re.compile(pattern + "(/.*)?"), keep))

    def check(relative: str) -> bool:
        out = False
        for rule, keep in rules:
            if rule.fullmatch(relative):
                out = not keep
        return out

    return check


def copy_context(source: Path, dest: Path) -> None:
    """``COPY <source> <dest>`` from the build context (this repository minus .dockerignore)."""
    skip = ignored()
    for path in sorted([source] if source.is_file() else source.rglob("*")):
        relative = path.relative_to(ROOT).as_posix()
        if path.is_file() and not skip(relative):
            target = dest / path.relative_to(source if source.is_dir() else source.parent)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)


def test_dockerignore_keeps_the_workspace_and_nothing_else():
    skip = ignored()
    assert not any(skip(p) for p in ("pyproject.toml", "uv.lock", "core/pyproject.toml",
                                      "core/src/auth0_mcp/cli/__init__.py",
                                      "plugins/logs/src/auth0_mcp_logs/tools.py"))
    assert all(skip(p) for p in (".venv/bin/python", "tests/conftest.py", "benchmarks/x.py",
                                 "plugins/logs/tests/test_logs_e2e.py", ".git/HEAD",
                                 "core/src/auth0_mcp/__pycache__/x.pyc", "examples/a/b.py"))


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The build stage's COPY and RUN instructions, run as written in a clean folder, into a
    venv of its own (UV_PROJECT_ENVIRONMENT), with the stage's ENV."""
    build = stages()[0]
    context = tmp_path_factory.mktemp("context")
    venv = tmp_path_factory.mktemp("image") / "venv"
    env = {**CLEAN_ENV}
    ran = False
    for word, args in build:
        if word == "ENV":
            for pair in shlex.split(args):
                key, _, value = pair.partition("=")
                env[key] = value
        elif word == "COPY" and not args.startswith("--from"):
            *sources, dest = args.split()
            for source in sources:
                copy_context(ROOT / source, context / dest)
        elif word == "RUN":
            command = shlex.split(args)
            assert command[0] == "uv"
            env["UV_PROJECT_ENVIRONMENT"] = str(venv)
            subprocess.run([UV, *command[1:]], cwd=context, env=env, check=True, timeout=600,
                           capture_output=True)
            ran = True
    assert ran
    return venv


def test_install_steps_install_every_family_and_no_dev_tools(installed: Path):
    listed = subprocess.run([str(installed / "bin" / "auth0-mcp"), "tools", "list", "--json"],
                            capture_output=True, text=True, timeout=60, env=CLEAN_ENV)
    assert listed.returncode == 0, listed.stderr
    plugins = {t["plugin"] for t in json.loads(listed.stdout)["tools"]}
    assert {"applications", "resource_servers", "actions", "logs", "forms"} <= plugins
    assert not (installed / "bin" / "pytest").exists() and not (installed / "bin" / "ruff").exists()
    where = subprocess.run([str(installed / "bin" / "python"), "-c",
                            "import auth0_mcp, auth0_mcp_logs; print(auth0_mcp.__file__); "
                            "print(auth0_mcp_logs.__file__)"],
                           capture_output=True, text=True, check=True, env=CLEAN_ENV)
    for path in where.stdout.split():
        assert Path(path).is_relative_to(installed), "installed as wheels, not editable"


@pytest.fixture
def served(installed: Path) -> Iterator[str]:
    """The image's ENTRYPOINT (``auth0-mcp run --transport http``) from the installed venv, on
    loopback and a free port instead of 0.0.0.0:8765, on the sandbox tenant."""
    entrypoint = exec_form(dict(stages()[-1])["ENTRYPOINT"])
    assert entrypoint[1:4] == ["run", "--transport", "http"]
    with sandbox_over_http("--host", "127.0.0.1",
                           exe=str(installed / "bin" / entrypoint[0])) as url:
        yield url


async def test_installed_entrypoint_serves_mcp_over_http(served: str):
    async with Client(served) as client:
        names = {t.name for t in (await client.list_tools()).tools}
    assert {"auth0_list_applications", "auth0_search_logs"} <= names
