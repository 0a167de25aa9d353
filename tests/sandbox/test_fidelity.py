"""Fidelity: every recorded real Auth0 interaction for an emulated endpoint is replayed against
the sandbox, and the status and the response's shape (envelope, keys, JSON value types) must
match. Remaining, explained differences are listed in KNOWN_DIFFERENCES; everything else fails.

Then every recorded response is parsed by the Management client's paging helpers, so the client
is known to read real shapes.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from auth0_mcp.sandbox.seed import management_scopes
from auth0_mcp.sandbox.server import SandboxServer

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "auth0"
FAMILIES = {"clients": "clients", "resource-servers": "resource_servers",
            "client-grants": "client_grants", "actions": "actions", "logs": "logs",
            "forms": "forms"}
ENVELOPES = {"clients", "resource_servers", "client_grants", "actions", "forms", "logs",
             "versions", "bindings", "triggers"}
# Recorded behaviour the sandbox deliberately does not copy, with the reason.
KNOWN_DIFFERENCES: dict[str, str] = {
    "3e8baa3440": "organizations are not emulated: q=client_grant.organization_id is not "
                  "filtered and clients carry no organization settings",
    "35a61da2d5": "client type express_configuration (a 400 for grants) is not emulated",
    "a8c0ebc607": "the sandbox JWKS carries n/e but no X.509 chain (x5c/x5t); token "
                  "verification only needs n/e",
}
# Keys whose content depends on the particular event or object recorded, compared by type only.
FREE_FORM = {"details", "auth0_client", "client_metadata", "subject_type_authorization"}


def fixtures() -> list[Path]:
    if not FIXTURES.exists():
        return []
    return sorted(p for p in FIXTURES.glob("*.json") if p.name != "index.json")


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def replayable(fx: dict[str, Any]) -> str | None:
    """None when the fixture can be replayed, else why not."""
    family = fx["family"]
    status = fx["response"]["status"]
    if status == 429:
        return "429s are compared against a forced 429 in test_429_body_shape"
    if family in FAMILIES:
        if fx["operation"].endswith("/test"):
            return "running Action code is not emulated"
        if "modules" in json.dumps(fx["request"].get("body") or {}):
            return "Actions modules are not emulated"
        return None
    if family == "auth-token" and fx["operation"] == "POST /oauth/token":
        grant = (fx["request"].get("body") or {}).get("grant_type")
        if grant == "client_credentials" and status == 200:
            return None
        return f"grant {grant!r} ({status}) is not emulated or needs a real user"
    if family == "well-known":
        return None
    return f"family {family!r} is not emulated"


@pytest.fixture(scope="module")
def box() -> Iterator[SandboxServer]:
    server = SandboxServer(with_plugins=False)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _empty(value: Any) -> bool:
    return value is None or value in ([], {}, "", False)


def shape_problems(recorded: Any, ours: Any, where: str = "body") -> list[str]:
    """Differences in envelope, keys and JSON types. Our extra keys are allowed (Auth0 adds
    fields over time); a recorded key whose value is empty (null, [], {}, false) is optional,
    because Auth0 leaves such keys out of objects that never had them set; and a list item is
    compared on the keys every recorded item has (items are different objects)."""
    if recorded is None:
        return []
    if isinstance(recorded, bool) or isinstance(ours, bool):
        return [] if type(recorded) is type(ours) else [f"{where}: {type(ours).__name__} "
                                                        f"instead of {type(recorded).__name__}"]
    if isinstance(recorded, int | float) and isinstance(ours, int | float):
        return []
    if type(recorded) is not type(ours):
        return [f"{where}: {type(ours).__name__} instead of {type(recorded).__name__}"]
    if isinstance(recorded, dict):
        problems = [f"{where}.{k}: missing" for k, v in recorded.items()
                    if k not in ours and not _empty(v) and k not in FREE_FORM]
        for key in recorded:
            if key in ours and key not in ("signing_keys",) and key not in FREE_FORM:
                problems += shape_problems(recorded[key], ours[key], f"{where}.{key}")
        return problems
    if isinstance(recorded, list) and recorded and ours:
        if all(isinstance(i, dict) for i in recorded):
            common = set.intersection(*(set(i) for i in recorded))
            first = {k: v for k, v in recorded[0].items() if k in common}
            return shape_problems(first, ours[0], f"{where}[0]")
        return shape_problems(recorded[0], ours[0], f"{where}[0]")
    return []


def request_for(fx: dict[str, Any], box: SandboxServer) -> dict[str, Any]:
    req = fx["request"]
    body = req.get("body")
    headers = {"content-type": "application/json"}
    if fx["family"] == "auth-token":
        client_id, secret = box.admin_credentials
        body = {**body, "client_id": client_id, "client_secret": secret,
                "audience": f"{box.base_url}/api/v2/"}
    elif fx["family"] in FAMILIES:
        token = box.mint_token(management_scopes([]) + [
            s for r in __import__("auth0_mcp.sandbox.management", fromlist=["ROUTERS"]).ROUTERS
            for route in r.routes for s in route.scopes])
        headers["authorization"] = f"Bearer {token}"
    return {"method": req["method"], "url": f"{box.base_url}{req['path']}",
            "params": req.get("query_string") or None,
            "content": json.dumps(body) if body is not None else None, "headers": headers}


STORES = {"clients": ("clients", "client_id"), "resource-servers": ("resource_servers", "id"),
          "client-grants": ("client_grants", "id"), "forms": ("forms", "id")}


def prepare(fx: dict[str, Any], box: SandboxServer) -> None:
    """Seed the objects the recorded request refers to: first the family's own preparation
    (ids in paths, clearing duplicates before a create), then, for a recorded read or update
    of one object, that object as the recording shows it."""
    module = FAMILIES.get(fx["family"])
    if module:
        family = importlib.import_module(f"auth0_mcp.sandbox.management.{module}")
        hook = getattr(family, "prepare_replay", None)
        if hook is not None:
            hook(box.tenant, fx)
    body = fx["response"]["body"]
    method = fx["request"]["method"]
    if fx["family"] in STORES and method in ("GET", "PATCH") and "{id}" in fx["operation"] \
            and fx["response"]["status"] == 200 and isinstance(body, dict):
        collection, key = STORES[fx["family"]]
        if fx["family"] == "clients":
            ident = fx["request"]["path"].rsplit("/", 1)[1]
        else:
            ident = body.get(key) or fx["request"]["path"].rsplit("/", 1)[1]
        stored = {k: v for k, v in body.items() if k != "encrypted"}
        stored[key] = ident
        if method == "PATCH" and isinstance(fx["request"]["body"], dict):
            stored = {k: v for k, v in stored.items() if k not in fx["request"]["body"]}
        existing = box.tenant.collection(collection)
        for other in [k for k, v in existing.items() if fx["family"] == "resource-servers"
                      and v.get("identifier") == stored.get("identifier") and k != ident]:
            del existing[other]
        existing[ident] = {**existing.get(ident, {}), **stored}
    if fx["family"] == "actions" and "{id}" in fx["operation"] and isinstance(body, dict) \
            and fx["response"]["status"] == 200 and "code" in body:
        action = box.tenant.collection("actions").get(body.get("id", ""))
        if action is not None:
            action.update({k: body[k] for k in ("current_version", "deployed_version")
                           if k in body})


CASES = [p for p in fixtures() if replayable(load(p)) is None]


@pytest.mark.skipif(not CASES, reason="shared/fixtures not present")
@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_replay_matches_recording(path: Path, box: SandboxServer):
    fx = load(path)
    prepare(fx, box)
    response = httpx.request(**request_for(fx, box), timeout=10)
    recorded = fx["response"]
    problems = []
    if response.status_code != recorded["status"]:
        problems.append(f"status {response.status_code} instead of {recorded['status']}: "
                        f"{response.text[:300]}")
    elif recorded["body"] is not None:
        ours = response.json() if response.content else None
        if isinstance(recorded["body"], dict) and isinstance(ours, dict) and \
                not fx["fidelity"]["body_remarshaled_by_recorder"]:
            envelope = [k for k in recorded["body"] if k in ENVELOPES]
            if envelope and [k for k in ours if k in recorded["body"]] != list(recorded["body"]):
                problems.append(f"envelope keys {list(ours)} instead of {list(recorded['body'])}")
        problems += shape_problems(recorded["body"], ours)
    if fx["id"] in KNOWN_DIFFERENCES:
        pytest.skip(f"known difference: {KNOWN_DIFFERENCES[fx['id']]}")
    assert not problems, f"{fx['operation']} ({path.name}): " + "; ".join(problems[:8])


def test_429_body_shape(box: SandboxServer):
    recorded = [load(p) for p in fixtures() if load(p)["response"]["status"] == 429]
    box.set_faults(rate_limit_storm=True)
    try:
        response = httpx.get(f"{box.base_url}/api/v2/clients")
    finally:
        box.set_faults()
    assert response.status_code == 429
    for fx in recorded:
        if isinstance(fx["response"]["body"], dict):
            assert not shape_problems(fx["response"]["body"], response.json()), fx["id"]
            assert response.json()["message"] in ("Global limit has been reached",)


def test_every_fixture_is_accounted_for():
    """Nothing is skipped silently: each unreplayed fixture has a stated reason."""
    reasons = {p.name: replayable(load(p)) for p in fixtures()}
    assert all(r is None or len(r) > 10 for r in reasons.values())


@pytest.mark.skipif(not fixtures(), reason="shared/fixtures not present")
async def test_recorded_list_responses_parse_through_the_client():
    """Serve each recorded list body to the real Management client and page through it."""
    from auth0_mcp.management import ManagementClient

    keys = {"clients": "clients", "resource-servers": "resource_servers",
            "client-grants": "client_grants", "forms": "forms"}
    checked = 0
    for path in fixtures():
        fx = load(path)
        if fx["family"] not in keys or fx["request"]["method"] != "GET" or \
                fx["response"]["status"] != 200 or "{id}" in fx["operation"]:
            continue
        body = fx["response"]["body"]

        def handler(request: httpx.Request, body: Any = body) -> httpx.Response:
            return httpx.Response(200, json=body)

        class Static:
            async def token(self) -> str:
                return "t"

            async def invalidate(self) -> bool:
                return False

        api = ManagementClient("tenant.eu.auth0.com", Static(),
                               transport=httpx.MockTransport(handler))
        items, total = await api.page("/x", keys[fx["family"]])
        expected = body if isinstance(body, list) else body.get(keys[fx["family"]], [])
        assert items == expected
        assert total == (body.get("total") if isinstance(body, dict) else None)
        await api.aclose()
        checked += 1
    assert checked >= 10
