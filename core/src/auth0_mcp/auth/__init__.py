"""Logging in: the device flow, client credentials, stored profiles and their refresh."""
