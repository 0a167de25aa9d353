"""What a plugin declares: a ``ToolSpec`` per tool, usually built with the ``@tool`` decorator.

A tool's arguments are an attrs class whose fields are declared with ``arg()``; the JSON schema
the model sees is generated from it (schema.py), so the schema and the structured arguments the
handler receives can never drift apart.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal

import attrs

if TYPE_CHECKING:
    from .context import ToolContext

Handler = Callable[["ToolContext", Any], Awaitable[Any]]
Kind = Literal["read", "create", "update", "delete", "action"]
"""What a tool does to the tenant. ``action`` is any other mutation (block, deploy, rollback,
bindings, send an email). Core decides plan, confirmation, journal and undo from it."""
KINDS: tuple[str, ...] = typing.get_args(Kind)

_NOTHING: Any = attrs.NOTHING


def arg(
    default: Any = _NOTHING,
    description: str = "",
    *,
    factory: Callable[[], Any] | None = None,
    secret: bool = False,
    **schema: Any,
) -> Any:
    """Declare one tool argument: its default, a short description for the model, and any
    extra JSON-schema keywords (``minimum``, ``maxLength``, ``pattern``, ``examples`` ...).

    ``secret=True`` (a password, an Action secret's value): masked in the audit journal and
    shown in plans only as "changed", whatever the key is called."""
    metadata = {"description": description, "schema": schema, "secret": secret}
    if factory is not None:
        return attrs.field(factory=factory, metadata=metadata)
    return attrs.field(default=default, metadata=metadata)


@attrs.frozen
class NoArguments:
    """Arguments of a tool that takes none."""


@attrs.frozen
class ToolResult:
    """A handler's answer: ``data`` becomes structuredContent; ``text`` (optional) is a short
    human summary placed before the compact JSON in the text content."""

    data: Mapping[str, Any]
    text: str | None = None


def _strings(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(values)


@attrs.frozen
class Target:
    """How core reads the object a write changes, for the plan, the confirmation, the journal
    and undo. Every field is optional: by default core reads the object with a GET on the
    write's own path.

    - ``read(ctx, args)``: the current object (None when it does not exist), for writes whose
      path is not the object's own (sub-resources, bindings).
    - ``label``: the field a person types back to confirm a delete, and names the object in
      plans ("name"; "email" for users).
    - ``recreate(prior)``: ``(path, body)`` that re-creates a deleted object from its journaled
      state, for undo; None when a delete cannot be undone.
    - ``critical``: fields whose change needs confirmation under the default policy, beyond
      core's own list (grant types, callbacks, origins, token lifetimes, scopes, options...).
    - ``dependents(ctx, prior)``: what depends on an object about to be deleted (an Action's
      bindings, an API's grants), shown in the plan; None when the family cannot tell.
    """

    read: Callable[[ToolContext, Any], Awaitable[Mapping[str, Any] | None]] | None = None
    label: str = "name"
    recreate: Callable[[dict[str, Any]], tuple[str, Mapping[str, Any]]] | None = None
    critical: tuple[str, ...] = attrs.field(default=(), converter=_strings)
    dependents: Callable[[ToolContext, dict[str, Any]],
                         Awaitable[Mapping[str, Any] | None]] | None = None


@attrs.frozen
class ToolSpec:
    """One MCP tool. ``read_only`` and ``required_scopes`` have no defaults: authors decide."""

    name: str
    title: str
    description: str
    read_only: bool
    required_scopes: tuple[str, ...] = attrs.field(converter=_strings)
    handler: Handler
    input_type: type = NoArguments
    output_schema: Mapping[str, Any] | None = None
    destructive: bool = False
    idempotent: bool = False
    open_world: bool = False
    timeout: float | None = None  # seconds; None takes the server default
    example: Mapping[str, Any] | None = None  # valid example arguments, checked by contract tests
    plugin: str = ""  # filled in by the plugin host
    distribution: str = ""  # filled in by the plugin host
    kind: Kind = attrs.field()
    target: Target | None = None

    @kind.default
    def _kind_from_read_only(self) -> str:
        """Tools written before kinds existed: read-only reads, anything else a mutation."""
        return "read" if self.read_only else "action"

    @property
    def input_schema(self) -> dict[str, Any]:
        """The schema arguments are validated against."""
        from .schema import input_schema

        return input_schema(self.input_type)

    @property
    def published_schema(self) -> dict[str, Any]:
        """The leaner schema ``tools/list`` shows (see schema.published_schema); a write also
        takes ``confirm``, the token a plan hands out (the server instructions explain it)."""
        from .schema import published_schema

        schema = published_schema(self.input_type)
        if self.kind == "read":
            return schema
        return {**schema, "properties": {**schema["properties"], "confirm": {}}}

    @property
    def secret_fields(self) -> frozenset[str]:
        """Argument names declared ``secret=True`` at any depth: masked in the journal and
        shown in plans only as "changed", whatever they are called."""
        from .schema import secret_fields

        return secret_fields(self.input_type)

    @property
    def listing(self) -> dict[str, Any]:
        """This tool as ``tools/list`` shows it, in wire (camelCase) form: the one definition
        both the early handshake and the SDK server serve.

        Hints equal to the MCP defaults (readOnly false, idempotent false) are left out;
        destructive and openWorld default to true, so false is always said."""
        annotations: dict[str, Any] = {"destructiveHint": self.destructive,
                                       "openWorldHint": self.open_world}
        if self.read_only:
            annotations["readOnlyHint"] = True
        if self.idempotent:
            annotations["idempotentHint"] = True
        listed: dict[str, Any] = {"name": self.name, "title": self.title,
                                  "description": self.description,
                                  "inputSchema": self.published_schema}
        if self.output_schema:
            listed["outputSchema"] = dict(self.output_schema)
            if self.kind != "read":  # a write may answer with its plan instead
                listed["outputSchema"].pop("required", None)
        listed["annotations"] = annotations
        return listed


def returns(**fields: str) -> dict[str, Any]:
    """A small output schema: ``returns(applications="array", total="integer")``.

    Output schemas cost context on every session, so they name only the top-level keys a
    client can rely on; ``"?integer"`` marks a key that may be absent.
    """
    properties = {k: {"type": t.lstrip("?")} for k, t in fields.items()}
    required = [k for k, t in fields.items() if not t.startswith("?")]
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema


def tool(
    *,
    name: str,
    title: str,
    scopes: Iterable[str],
    kind: Kind | None = None,
    read_only: bool | None = None,
    target: Target | None = None,
    destructive: bool = False,
    idempotent: bool = False,
    open_world: bool = False,
    output: Mapping[str, Any] | None = None,
    timeout: float | None = None,
    example: Mapping[str, Any] | None = None,
    description: str | None = None,
) -> Callable[[Handler], ToolSpec]:
    """Turn ``async def handler(ctx, args: ArgsClass) -> dict | ToolResult`` into a ToolSpec.

    ``kind`` says what the tool does (read, create, update, delete, action); ``read_only``
    follows from it (``read_only=`` alone is accepted from plugins written before kinds).
    The description is the handler's docstring unless given; the argument class is read from
    the annotation of the second parameter.
    """
    if kind is None:
        if read_only is None:
            raise TypeError(f"{name}: declare kind= (read, create, update, delete or action)")
        kind = "read" if read_only else "action"
    elif read_only is not None and read_only != (kind == "read"):
        raise TypeError(f"{name}: read_only={read_only} contradicts kind={kind!r}")
    if kind not in KINDS:
        raise TypeError(f"{name}: kind must be one of {', '.join(KINDS)}, not {kind!r}")
    is_read = kind == "read"

    def build(handler: Handler) -> ToolSpec:
        hints = typing.get_type_hints(handler)
        params = list(inspect.signature(handler).parameters)
        input_type = hints.get(params[1], NoArguments) if len(params) > 1 else NoArguments
        doc = description if description is not None else inspect.getdoc(handler) or ""
        return ToolSpec(
            name=name,
            title=title,
            description=doc,
            read_only=is_read,
            required_scopes=tuple(scopes),
            handler=handler,
            input_type=input_type,
            output_schema=output,
            destructive=destructive,
            idempotent=idempotent,
            open_world=open_world,
            timeout=timeout,
            example=example,
            kind=kind,
            target=target,
        )

    return build
