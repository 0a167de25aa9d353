"""Auth0 connections tools for auth0-mcp."""
