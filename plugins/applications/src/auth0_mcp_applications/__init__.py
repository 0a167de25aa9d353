"""Auth0 applications tools for auth0-mcp."""
