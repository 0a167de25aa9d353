"""Remote mode: Streamable HTTP protected by Auth0 OAuth, shared by a team.

The server is an OAuth 2.1 protected resource (RFC 9728 metadata, JWT bearer tokens). Each
caller sees and may call only the tools their token's permissions allow, while the Management
API is called with the server's own credentials, never the caller's token.
"""
