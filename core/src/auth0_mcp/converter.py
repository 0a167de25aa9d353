"""The one cattrs converter the core builds and injects into every handler's context.

Plugins never use cattrs' global converter: this one knows the wire-name convention of
schema.py (``from_`` travels as ``from``) and rejects keys the argument class does not declare.
"""

from __future__ import annotations

from typing import Any

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from .schema import wire_name


def _renames(cls: type) -> dict[str, Any]:
    return {f.name: override(rename=wire_name(f)) for f in attrs.fields(cls)
            if wire_name(f) != f.name}


def make_converter() -> cattrs.Converter:
    converter = cattrs.Converter(forbid_extra_keys=True)
    converter.register_structure_hook_factory(
        attrs.has,
        lambda cls: make_dict_structure_fn(cls, converter, _cattrs_forbid_extra_keys=True,
                                           **_renames(cls)),
    )
    converter.register_unstructure_hook_factory(
        attrs.has,
        lambda cls: make_dict_unstructure_fn(cls, converter, **_renames(cls)),
    )
    return converter


def describe_structure_error(exc: BaseException) -> str:
    """One readable line from a cattrs error tree (the JSON schema catches most cases first)."""
    if isinstance(exc, cattrs.ClassValidationError):
        notes = cattrs.transform_error(exc)
        return "; ".join(notes)
    return str(exc)
