"""The forms family passes the contract every family passes (auth0_mcp.testing.contract)."""

import auth0_mcp_forms.plugin as plugin_module
from auth0_mcp.testing.contract import ToolFamilyContract


class TestContract(ToolFamilyContract):
    plugin = plugin_module
