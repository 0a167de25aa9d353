"""The fields each log event type always carries, from Auth0's tenant-logs schema.

``log_event_fields.json`` (written by ``sandbox/tools/derive_schemas.py`` from
``logs-schema.json``) lists, per event type code, the fields Auth0 always sends and their JSON
types. ``SandboxTenant.record`` fills in any an emulator did not give, so every event the
sandbox logs, whichever family recorded it, has the shape Auth0's has.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .tenant import SandboxTenant

ENVIRONMENT = "sandbox-local-1"  # Auth0 names its environments like "prod-eu-1"
_EMPTY: dict[str, Any] = {"string": "", "object": {}, "array": [], "boolean": False,
                          "number": 0, "integer": 0}


@cache
def required_fields() -> dict[str, dict[str, str]]:
    text = resources.files(__package__).joinpath("log_event_fields.json").read_text("utf-8")
    return json.loads(text)


def _default(tenant: SandboxTenant, name: str, kind: str) -> Any:
    known = {"tenant_name": tenant.name, "environment_name": ENVIRONMENT,
             "hostname": tenant.domain, "ip": "127.0.0.1", "strategy": "auth0",
             "strategy_type": "database", "audience": tenant.management_audience}
    if name in known:
        return known[name]
    empty = _EMPTY.get(kind)  # None where the schema gives no type ("any")
    return empty.copy() if isinstance(empty, dict | list) else empty


def complete(tenant: SandboxTenant, event: dict[str, Any]) -> None:
    """Add the fields Auth0 always sends for ``event["type"]`` that it lacks."""
    for name, kind in required_fields().get(event.get("type", ""), {}).items():
        if name not in event and name not in ("log_id", "_id"):  # the tenant numbers events
            event[name] = _default(tenant, name, kind)
