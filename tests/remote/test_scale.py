"""Remote mode on three instances sharing state in a real Redis, behind a round-robin proxy,
in front of one sandbox tenant (also the callers' token issuer) with a low rate limit.

The tests run in file order on one cluster: the later ones kill an instance and stop Redis.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import attrs
import httpx
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError

from auth0_mcp.testing.processes import CLEAN_ENV, EXE, free_port, stop, wait_until_up
from auth0_mcp.testing.proxy import RoundRobinProxy
from auth0_mcp.testing.redis import RedisServer
from auth0_mcp_sandbox.auth import mint_access_token
from auth0_mcp_sandbox.server import SandboxServer

from .conftest import need_redis

# One three-instance cluster for the module (the suite runs with --dist loadfile, so every
# test here is on the same xdist worker).

AUDIENCE = "https://mcp.example.test/mcp"
SCOPES = ["read:clients"]
CALLS_PER_MINUTE = 6  # per caller: a burst of 6, then one every 10 s
TENANT_LIMIT = 6  # the sandbox's Management API bucket: 6 at once, 6 per second
CONFIRM_KEY = "one-key-for-every-instance-of-this-deployment"
WRITER = ["read:clients", "create:clients", "update:clients"]


@attrs.define
class Cluster:
    box: SandboxServer
    redis: RedisServer
    instances: list[subprocess.Popen]
    urls: list[str]
    proxy: RoundRobinProxy
    audit_stdout: Path

    @property
    def mcp_url(self) -> str:
        return f"{self.proxy.url}/mcp"

    def token(self, sub: str, scopes: list[str] = SCOPES) -> str:
        return mint_access_token(self.box.tenant, sub=sub, scopes=scopes, audience=AUDIENCE)

    def client(self, sub: str, mode: str = "auto", scopes: list[str] = SCOPES) -> Client:
        http = httpx2.AsyncClient(
            headers={"Authorization": f"Bearer {self.token(sub, scopes)}"}, timeout=60)
        return Client(streamable_http_client(self.mcp_url, http_client=http), mode=mode)

    def served_since(self, start: int) -> set[int]:
        return set(self.proxy.served[start:])


def start_instance(box: SandboxServer, redis: RedisServer, logs: Path, n: int,
                   *extra: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    client_id, secret = box.admin_credentials
    env = {**CLEAN_ENV, "AUTH0_DOMAIN": box.base_url, "AUTH0_CLIENT_ID": client_id,
           "AUTH0_CLIENT_SECRET": secret, "AUTH0_MCP_STATE_URL": redis.url,
           "AUTH0_MCP_CONFIRM_KEY": CONFIRM_KEY}
    with (logs / f"out{n}").open("w") as out, (logs / f"err{n}").open("w") as err:
        proc = subprocess.Popen(
            [EXE, "run", "--transport", "http", "--port", str(port), "--oauth-issuer",
             box.issuer_url, "--oauth-audience", AUDIENCE, "--calls-per-minute",
             str(CALLS_PER_MINUTE), *extra],
            stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env)
    return proc, f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    need_redis()
    logs = tmp_path_factory.mktemp("instances")
    with RedisServer(tmp_path_factory.mktemp("redis")) as redis, \
            SandboxServer(empty=True) as box:
        box.set_rate_limit(TENANT_LIMIT, TENANT_LIMIT)
        started = [start_instance(box, redis, logs, 0, "--audit-log", "-"),
                   *(start_instance(box, redis, logs, n) for n in (1, 2))]
        procs = [p for p, _ in started]
        urls = [u for _, u in started]
        try:
            for proc, url in started:
                wait_until_up(f"{url}/mcp", proc)
            with RoundRobinProxy(urls) as proxy:
                yield Cluster(box, redis, procs, urls, proxy, logs / "out0")
        finally:
            for proc in procs:
                stop(proc)


async def status(url: str) -> int:
    async with httpx.AsyncClient() as http:
        return (await http.get(url)).status_code


def text(result) -> str:
    return result.content[0].text if result.content else ""


@pytest.mark.parametrize("mode", ["legacy", "auto"])
async def test_session_continues_across_instances(cluster: Cluster, mode: str):
    start = len(cluster.proxy.served)
    async with cluster.client(f"auth0|session-{mode}", mode) as c:
        assert "auth0_list_applications" in {t.name for t in (await c.list_tools()).tools}
        for _ in range(4):
            listed = await c.call_tool("auth0_list_applications", {"per_page": 2})
            assert not listed.is_error, text(listed)
    assert cluster.served_since(start) == {0, 1, 2}
    # instance 0 writes its audit trail to stdout, as JSON lines for a log pipeline
    lines = [json.loads(line) for line in cluster.audit_stdout.read_text().splitlines()]
    assert {(line["caller"], line["tool"], line["outcome"]) for line in lines} >= {
        (f"auth0|session-{mode}", "auth0_list_applications", "ok")}


async def test_one_callers_budget_holds_across_instances(cluster: Cluster):
    start = len(cluster.proxy.served)
    async with cluster.client("auth0|greedy") as c:
        results = [await c.call_tool("auth0_list_applications", {"per_page": 1})
                   for _ in range(CALLS_PER_MINUTE + 2)]
    assert [r.is_error for r in results] == [False] * CALLS_PER_MINUTE + [True, True]
    assert "Too many calls from auth0|greedy: retry in" in text(results[-1])
    assert cluster.served_since(start) == {0, 1, 2}


async def test_tenant_rate_limit_holds_across_instances(cluster: Cluster):
    """Together the instances pace to the tenant's bucket, learned from its headers: more
    calls than the bucket holds all succeed, and the tenant never answers 429. (Before any
    answer has said what the limit is, nobody can know it: one call learns it first.)"""
    async with cluster.client("auth0|team-warmup") as c:
        assert not (await c.call_tool("auth0_list_applications", {"per_page": 1})).is_error
    before = cluster.box.stats()
    outcomes: list[bool] = []

    async def caller(n: int) -> None:
        async with cluster.client(f"auth0|team-{n}") as c:
            for _ in range(2):
                outcomes.append((await c.call_tool("auth0_list_applications",
                                                   {"per_page": 1})).is_error)

    async with anyio.create_task_group() as tg:
        for n in range(6):
            tg.start_soon(caller, n)
    after = cluster.box.stats()
    assert outcomes == [False] * 12  # no 429 reached a caller
    sent = after["by_api"]["management"] - before["by_api"].get("management", 0)
    assert sent >= 12 == 2 * TENANT_LIMIT  # twice the bucket went through
    assert after["throttled"] - before["throttled"] == 0, (before, after)


async def test_a_confirmation_from_one_instance_is_spent_once_across_the_others(
        cluster: Cluster):
    """The plan comes from one instance, the user's yes reaches the next (same key, so the
    token is valid there) and is spent in Redis: the same token on the third is refused."""
    box = cluster.box
    async with cluster.client("auth0|confirmer", mode="legacy", scopes=WRITER) as c:
        created = await c.call_tool("auth0_create_application", {
            "name": "Shared confirm", "callbacks": ["https://a.example.com/cb",
                                                     "https://b.example.com/cb"]})
        assert not created.is_error, text(created)
        cid = created.structured_content["client_id"]
        change = {"client_id": cid, "remove": {"callbacks": ["https://b.example.com/cb"]}}
        served: list[int] = []

        async def call(arguments: dict[str, Any]) -> Any:
            start = len(cluster.proxy.served)
            result = await c.call_tool("auth0_update_application", arguments)
            served.extend(cluster.proxy.served[start:])
            return result

        def patches() -> int:  # the tenant's own record of every Management write to it
            return sum(1 for e in box.tenant.logs if e.get("type") == "sapi"
                       and e["details"]["request"]["method"] == "patch"
                       and e["details"]["request"]["path"].endswith(cid))

        planned = await call(change)  # removing a callback: the default policy asks
        assert planned.structured_content["applied"] is False, text(planned)
        token = planned.structured_content["confirm"]
        applied = await call({**change, "confirm": token})
        assert not applied.is_error and "applied" not in applied.structured_content, \
            text(applied)
        replayed = await call({**change, "confirm": token})
        assert replayed.is_error or replayed.structured_content.get("applied") is False
        assert patches() == 1  # the yes was applied once; the replay sent nothing
    assert len(set(served)) == 3, served  # plan, yes and replay each on another instance
    assert box.tenant.collection("clients")[cid]["callbacks"] == ["https://a.example.com/cb"]


async def test_killing_an_instance_loses_only_its_in_flight_calls(cluster: Cluster):
    cluster.box.set_faults(latency_ms=200)  # calls stay in flight long enough to be cut
    outcomes: list[str] = []
    last: dict[int, str] = {}

    async def caller(n: int) -> None:
        async with cluster.client(f"auth0|load-{n}") as c:
            for _ in range(3):
                try:
                    result = await c.call_tool("auth0_list_applications", {"per_page": 1})
                    outcome = "error: " + text(result) if result.is_error else "ok"
                except MCPError as exc:
                    outcome = f"cut: {exc}"
                outcomes.append(outcome)
                last[n] = outcome

    try:
        async with anyio.create_task_group() as tg:
            for n in range(6):
                tg.start_soon(caller, n)
            for _ in range(1000):  # up to 10 s: kill it once calls are in flight there
                if outcomes and cluster.proxy.in_flight[1] >= 2:
                    break
                await anyio.sleep(0.01)
            cluster.instances[1].kill()
    finally:
        cluster.box.set_faults()
    cut = [o for o in outcomes if o != "ok"]
    assert len(outcomes) == 18
    assert 1 <= len(cut) <= 6, cut  # at most the one call each caller had in flight
    assert all("may or may not have been applied" in o for o in cut), cut
    assert set(last.values()) == {"ok"}  # every caller carried on on the other instances


async def test_redis_down_fails_calls_closed_and_restart_recovers(cluster: Cluster):
    alive = next(url for url, proc in zip(cluster.urls, cluster.instances, strict=True)
                 if proc.poll() is None)
    async with cluster.client("auth0|during-outage") as c:
        assert not (await c.call_tool("auth0_list_applications", {"per_page": 1})).is_error
        cluster.redis.stop()
        try:
            before = cluster.box.stats()["requests"]
            refused = await c.call_tool("auth0_list_applications", {"per_page": 1})
            assert refused.is_error
            assert "shared state store" in text(refused) and "unreachable" in text(refused)
            assert cluster.box.stats()["requests"] == before  # nothing reached the tenant
            assert await status(f"{alive}/readyz") == 503
            assert await status(f"{alive}/healthz") == 200
        finally:
            cluster.redis.start()
        recovered = await c.call_tool("auth0_list_applications", {"per_page": 1})
        assert not recovered.is_error, text(recovered)
        assert await status(f"{alive}/readyz") == 200
