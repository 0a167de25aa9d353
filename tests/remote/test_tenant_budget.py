"""The tenant's Management API budget, learned from X-RateLimit-* headers and shared: two
clients (as two instances) that share a store stay under the tenant's limit together; two
that do not run into it."""

from __future__ import annotations

import anyio
import httpx

from auth0_mcp.credentials import ClientCredentials
from auth0_mcp.management import ManagementClient, RateLimitState
from auth0_mcp.state import MemoryState
from auth0_mcp_sandbox.server import SandboxServer


async def burst(box: SandboxServer, shared: bool, warm: int = 2) -> tuple[int, int]:
    """(calls that failed, 429s the tenant answered) for 2 x 8 concurrent GETs, after the
    first ``warm`` clients had one answer each."""
    client_id, secret = box.admin_credentials
    state = MemoryState() if shared else None
    clients = [ManagementClient(box.base_url,
                                ClientCredentials(box.base_url, client_id, secret),
                                state=state or MemoryState(), rate_limit_budget=10)
               for _ in range(2)]
    for api in clients[:warm]:  # each learns the bucket from one answer, as a started instance
        await api.get("/clients", per_page=1)
    throttled = box.stats()["throttled"]
    failed = 0

    async def one(api: ManagementClient) -> None:
        nonlocal failed
        try:
            await api.get("/clients", per_page=1)
        except Exception:
            failed += 1

    try:
        async with anyio.create_task_group() as tg:
            for _ in range(8):
                for api in clients:
                    tg.start_soon(one, api)
    finally:
        for api in clients:
            await api.aclose()
    return failed, box.stats()["throttled"] - throttled


async def test_instances_sharing_the_budget_stay_under_the_tenants_limit():
    """Only the first instance has had an answer: the second's first calls take their turns
    too, from what the first learned and left in the store, and then both pace together."""
    with SandboxServer(empty=True) as box:
        box.set_rate_limit(6, 3)
        assert await burst(box, shared=True, warm=1) == (0, 0)


async def test_instances_each_with_their_own_budget_hit_the_limit():
    with SandboxServer(empty=True) as box:
        box.set_rate_limit(6, 3)
        _, throttled = await burst(box, shared=False)
        assert throttled > 0  # what sharing prevents (retries still hide most of it)


def test_learned_rate_never_overestimates():
    rate = RateLimitState()
    sent = 1_000_000.9  # the sandbox answers in the next second: span 2, not 1
    rate.update(httpx.Headers({"x-ratelimit-limit": "10", "x-ratelimit-remaining": "6",
                               "x-ratelimit-reset": "1000002"}), sent_at=sent)
    assert rate.limit == 10 and rate.per_second == 2.0
