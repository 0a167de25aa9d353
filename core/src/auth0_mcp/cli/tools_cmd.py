"""``auth0-mcp tools list``: what the installed plugins offer, what the filters hide and why,
and what the catalog costs in the model's context."""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any

import typer

from .options import ExcludePlugins, Json, Plugins, ReadOnly, StrictPlugins, Tools

if TYPE_CHECKING:
    from ..spec import ToolSpec

app = typer.Typer(help="Inspect the tool catalog.", no_args_is_help=True)


def tool_json(spec: ToolSpec) -> str:
    """The tool exactly as tools/list sends it (the context cost)."""
    from ..server import to_mcp_tool

    return to_mcp_tool(spec).model_dump_json(by_alias=True, exclude_none=True)


@app.command("list")
def list_tools(
    tools: Tools = None,
    read_only: ReadOnly = False,
    plugins: Plugins = None,
    exclude_plugins: ExcludePlugins = None,
    strict_plugins: StrictPlugins = False,
    as_json: Json = False,
) -> None:
    """List installed tools: plugin, read-only, scopes, approximate token cost, and why a
    filter hides a tool.

    Example: auth0-mcp tools list --tools 'auth0_*_application*' --read-only
    """
    from ..filtering import FilterSettings, decide
    from ..runtime import RunOptions, load_catalog, split_names

    options = RunOptions(tools=tools, read_only=read_only, plugins=split_names(plugins),
                         exclude_plugins=split_names(exclude_plugins) or (),
                         strict_plugins=strict_plugins).with_env(os.environ)
    catalog = load_catalog(options)
    decisions = decide(catalog.tools, FilterSettings.resolve(tools, read_only, os.environ))
    rows: list[dict[str, Any]] = []
    for d in decisions:
        size = len(tool_json(d.spec).encode())
        rows.append({"name": d.spec.name, "plugin": d.spec.plugin, "read_only": d.spec.read_only,
                     "destructive": d.spec.destructive, "scopes": list(d.spec.required_scopes),
                     "bytes": size, "tokens": round(size / 4), "visible": d.visible,
                     "hidden_because": d.reason})
    shown = [r for r in rows if r["visible"]]
    list_bytes = len(("{\"tools\":[" + ",".join(tool_json(d.spec) for d in decisions
                                                if d.visible) + "]}").encode())
    from ..reference import REFERENCE_EQUIVALENT, REFERENCE_TOOLS_LIST_BYTES

    same = [d for d in decisions if d.visible and d.spec.name in REFERENCE_EQUIVALENT]
    same_bytes = len(("{\"tools\":[" + ",".join(tool_json(d.spec) for d in same) + "]}")
                     .encode())
    summary = {"tools": rows, "visible": len(shown), "installed": len(rows),
               "tools_list_bytes": list_bytes, "approx_tokens": round(list_bytes / 4),
               "reference_equivalent": {"tools": len(same), "bytes": same_bytes,
                                        "reference_bytes": REFERENCE_TOOLS_LIST_BYTES}}
    if as_json:
        typer.echo(json.dumps(summary, indent=2))
        return
    if not rows:
        typer.echo("No tools installed: auth0-mcp is only the core. Install tool families, e.g.\n"
                   "  pip install 'auth0-mcp[all]'\n  pip install 'auth0-mcp[applications,logs]'")
        return
    width = max(len(r["name"]) for r in rows)
    typer.echo(f"{'TOOL':<{width}}  {'PLUGIN':<16} RO  {'~TOK':>5}  SCOPES / HIDDEN BECAUSE")
    for r in rows:
        extra = ", ".join(r["scopes"]) if r["visible"] else f"hidden: {r['hidden_because']}"
        ro = "yes" if r["read_only"] else "no"
        typer.echo(f"{r['name']:<{width}}  {r['plugin']:<16} {ro:<3} {r['tokens']:>5}  {extra}")
    typer.echo(f"\n{len(shown)} of {len(rows)} tools visible; tools/list is {list_bytes:,} bytes "
               f"(~{round(list_bytes / 4):,} tokens).")
    if same:
        typer.echo(f"The {len(same)} tools the official server also has cost {same_bytes:,} "
                   f"bytes (it spends {REFERENCE_TOOLS_LIST_BYTES:,} on its 23).")
