"""auth0-mcp: manage an Auth0 tenant from any MCP client."""

__version__ = "0.1.0"
