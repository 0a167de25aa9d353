"""Auth0 actions tools for auth0-mcp."""
