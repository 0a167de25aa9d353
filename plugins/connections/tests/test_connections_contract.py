"""The connections family passes the contract every family passes, within its context budget
(issue #14: at most 3,000 bytes of tools/list for the whole family)."""

from __future__ import annotations

import subprocess
import sys

import auth0_mcp_connections.plugin as plugin_module
from auth0_mcp.server import to_mcp_tool
from auth0_mcp.testing.contract import ToolFamilyContract

FAMILY_BUDGET = 3000


class TestContract(ToolFamilyContract):
    plugin = plugin_module


def test_the_family_stays_within_its_tools_list_budget():
    specs = list(plugin_module.auth0_mcp_register_tools())
    sizes = {s.name: len(to_mcp_tool(s).model_dump_json(by_alias=True, exclude_none=True))
             for s in specs}
    assert sum(sizes.values()) <= FAMILY_BUDGET, sizes


def test_every_write_declares_what_it_changes():
    kinds = {s.name: (s.kind, s.target) for s in plugin_module.auth0_mcp_register_tools()}
    assert kinds["auth0_update_connection"][1].critical == ("options",)
    assert kinds["auth0_delete_connection"][1].recreate is not None
    assert kinds["auth0_update_connection_clients"][0] == "action"
    assert kinds["auth0_update_connection_clients"][1].read is not None


def test_the_plugin_imports_without_the_sandbox():
    """Only the sandbox hook loads the emulator (and with it the sandbox framework)."""
    code = ("import sys, auth0_mcp_connections.plugin as p; p.auth0_mcp_register_tools(); "
            "print(sorted(m for m in sys.modules if 'sandbox' in m or 'emulator' in m))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, check=True)
    assert out.stdout.strip() == "[]"
