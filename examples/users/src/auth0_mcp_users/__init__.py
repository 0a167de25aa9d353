"""Example third-party family: users."""
