"""Example third-party family: Auth0 log streams."""
