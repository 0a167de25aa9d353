"""JSON schemas generated from attrs argument classes, kept small because every byte of
``tools/list`` is spent from the model's context on every session.

Conventions: a field without a default is required; ``X | None = None`` is an optional ``X``
(the model omits it rather than sending null); a trailing underscore is dropped from the wire
name (``from_`` is ``from``); ``additionalProperties`` is always false.
"""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import attrs


def wire_name(field: attrs.Attribute[Any]) -> str:
    return field.name[:-1] if field.name.endswith("_") else field.name


def _type_schema(tp: Any) -> dict[str, Any]:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if tp is Any or tp is object:
        return {}
    if origin in (typing.Union, types.UnionType):
        options = [a for a in args if a is not type(None)]
        if len(options) == 1:
            return _type_schema(options[0])
        return {"anyOf": [_type_schema(a) for a in options]}
    if origin is Literal:
        values = list(args)
        kinds = {type(v) for v in values}
        schema: dict[str, Any] = {"enum": values}
        if kinds == {str}:
            schema = {"type": "string", **schema}
        return schema
    if tp is str:
        return {"type": "string"}
    if tp is bool:
        return {"type": "boolean"}
    if tp is int:
        return {"type": "integer"}
    if tp is float:
        return {"type": "number"}
    if origin in (list, tuple, Sequence, typing.Sequence) or tp in (list, tuple):
        item = args[0] if args else Any
        return {"type": "array", "items": _type_schema(item)}
    if origin in (dict, Mapping, typing.Mapping) or tp is dict:
        return {"type": "object"}
    if attrs.has(tp):
        return _object_schema(tp)
    raise TypeError(f"no JSON schema for argument type {tp!r}")


def _object_schema(cls: type) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    properties: dict[str, Any] = {}
    required: list[str] = []
    for field in attrs.fields(cls):
        prop = _type_schema(hints[field.name])
        meta = field.metadata
        if meta.get("description"):
            prop["description"] = meta["description"]
        prop.update(meta.get("schema", {}))
        default = field.default
        if default is attrs.NOTHING:
            required.append(wire_name(field))
        elif not isinstance(default, attrs.Factory) and default not in (None, "", False):  # type: ignore[arg-type]
            prop.setdefault("default", default)  # falsy defaults go unsaid: they cost context
        properties[wire_name(field)] = prop
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    schema["additionalProperties"] = False
    return schema


@functools.cache
def input_schema(cls: type) -> dict[str, Any]:
    """The ``inputSchema`` of a tool whose arguments are the attrs class ``cls``."""
    return _object_schema(cls)


def _lean(node: Any, *, root: bool) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "minLength" and value == 1:
                continue  # "non-empty" is still enforced by validation
            if key == "additionalProperties" and value is False and not root:
                continue  # nested unknown keys are still rejected by validation
            out[key] = _lean(value, root=False)
        return out
    if isinstance(node, list):
        return [_lean(v, root=False) for v in node]
    return node


@functools.cache
def published_schema(cls: type) -> dict[str, Any]:
    """The schema ``tools/list`` shows: the validation schema without the keywords that only
    guard against mistakes the pipeline catches anyway (``minLength: 1``, nested
    ``additionalProperties: false``), because every byte is paid in every session."""
    lean: dict[str, Any] = _lean(input_schema(cls), root=True)
    return lean


@functools.cache
def secret_fields(cls: type) -> frozenset[str]:
    """Wire names of the fields declared ``secret=True`` in ``cls`` and the classes it nests."""
    found: set[str] = set()
    hints = typing.get_type_hints(cls)
    for field in attrs.fields(cls):
        if field.metadata.get("secret"):
            found.add(wire_name(field))
        for inner in _nested_classes(hints[field.name]):
            found |= secret_fields(inner)
    return frozenset(found)


def _nested_classes(tp: Any) -> list[type]:
    if attrs.has(tp):
        return [tp]
    return [c for a in typing.get_args(tp) for c in _nested_classes(a)]
