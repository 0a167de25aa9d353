"""The first-party Management API families, in seeding order: applications first (the others
refer to them), logs last (its demo events name the seeded applications and APIs)."""

from __future__ import annotations

from ..routing import Router
from . import actions, client_grants, clients, forms, logs, resource_servers

ROUTERS: list[Router] = [clients.router, resource_servers.router, client_grants.router,
                         actions.router, forms.router, logs.router]
