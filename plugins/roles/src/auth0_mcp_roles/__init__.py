"""auth0-mcp roles family: Auth0 roles, their permissions and their users."""
