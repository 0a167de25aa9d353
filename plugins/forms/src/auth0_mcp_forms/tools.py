"""Tools for Forms (``/api/v2/forms``): the forms Actions render with ``api.prompt.render``.

Auth0 keeps no draft/published state: the dashboard's Publish saves the form. The publish tool
adds what the dashboard does before saving: a check that the graph leads from start through
every node to the ending.
"""

from __future__ import annotations

from typing import Any

import attrs

from auth0_mcp import Target, ToolContext, ToolError, ToolResult, arg, returns, segment, tool
from auth0_mcp.shaping import page_info, pick

from . import graph

PATH = "/forms"
SUMMARY = ("id", "name", "flow_count", "updated_at", "embedded_at", "submitted_at")
GRAPH = ("start", "nodes", "ending")
Obj = dict[str, Any]


def summary(form: Obj) -> Obj:
    """A list item: id, name, usage markers (list items carry no nodes)."""
    out = pick(form, SUMMARY)
    if isinstance(form.get("nodes"), list):
        out["nodes"] = len(form["nodes"])
    return out


def saved(form: Obj, sent: Obj) -> Obj:
    """What a create/update answers: the summary, plus graph problems if the graph changed
    (saved anyway, as Auth0 does; publishing refuses them)."""
    out = summary(form)
    if any(k in sent for k in GRAPH) and (form.get("nodes") or sent.get("nodes")):
        report = graph.check(form.get("start"), form.get("nodes"), form.get("ending"))
        if not report.ok:
            out["graph_problems"] = list(report.problems)
    return out


def body(ctx: ToolContext, args: Any) -> Obj:
    data = ctx.converter.unstructure(args)
    return {k: v for k, v in data.items() if v is not None and k != "id"}


@attrs.frozen
class ListArgs:
    page: int = arg(0, minimum=0)
    per_page: int | None = arg(None, minimum=1, maximum=100)


@tool(name="auth0_list_forms", title="List forms", kind="read", idempotent=True,
      scopes=["read:forms"], output=returns(forms="array", has_more="boolean"),
      example={"per_page": 20})
async def list_forms(ctx: ToolContext, args: ListArgs) -> Obj:
    """List forms."""
    per_page = args.per_page or 50
    items, total = await ctx.api.page(PATH, "forms", page=args.page, per_page=per_page)
    return {"forms": [summary(i) for i in items],
            **page_info(args.page, per_page, len(items), total)}


@attrs.frozen
class GetArgs:
    id: str = arg(minLength=1)


@tool(name="auth0_get_form", title="Get form", kind="read", idempotent=True,
      scopes=["read:forms"], output=returns(id="string"),
      example={"id": "ap_6JUSCU7qq1CravnoU6d6jr"})
async def get_form(ctx: ToolContext, args: GetArgs) -> Obj:
    """Get a form in full."""
    return await ctx.api.get(f"{PATH}/{segment(args.id)}")


@attrs.frozen
class CreateArgs:
    name: str = arg(minLength=1)
    nodes: list[Obj] | None = arg(None)
    start: Obj | None = arg(None)
    ending: Obj | None = arg(None)
    languages: Obj | None = arg(None)
    messages: Obj | None = arg(None)
    translations: Obj | None = arg(None)
    style: Obj | None = arg(None)


@tool(name="auth0_create_form", title="Create form", kind="create",
      scopes=["create:forms"], output=returns(id="string"),
      example={"name": "Profile", "languages": {"primary": "en"}})
async def create_form(ctx: ToolContext, args: CreateArgs) -> ToolResult:
    """Create a form (nodes: FLOW/ROUTER/STEP; next_node: node id or $ending)."""
    sent = body(ctx, args)
    created = await ctx.api.post(PATH, sent)
    out = saved(created, sent)
    return ToolResult(out, f"Created form {created.get('name')!r} ({created.get('id')}).")


@attrs.frozen
class UpdateArgs:
    id: str = arg(minLength=1)
    name: str | None = arg(None)
    nodes: list[Obj] | None = arg(None)
    start: Obj | None = arg(None)
    ending: Obj | None = arg(None)
    languages: Obj | None = arg(None)
    messages: Obj | None = arg(None)
    translations: Obj | None = arg(None)
    style: Obj | None = arg(None)


@tool(name="auth0_update_form", title="Update form", kind="update", idempotent=True,
      scopes=["update:forms"], output=returns(id="string"),
      example={"id": "ap_6JUSCU7qq1CravnoU6d6jr", "name": "Profile v2"})
async def update_form(ctx: ToolContext, args: UpdateArgs) -> ToolResult:
    """Update a form; nodes replaces all nodes."""
    sent = body(ctx, args)
    path = f"{PATH}/{segment(args.id)}"
    if not sent:
        return ToolResult(summary(await ctx.api.get(path)), "Nothing to change.")
    updated = await ctx.api.patch(path, sent)
    return ToolResult(saved(updated, sent), f"Updated {', '.join(sorted(sent))}.")


@attrs.frozen
class DeleteArgs:
    id: str = arg(minLength=1)


def recreate_form(prior: Obj) -> tuple[str, Obj]:
    """Undo of a delete: the same form under a new id (flows that rendered it by id must be
    pointed at it again)."""
    keep = ("name", "nodes", "start", "ending", "languages", "messages", "translations",
            "style")
    return "/forms", {k: prior[k] for k in keep if prior.get(k) is not None}


@tool(name="auth0_delete_form", title="Delete form", kind="delete", destructive=True,
      target=Target(recreate=recreate_form),
      idempotent=True, scopes=["delete:forms"], output=returns(deleted="string"),
      example={"id": "ap_6JUSCU7qq1CravnoU6d6jr"})
async def delete_form(ctx: ToolContext, args: DeleteArgs) -> Obj:
    """Delete a form; Actions that render it break."""
    await ctx.api.delete(f"{PATH}/{segment(args.id)}")
    return {"deleted": args.id}


@attrs.frozen
class PublishArgs:
    id: str = arg(minLength=1)
    nodes: list[Obj] | None = arg(None, "New graph; default: the saved one")
    start: Obj | None = arg(None)
    ending: Obj | None = arg(None)


@tool(name="auth0_publish_form", title="Publish form", kind="action", idempotent=True,
      scopes=["read:forms", "update:forms"],
      output=returns(id="string", saved="boolean", nodes="integer", checked="string"),
      example={"id": "ap_6JUSCU7qq1CravnoU6d6jr"})
async def publish_form(ctx: ToolContext, args: PublishArgs) -> ToolResult:
    """Check the form graph (start, nodes, ending reachable; no dangling next_node; unique ids),
    then save it like the dashboard's Publish. If invalid, nothing is saved."""
    path = f"{PATH}/{segment(args.id)}"
    given = {k: v for k, v in (("start", args.start), ("nodes", args.nodes),
                               ("ending", args.ending)) if v is not None}
    if len(given) < len(GRAPH):
        current = await ctx.api.get(path)
        graph_body = {k: given.get(k, current.get(k)) for k in GRAPH}
    else:
        graph_body = given
    report = graph.check(graph_body["start"], graph_body["nodes"], graph_body["ending"])
    if not report.ok:
        raise ToolError(f"form {args.id} was NOT saved: {report.sentence()}. Fix these (e.g. "
                        "with auth0_update_form or by passing nodes/start/ending here) and "
                        "publish again")
    updated = await ctx.api.patch(path, {k: v for k, v in graph_body.items() if v is not None})
    done = f"{report.sentence()}; saved"
    return ToolResult({"id": updated.get("id", args.id), "saved": True, "nodes": report.nodes,
                       "checked": done, "updated_at": updated.get("updated_at")},
                      f"Published form {args.id}: {done}.")
