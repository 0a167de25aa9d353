"""The plugin host: discover entry points, load them deterministically, collect valid tools.

Stock pluggy would let a second plugin with the same name silently replace the first and would
crash on a plugin that fails to import; this loop names both distributions of a duplicate, and
reports a broken plugin on stderr and carries on (unless strict).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from importlib.metadata import EntryPoint, entry_points
from typing import Any

import attrs
import pluggy

from . import hookspecs
from .errors import SetupError
from .spec import ToolSpec

log = logging.getLogger("auth0_mcp.plugins")

GROUP = "auth0_mcp"
TOOL_NAME = re.compile(r"^auth0_[a-z0-9]+(?:_[a-z0-9]+)*$")
SCOPE = re.compile(r"^[a-z_]+:[a-z_]+$")


class PluginError(SetupError):
    """Start-up must stop: a duplicate plugin, an invalid tool, a broken plugin when strict."""


@attrs.frozen
class LoadedPlugin:
    name: str
    distribution: str
    version: str
    module: Any


@attrs.frozen
class SkippedPlugin:
    name: str
    distribution: str
    reason: str


@attrs.frozen
class PluginSet:
    """What start-up found: loaded plugins, skipped ones with the reason, and the pluggy manager."""

    manager: pluggy.PluginManager
    loaded: tuple[LoadedPlugin, ...]
    skipped: tuple[SkippedPlugin, ...]


def _dist(ep: EntryPoint) -> tuple[str, str]:
    dist = ep.dist
    return (dist.name, dist.version) if dist is not None else ("<unknown>", "")


def new_manager() -> pluggy.PluginManager:
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    return pm


def load_plugins(
    allow: Sequence[str] | None = None,
    block: Sequence[str] = (),
    *,
    strict: bool = False,
    extra: Iterable[tuple[str, Any]] = (),
    discovered: Iterable[EntryPoint] | None = None,
) -> PluginSet:
    """Load ``auth0_mcp`` entry points sorted by name; ``allow`` (None = all) and ``block`` filter
    by plugin name. ``extra`` registers in-process plugins (tests) as ``(name, module)`` pairs."""
    pm = new_manager()
    eps = sorted(discovered if discovered is not None else entry_points(group=GROUP),
                 key=lambda ep: (ep.name, _dist(ep)[0]))
    unknown = set(allow or ()) | set(block)
    loaded: list[LoadedPlugin] = []
    skipped: list[SkippedPlugin] = []
    seen: dict[str, str] = {}
    for ep in eps:
        dist, version = _dist(ep)
        unknown.discard(ep.name)
        if ep.name in seen:
            raise PluginError(
                f"two plugins are named {ep.name!r}: one from distribution {seen[ep.name]!r}, "
                f"one from {dist!r}; uninstall one of them"
            )
        seen[ep.name] = dist
        if allow is not None and ep.name not in allow:
            skipped.append(SkippedPlugin(ep.name, dist, "not in the allow list"))
            continue
        if ep.name in block:
            skipped.append(SkippedPlugin(ep.name, dist, "in the block list"))
            continue
        try:
            module = ep.load()
            pm.register(module, name=ep.name)
        except Exception as exc:
            if strict:
                raise PluginError(f"plugin {ep.name!r} ({dist}) failed to load: {exc}") from exc
            log.warning("skipping plugin %r from %s: failed to load: %s: %s",
                        ep.name, dist, type(exc).__name__, exc)
            skipped.append(SkippedPlugin(ep.name, dist, f"failed to load: {exc}"))
            continue
        loaded.append(LoadedPlugin(ep.name, dist, version, module))
    for name, module in extra:
        if name in seen:
            raise PluginError(f"two plugins are named {name!r}")
        seen[name] = "<in-process>"
        unknown.discard(name)
        pm.register(module, name=name)
        loaded.append(LoadedPlugin(name, "<in-process>", "", module))
    if unknown:
        log.warning("plugin filter names unknown plugins: %s", ", ".join(sorted(unknown)))
    pm.check_pending()
    return PluginSet(pm, tuple(loaded), tuple(skipped))


def check_spec(spec: ToolSpec) -> list[str]:
    """What is wrong with one tool's declaration, cheaply: run at every start."""
    problems = []
    if not TOOL_NAME.match(spec.name) or len(spec.name) > 64:
        problems.append("name must look like auth0_<verb>_<noun> (lower case, at most 64 chars)")
    if not spec.description.strip():
        problems.append("description is empty")
    if not spec.title.strip():
        problems.append("title is empty")
    if not spec.required_scopes:
        problems.append("required_scopes is empty: declare the Auth0 scopes the tool needs")
    problems += [f"scope {s!r} is not of the form action:resource"
                 for s in spec.required_scopes if not SCOPE.match(s)]
    if spec.read_only and spec.destructive:
        problems.append("a tool cannot be both read-only and destructive")
    if spec.output_schema is not None and spec.output_schema.get("type") != "object":
        problems.append("output schema root must be type object")
    return problems


def validate_spec(spec: ToolSpec) -> list[str]:
    """Everything wrong with one tool, as readable sentences (empty when valid): the cheap
    checks plus JSON-schema meta-validation and the example. Too slow for every start (a
    third of it); the contract tests and ``plugins list`` run it."""
    import jsonschema

    problems = check_spec(spec)
    try:
        jsonschema.Draft202012Validator.check_schema(spec.input_schema)
    except (jsonschema.SchemaError, TypeError) as exc:
        problems.append(f"input schema invalid: {getattr(exc, 'message', exc)}")
    if spec.output_schema is not None:
        try:
            jsonschema.Draft202012Validator.check_schema(spec.output_schema)
        except jsonschema.SchemaError as exc:
            problems.append(f"output schema invalid: {exc.message}")
    if spec.example is not None:
        errors = list(jsonschema.Draft202012Validator(spec.input_schema).iter_errors(spec.example))
        if errors:
            problems.append(f"example arguments do not validate: {errors[0].message}")
    return problems


def collect_tools(plugins: PluginSet, *, thorough: bool = False) -> tuple[ToolSpec, ...]:
    """Every plugin's tools, checked (``thorough``: fully validated), with their origin filled
    in, sorted by name."""
    by_name: dict[str, ToolSpec] = {}
    origin = {p.name: p.distribution for p in plugins.loaded}
    for name, plugin in sorted(plugins.manager.list_name_plugin(), key=lambda np: np[0]):
        impl = getattr(plugin, "auth0_mcp_register_tools", None)
        if impl is None:
            continue
        for spec in impl() or ():
            if not isinstance(spec, ToolSpec):
                raise PluginError(f"plugin {name!r} returned {spec!r}, not a ToolSpec")
            spec = attrs.evolve(spec, plugin=name, distribution=origin.get(name, ""))
            problems = (validate_spec if thorough else check_spec)(spec)
            if problems:
                raise PluginError(f"tool {spec.name!r} from plugin {name!r} is invalid: "
                                  + "; ".join(problems))
            if spec.name in by_name:
                other = by_name[spec.name]
                raise PluginError(f"tool {spec.name!r} is defined by plugins {other.plugin!r} "
                                  f"and {name!r}")
            by_name[spec.name] = spec
    return tuple(by_name[n] for n in sorted(by_name))
