"""What a user may give as the tenant (``tenant.eu.auth0.com``, ``https://...``, a loopback
sandbox URL), turned into the base URL every request uses. Kept apart from the HTTP client so
reading credentials at start-up does not import it."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from .errors import SetupError


class DomainError(SetupError, ValueError):
    """The tenant domain given cannot be used; the message says why."""


def is_loopback(host: str) -> bool:
    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def base_url_for(domain: str) -> str:
    """``https://<domain>``; a full ``http://`` origin is accepted only for loopback (sandbox).

    A bare tenant name without a dot gets ``.us.auth0.com``, as in the reference.
    """
    domain = domain.strip().rstrip("/")
    if not domain:
        raise DomainError("the Auth0 domain is empty")
    if "://" in domain:
        parts = urlsplit(domain)
        if parts.scheme == "http":
            if not is_loopback(parts.hostname or ""):
                raise DomainError(f"refusing plain http for {parts.hostname}: only loopback "
                                 "addresses (the sandbox) may use http://")
            return f"http://{parts.netloc}"
        if parts.scheme != "https":
            raise DomainError(f"unsupported scheme in Auth0 domain {domain!r}")
        domain = parts.netloc
    if "/" in domain:
        raise DomainError(f"the Auth0 domain {domain!r} must be a host name, not a URL path")
    if "." not in domain and ":" not in domain:
        domain += ".us.auth0.com"
    return f"https://{domain}"
