"""The first-party Management API families, in seeding order (logs last: its demo events
refer to the seeded applications)."""

from __future__ import annotations

from ..routing import Router


def _load() -> list[Router]:
    import importlib

    routers = []
    for name in ("clients", "resource_servers", "client_grants", "actions", "forms", "logs"):
        try:
            module = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
            continue
        routers.append(module.router)
    return routers


ROUTERS: list[Router] = _load()
