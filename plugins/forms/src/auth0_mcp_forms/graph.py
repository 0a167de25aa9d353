"""Checking a form's graph before it is saved as "published".

A form is ``start`` -> nodes -> ``ending``. Edges are node ids (or ``$ending``) in
``start.next_node``, a STEP's or FLOW's ``config.next_node``, a ROUTER's
``config.rules[].next_node`` and ``config.fallback``, and a STEP's JUMP_BUTTON components
(``config.next_node``). The Management API schema only checks each node's shape, not that
the pointers lead anywhere, and a form with a gap breaks only when a user reaches it; so
publishing checks the whole graph first.

Forms created before 2024-09-23 may come back in camelCase (``nextNode``); both spellings are read.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import attrs

ENDING = "$ending"
NODE_TYPES = ("FLOW", "ROUTER", "STEP")


def _get(obj: Any, *names: str) -> Any:
    if not isinstance(obj, Mapping):
        return None
    for name in names:
        if obj.get(name) is not None:
            return obj[name]
    return None


def _next(obj: Any) -> Any:
    return _get(obj, "next_node", "nextNode")


@attrs.frozen
class Edge:
    source: str  # where the pointer lives, e.g. "node step_1 config.next_node"
    target: Any  # a node id, "$ending", or whatever was there


@attrs.frozen
class Report:
    nodes: int
    reachable: int
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    def sentence(self) -> str:
        if self.ok:
            return f"validated {self.nodes} node(s), all reachable from start, ending reachable"
        return f"{len(self.problems)} problem(s): " + "; ".join(
            f"{i}) {p}" for i, p in enumerate(self.problems, 1))


def edges(node: Mapping[str, Any]) -> Iterator[Edge]:
    """Every pointer out of one node, whether set or not (None marks a missing one)."""
    nid = node.get("id")
    kind = node.get("type")
    raw = node.get("config")
    config: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
    where = f"node {nid}"
    if kind in ("STEP", "FLOW"):
        yield Edge(f"{where} config.next_node", _next(config))
    if kind == "STEP":
        for comp in config.get("components") or []:
            if isinstance(comp, Mapping) and comp.get("type") == "JUMP_BUTTON":
                yield Edge(f"{where} jump button {comp.get('id')} config.next_node",
                           _next(comp.get("config")))
    if kind == "ROUTER":
        for i, rule in enumerate(config.get("rules") or []):
            label = rule.get("id", i) if isinstance(rule, Mapping) else i
            yield Edge(f"{where} rule {label} next_node", _next(rule))
        yield Edge(f"{where} config.fallback", config.get("fallback"))


def check(start: Any, nodes: Sequence[Any] | None, ending: Any) -> Report:
    """Every problem in the graph: missing or duplicate node ids, unknown node types, dangling
    or missing pointers, nodes unreachable from start, an ending that cannot be reached."""
    problems: list[str] = []
    by_id: dict[str, Mapping[str, Any]] = {}
    for index, node in enumerate(nodes or []):
        if not isinstance(node, Mapping):
            problems.append(f"nodes[{index}] is not an object")
            continue
        nid = node.get("id")
        if not isinstance(nid, str) or not nid:
            problems.append(f"nodes[{index}] has no id")
            continue
        if nid == ENDING:
            problems.append(f"nodes[{index}] uses the reserved id {ENDING}")
            continue
        if nid in by_id:
            problems.append(f"duplicate node id {nid}")
            continue
        if node.get("type") not in NODE_TYPES:
            problems.append(f"node {nid} has type {node.get('type')!r}, not one of "
                            f"{', '.join(NODE_TYPES)}")
        by_id[nid] = node

    def follow(edge: Edge) -> str | None:
        """The node id an edge leads to, recording a problem if it leads nowhere."""
        if edge.target is None or edge.target == "":
            problems.append(f"{edge.source} is not set (dead end)")
            return None
        if edge.target == ENDING:
            return ENDING
        if not isinstance(edge.target, str) or edge.target not in by_id:
            problems.append(f"{edge.source} points to {edge.target!r}, which is not a node id "
                            f"or {ENDING}")
            return None
        return edge.target

    if ending is None:
        problems.append("ending is missing")
    reached: set[str] = set()
    first = follow(Edge("start.next_node", _next(start)))
    queue = [first] if first else []
    while queue:
        current = queue.pop()
        if current in reached:
            continue
        reached.add(current)
        if current == ENDING:
            continue
        for edge in edges(by_id[current]):
            target = follow(edge)
            if target and target not in reached:
                queue.append(target)
    for nid, node in by_id.items():  # pointers inside unreachable nodes are checked too
        if nid not in reached:
            problems.append(f"node {nid} is not reachable from start")
            for edge in edges(node):
                follow(edge)
    if first and ENDING not in reached:
        problems.append("the ending cannot be reached from start")
    return Report(len(by_id), len(reached - {ENDING}), tuple(dict.fromkeys(problems)))
