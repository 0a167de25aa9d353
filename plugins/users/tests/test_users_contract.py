"""The users family passes the contract every family passes, and stays within its share of the
nine-family tools/list budget."""

import auth0_mcp_users.plugin as plugin_module
from auth0_mcp.cli.tools_cmd import tool_json
from auth0_mcp.testing.contract import ToolFamilyContract

BUDGET = 4700  # bytes of tools/list for the whole family, with the confirm argument core adds
# to each write (issue #14: nine families within 36,600, tests/safety/test_budget.py)


class TestContract(ToolFamilyContract):
    plugin = plugin_module


def test_the_family_fits_its_tools_list_budget():
    specs = plugin_module.auth0_mcp_register_tools()
    size = len(('{"tools":[' + ",".join(tool_json(s) for s in specs) + "]}").encode())
    assert size <= BUDGET, f"the users family costs {size} bytes of tools/list"


def test_every_write_declares_what_it_changes():
    specs = {s.name: s for s in plugin_module.auth0_mcp_register_tools()}
    kinds = {name: spec.kind for name, spec in specs.items()}
    assert kinds == {
        "auth0_search_users": "read", "auth0_get_user": "read", "auth0_get_user_activity": "read",
        "auth0_create_user": "create", "auth0_update_user": "update",
        "auth0_delete_user": "delete", "auth0_block_user": "action",
        "auth0_update_user_roles": "action", "auth0_reset_user_mfa": "action",
        "auth0_create_user_ticket": "action"}
    for name in ("auth0_update_user", "auth0_delete_user", "auth0_block_user"):
        assert specs[name].target.label == "email" and specs[name].target.read is not None
    for name in ("auth0_create_user", "auth0_update_user"):
        password = next(f for f in specs[name].input_type.__attrs_attrs__ if f.name == "password")
        assert password.metadata["secret"] is True, name
