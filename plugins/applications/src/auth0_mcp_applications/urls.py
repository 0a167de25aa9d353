"""Which callback URLs Auth0 cannot verify (reference #162): for these the application needs
``skip_non_verifiable_callback_uri_confirmation_prompt`` or every login shows a warning."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit


def non_verifiable(url: str) -> bool:
    """Custom schemes (``com.example.app://``), ``localhost`` and loopback addresses."""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower()
    except ValueError:
        return False
    if parts.scheme.lower() not in ("http", "https"):
        return bool(parts.scheme)
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
