"""``auth0-mcp plugins list``: which plugins were found, loaded or skipped, and why."""

from __future__ import annotations

import json
import os

import typer

from .options import ExcludePlugins, Json, Plugins

app = typer.Typer(help="Inspect installed plugins.", no_args_is_help=True)


@app.command("list")
def list_plugins(plugins: Plugins = None, exclude_plugins: ExcludePlugins = None,
                 as_json: Json = False) -> None:
    """List plugins registered under the auth0_mcp entry-point group."""
    from ..runtime import RunOptions, load_catalog, split_names

    options = RunOptions(plugins=split_names(plugins),
                         exclude_plugins=split_names(exclude_plugins) or ()).with_env(os.environ)
    catalog = load_catalog(options, thorough=True)  # a diagnostic: validate schemas too
    counts: dict[str, int] = {}
    for spec in catalog.tools:
        counts[spec.plugin] = counts.get(spec.plugin, 0) + 1
    rows = [{"name": p.name, "distribution": p.distribution, "version": p.version,
             "tools": counts.get(p.name, 0), "loaded": True, "reason": None}
            for p in catalog.plugins.loaded]
    rows += [{"name": s.name, "distribution": s.distribution, "version": "", "tools": 0,
              "loaded": False, "reason": s.reason} for s in catalog.plugins.skipped]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        typer.echo("No plugins installed. Install tool families: pip install 'auth0-mcp[all]'")
        return
    for r in rows:
        state = f"{r['tools']} tools" if r["loaded"] else f"skipped: {r['reason']}"
        typer.echo(f"{r['name']:<18} {r['distribution']:<28} {r['version']:<8} {state}")
