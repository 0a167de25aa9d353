"""The official TypeScript server's tool names that this project also offers, so the context
cost of "the same catalog" can be compared (its three local-only tools have no equivalent)."""

REFERENCE_EQUIVALENT = frozenset({
    "auth0_list_applications", "auth0_get_application", "auth0_create_application",
    "auth0_update_application", "auth0_list_resource_servers", "auth0_get_resource_server",
    "auth0_create_resource_server", "auth0_update_resource_server", "auth0_list_actions",
    "auth0_get_action", "auth0_create_action", "auth0_update_action", "auth0_deploy_action",
    "auth0_list_logs", "auth0_get_log", "auth0_list_forms", "auth0_get_form",
    "auth0_create_form", "auth0_update_form", "auth0_create_application_grant",
})
REFERENCE_TOOLS_LIST_BYTES = 36_700  # measured: the reference's 23 tools
