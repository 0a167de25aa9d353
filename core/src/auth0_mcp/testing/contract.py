"""The contract every tool family passes, first- or third-party.

Subclass it in your plugin's tests and name your plugin module::

    from auth0_mcp.testing.contract import ToolFamilyContract
    import my_family.plugin

    class TestContract(ToolFamilyContract):
        plugin = my_family.plugin

It checks what start-up checks (names, schemas, annotations, scopes) plus what a reviewer
would: every tool has example arguments that validate, descriptions are short, destructive
tools say so, and the catalog entry stays within a context budget.
"""

from __future__ import annotations

import json
from types import ModuleType
from typing import Any, ClassVar

import jsonschema
import pytest

from ..plugins import validate_spec
from ..spec import ToolSpec


class ToolFamilyContract:
    plugin: ClassVar[ModuleType | Any]
    max_tool_bytes: ClassVar[int] = 2500  # one tool's tools/list entry
    max_description_chars: ClassVar[int] = 400
    family_budget: ClassVar[int | None] = None  # bytes of tools/list for the whole family

    @pytest.fixture
    def specs(self) -> list[ToolSpec]:
        specs = list(self.plugin.auth0_mcp_register_tools())
        assert specs, "the plugin registers no tools"
        return specs

    def test_specs_are_valid(self, specs: list[ToolSpec]) -> None:
        for spec in specs:
            assert isinstance(spec, ToolSpec), spec
            assert validate_spec(spec) == [], (spec.name, validate_spec(spec))

    def test_names_are_unique(self, specs: list[ToolSpec]) -> None:
        names = [s.name for s in specs]
        assert len(names) == len(set(names))

    def test_every_tool_has_a_valid_example(self, specs: list[ToolSpec]) -> None:
        for spec in specs:
            assert spec.example is not None, f"{spec.name} has no example arguments"
            jsonschema.Draft202012Validator(spec.input_schema).validate(spec.example)

    def test_annotations_are_consistent(self, specs: list[ToolSpec]) -> None:
        for spec in specs:
            if spec.destructive:  # core asks the user before it applies (safety/policy.py)
                assert not spec.read_only
            if spec.kind == "delete":
                assert spec.destructive, f"{spec.name} deletes: declare destructive=True"
            if spec.read_only:
                assert all(s.startswith("read:") for s in spec.required_scopes), (
                    f"{spec.name} is read-only but asks for write scopes")
                assert spec.idempotent, f"{spec.name}: reads are idempotent"

    def test_descriptions_are_short(self, specs: list[ToolSpec]) -> None:
        for spec in specs:
            assert len(spec.description) <= self.max_description_chars, spec.name

    def test_catalog_cost(self, specs: list[ToolSpec]) -> None:
        from ..server import to_mcp_tool

        for spec in specs:
            size = len(to_mcp_tool(spec).model_dump_json(by_alias=True, exclude_none=True))
            assert size <= self.max_tool_bytes, f"{spec.name} costs {size} bytes"

    def test_family_stays_within_its_budget(self, specs: list[ToolSpec]) -> None:
        """The family's share of ``tools/list``, as ``auth0-mcp tools list`` counts it."""
        if self.family_budget is None:
            pytest.skip("no family_budget declared")
        from ..server import to_mcp_tool

        listed = ",".join(to_mcp_tool(s).model_dump_json(by_alias=True, exclude_none=True)
                          for s in specs)
        assert len(listed.encode()) <= self.family_budget, (
            f"{len(listed.encode())} bytes for a budget of {self.family_budget}")

    def test_schemas_are_portable(self, specs: list[ToolSpec]) -> None:
        """Strict clients (VS Code) reject arrays without ``items`` and type lists."""

        def walk(node: Any, where: str) -> None:
            if isinstance(node, dict):
                if node.get("type") == "array":
                    assert "items" in node, f"{where}: array without items"
                assert not isinstance(node.get("type"), list), f"{where}: type list"
                for key, value in node.items():
                    walk(value, f"{where}.{key}")
            elif isinstance(node, list):
                for i, value in enumerate(node):
                    walk(value, f"{where}[{i}]")

        for spec in specs:
            walk(spec.input_schema, spec.name)
            json.dumps(spec.input_schema)
