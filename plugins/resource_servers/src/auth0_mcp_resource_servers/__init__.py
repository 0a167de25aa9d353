"""Auth0 resource servers tools for auth0-mcp."""
