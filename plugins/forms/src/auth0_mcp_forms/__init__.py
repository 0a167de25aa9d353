"""Auth0 forms tools for auth0-mcp."""
