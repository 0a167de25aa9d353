"""Auth0 users tools for auth0-mcp."""
