"""Auth0 logs tools for auth0-mcp."""
