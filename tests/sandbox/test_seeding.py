"""Families contribute their emulators through the plugin hook, and seed the demo tenant in
the order their ``seed_after`` asks, whichever subset of them is installed, idempotently."""

from __future__ import annotations

import importlib.util

import pytest

from auth0_mcp_sandbox.routing import Router
from auth0_mcp_sandbox.seed import admin_client, seed_order, seed_tenant
from auth0_mcp_sandbox.server import SandboxServer, plugin_routers
from auth0_mcp_sandbox.tenant import SandboxTenant

FIRST_PARTY = {"clients": "auth0_mcp_applications", "client_grants": "auth0_mcp_applications",
               "resource_servers": "auth0_mcp_resource_servers",
               "actions": "auth0_mcp_actions", "logs": "auth0_mcp_logs",
               "forms": "auth0_mcp_forms"}


def test_first_party_emulators_live_in_their_plugins_and_come_through_the_hook():
    routers = {r.name: r for r in plugin_routers()}
    for name, package in FIRST_PARTY.items():
        assert name in routers, name
        module = routers[name].routes[0].handler.__module__
        assert module.startswith(f"{package}.emulator"), module
    assert importlib.util.find_spec("auth0_mcp_sandbox.management") is None
    assert importlib.util.find_spec("auth0_mcp.sandbox") is None


def test_seed_order_follows_seed_after_and_ignores_missing_names():
    logs = Router("logs", seed_after=("clients", "users"))  # no users family here
    grants = Router("client_grants", seed_after=("clients", "resource_servers"))
    clients, apis, forms = Router("clients"), Router("resource_servers"), Router("forms")
    ordered = [r.name for r in seed_order([logs, grants, forms, clients, apis])]
    assert ordered == ["forms", "clients", "logs", "resource_servers", "client_grants"]
    assert [r.name for r in seed_order([logs])] == ["logs"]


def test_a_seed_after_cycle_is_a_clear_error():
    with pytest.raises(ValueError, match="cycle: a after b, b after a"):
        seed_order([Router("a", seed_after=("b",)), Router("b", seed_after=("a",))])


def test_seeding_again_adds_nothing_and_a_new_family_seeds_once():
    widgets = Router("widgets", seed_after=("clients",))
    seen: list[int] = []

    @widgets.seed
    def _seed(tenant: SandboxTenant) -> None:
        seen.append(len(tenant.collection("clients")))
        tenant.collection("widgets")["w1"] = {"id": "w1"}

    routers = plugin_routers()
    tenant = SandboxTenant()
    seed_tenant(tenant, routers)
    sizes = {name: len(items) for name, items in tenant.collections.items()}
    logs = len(tenant.logs)
    seed_tenant(tenant, routers)
    assert {name: len(items) for name, items in tenant.collections.items()} == sizes
    assert len(tenant.logs) == logs
    seed_tenant(tenant, [*routers, widgets])
    seed_tenant(tenant, [*routers, widgets])
    assert seen == [sizes["clients"]] and tenant.collection("widgets") == {"w1": {"id": "w1"}}
    assert admin_client(tenant)["client_id"] in tenant.collection("clients")


def test_a_sandbox_with_one_family_logs_in_and_seeds_it():
    logs_only = [r for r in plugin_routers() if r.name == "logs"]
    with SandboxServer(with_plugins=False, extra_routers=logs_only) as box:
        assert box.tenant.seeded == ["logs"]
        assert len(box.tenant.logs) > 1000
        assert box.tenant.collection("forms") == {}
        client_id, _ = box.admin_credentials
        assert client_id in box.tenant.collection("clients")
