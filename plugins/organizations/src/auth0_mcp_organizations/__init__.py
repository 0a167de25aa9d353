"""auth0-mcp organizations family: Auth0 organizations, members, connections, invitations."""
