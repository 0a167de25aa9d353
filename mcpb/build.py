"""Build the MCPB bundle (one-click install in Claude Desktop): ``python3 mcpb/build.py``.

The bundle is this folder's manifest, pyproject.toml and src/ (server type ``uv``: the host
installs ``auth0-mcp[all]`` with uv and starts src/server.py). With the official CLI
(``@anthropic-ai/mcpb`` from npm; .ci/run installs it under .ci-cache/mcpb) the manifest is
validated and packed by it; without, a plain zip is written unless ``--require-cli``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BUNDLED = ("manifest.json", "pyproject.toml", "src/server.py")
CLI_CACHE = ROOT / ".ci-cache" / "mcpb" / "node_modules" / ".bin" / "mcpb"


def find_cli() -> str | None:
    """``$MCPB_CLI``, the copy .ci/run installs, or ``mcpb`` on PATH."""
    if os.environ.get("MCPB_CLI"):
        return os.environ["MCPB_CLI"]
    if CLI_CACHE.exists():
        return str(CLI_CACHE)
    return shutil.which("mcpb")


def stage(into: Path) -> None:
    for name in BUNDLED:
        (into / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(HERE / name, into / name)


def zip_bundle(staged: Path, out: Path) -> None:
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name in BUNDLED:
            bundle.write(staged / name, name)


def build(out_dir: Path, *, require_cli: bool = False) -> Path:
    version = json.loads((HERE / "manifest.json").read_text())["version"]
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / f"auth0-mcp-{version}.mcpb"
    cli = find_cli()
    if cli is None and require_cli:
        raise SystemExit("mcpb/build.py: the mcpb CLI is missing: "
                         "npm install @anthropic-ai/mcpb (or set MCPB_CLI)")
    with tempfile.TemporaryDirectory() as tmp:
        staged = Path(tmp)
        stage(staged)
        if cli is None:
            print("mcpb CLI not found: writing a plain zip, not validated by it", file=sys.stderr)
            zip_bundle(staged, out)
        else:
            subprocess.run([cli, "validate", str(staged / "manifest.json")], check=True,
                           stdout=sys.stderr)
            subprocess.run([cli, "pack", str(staged), str(out)], check=True, stdout=sys.stderr)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "dist", help="output folder")
    parser.add_argument("--require-cli", action="store_true",
                        help="fail instead of zipping when the mcpb CLI is missing")
    args = parser.parse_args()
    print(build(args.out, require_cli=args.require_cli))


if __name__ == "__main__":
    main()
