"""What a handler receives: the tenant's Management API client and nothing it should not have.

Tokens never reach plugins: the client adds them itself.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:  # annotations only: plugins import ToolContext before any client exists
    import cattrs

    from .management import ManagementClient

_REGION = re.compile(r"^(?P<tenant>[a-z0-9-]+)\.(?:(?P<region>[a-z]{2}\d?)\.)?auth0\.com$")


@attrs.frozen
class Tenant:
    domain: str

    @property
    def dashboard_url(self) -> str | None:
        """The Auth0 dashboard for this tenant, with the right region (the reference always
        says ``us``); None for custom domains and the sandbox, where it cannot be derived."""
        m = _REGION.match(self.domain.split(":")[0])
        if not m:
            return None
        return f"https://manage.auth0.com/dashboard/{m['region'] or 'us'}/{m['tenant']}"


@attrs.frozen
class ToolContext:
    api: ManagementClient
    tenant: Tenant
    granted_scopes: frozenset[str] | None
    converter: cattrs.Converter
    log: logging.Logger
    journal: Any = None  # the audit journal (safety/journal.py), for auth0_undo
    tools: Mapping[str, Any] = attrs.field(factory=dict)  # every served ToolSpec, by name
