"""Fidelity: every recorded real Auth0 interaction (/work/shared/fixtures/auth0) for an endpoint
the sandbox emulates is replayed against it, and the status and the response's shape must
match: envelope keys (and their order, unless the recorder re-marshaled the body), object keys
and JSON value types. A fixture the sandbox cannot replay is skipped with the reason; a
remaining, understood difference is listed in KNOWN_DIFFERENCES (an expected failure; the
summary says when one starts matching and can go).

Which keys an object must have: those that *every* recording of that kind of object carries
(e.g. a client's ``tenant``, ``client_id``, ``name``), computed from the fixtures themselves;
keys only some recordings carry depend on the recorded object's data. A recorded null matches
anything; our extra keys are allowed (Auth0 adds fields over time).

Families are discovered, not listed: a recording is replayed when an installed plugin's
emulator (``auth0_mcp_sandbox_routers``) serves its operation, and skipped, with that reason,
when none does; so users, roles, organizations or connections recordings are checked as soon as
their family's emulator is installed. The summary reports per family. Before a replay, the
emulator module serving the operation prepares what the request refers to with its
``prepare_replay(tenant, fixture)`` (e.g. create a client with the path's id); a family whose
emulator has none is skipped here with that reason (its own fidelity test replays it).

Then every recorded list body is read by the Management client's paging helper, so the client
is known to parse real shapes.
"""

from __future__ import annotations

import base64
import contextlib
import json
import sys
from collections import defaultdict
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest

from auth0_mcp.testing.shared import fixtures_dir
from auth0_mcp_sandbox.auth import AUTH0_CLI_CLIENT_ID
from auth0_mcp_sandbox.routing import Route
from auth0_mcp_sandbox.schemas import template_key
from auth0_mcp_sandbox.seed import management_scopes
from auth0_mcp_sandbox.server import SandboxServer, plugin_routers

FIXTURES = fixtures_dir(__file__)
# Keys that sit beside the item list in a list envelope; the list's key is the other one.
PAGING_KEYS = {"total", "start", "limit", "length", "next", "per_page", "page"}
# Fixture families that are not Management resources, replayed on their own terms below.
SPECIAL = {"auth-token", "well-known", "errors"}
REPLAYED_GRANTS = {"client_credentials", "refresh_token"}
# Recorded behaviour the sandbox does not (yet) copy: fixture id -> why. An entry that starts
# matching is reported in the summary as fixed, to be removed.
KNOWN_DIFFERENCES: dict[str, str] = {
    "35a61da2d5": "client type express_configuration (a 400 for grants) is not emulated",
}
# Keys whose content depends on the particular event or object recorded: compared by type only.
FREE_FORM = {"details", "auth0_client", "client_metadata", "subject_type_authorization"}
OUTCOMES: dict[str, str] = {}  # fixture id -> what happened, for the summary


# --- the fixtures -------------------------------------------------------------------------------


def fixtures() -> list[Path]:
    if not FIXTURES.is_dir():
        return []
    return sorted(p for p in FIXTURES.glob("*.json") if p.name != "index.json")


@cache
def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def grant_of(fx: dict[str, Any]) -> str | None:
    body = fx["request"].get("body")
    return body.get("grant_type") if isinstance(body, dict) else None


@cache
def emulated() -> dict[str, Route]:
    """Every Management route the installed families' emulators serve, by template key."""
    return {template_key(r.method, r.path): r for router in plugin_routers()
            for r in router.routes if r.path.startswith("/api/v2/")}


def route_of(fx: dict[str, Any]) -> Route | None:
    method, _, path = fx["operation"].partition(" ")
    return emulated().get(template_key(method, path))


def family_is_installed(family: str) -> bool:
    return any(route_of(load(p)) for p in fixtures() if load(p)["family"] == family)


def replayable(fx: dict[str, Any]) -> str | None:
    """None when the fixture can be replayed, else why not."""
    family, status = fx["family"], fx["response"]["status"]
    if status == 429:
        return "recorded 429: its body is compared with a forced 429 in test_429_body_shape"
    if family not in SPECIAL:
        if not family_is_installed(family):
            return f"no installed plugin emulates the {family!r} family"
        route = route_of(fx)
        if route is None:
            return f"{fx['operation']} is not emulated by the {family!r} family's emulator"
        if not hasattr(sys.modules[route.handler.__module__], "prepare_replay"):
            return (f"the {family!r} emulator has no prepare_replay(tenant, fixture) to put "
                    "in place what recordings refer to: its own fidelity test replays them")
        if fx["operation"].endswith("/test"):
            return "running Action code (POST /actions/actions/{id}/test) is not emulated"
        if "modules" in json.dumps(fx["request"].get("body") or {}):
            return "Actions modules are not emulated"
        return None
    if family == "auth-token":
        grant = grant_of(fx)
        if fx["operation"] == "POST /oauth/token" and grant in REPLAYED_GRANTS and status < 300:
            return None
        if fx["operation"] != "POST /oauth/token":
            return f"{fx['operation']} is not emulated (the sandbox has no users)"
        return f"grant {grant!r} ({status}) needs users, browsers or MFA, which are not emulated"
    if family == "well-known":
        return None
    if family == "errors":
        return ("error on an endpoint the sandbox does not emulate; the shared error shapes "
                "are checked in test_recorded_error_shapes")
    return f"the {family!r} family is not emulated"  # pragma: no cover (SPECIAL only)


def kind_of(fx: dict[str, Any]) -> str:
    """Which kind of object a response holds, so recordings of the same kind can be pooled:
    the envelope key, else the last literal segment of the operation."""
    key = envelope_key(fx["response"]["body"])
    if key is not None:
        return key
    if fx["family"] in ("auth-token", "well-known"):
        return fx["family"]
    segments = [s for s in fx["operation"].split()[1].split("/") if s and "{" not in s]
    last = segments[-1].replace("-", "_")
    return "versions" if last == "deploy" else last


def envelope_key(body: Any) -> str | None:
    """The item list's key when ``body`` is a list envelope (``{"users": [...], "total": 3}``,
    ``{"triggers": [...]}``), else None."""
    if not isinstance(body, dict):
        return None
    lists = [k for k, v in body.items() if isinstance(v, list)]
    if len(lists) == 1 and set(body) - {lists[0]} <= PAGING_KEYS:
        return lists[0]
    return None


def objects_of(body: Any) -> list[Any]:
    """The resource objects in a body: list items, an envelope's items, or the body itself."""
    if isinstance(body, list):
        return body
    if isinstance(body, dict):
        key = envelope_key(body)
        return body[key] if key is not None else [body]
    return []


def _walk(value: Any, path: str, into: dict[str, list[set[str]]]) -> None:
    if isinstance(value, dict):
        into[path].append(set(value))
        for key, item in value.items():
            _walk(item, f"{path}.{key}", into)
    elif isinstance(value, list):
        for item in value:
            _walk(item, f"{path}[]", into)


def key_sets(bodies: list[Any]) -> dict[str, set[str]]:
    """For each path in the objects (``@`` is an object, ``@.scopes[]`` its scope items), the
    keys every occurrence has."""
    seen: dict[str, list[set[str]]] = defaultdict(list)
    for body in bodies:
        for obj in objects_of(body):
            _walk(obj, "@", seen)
    return {path: set.intersection(*sets) for path, sets in seen.items()}


@cache
def always_present() -> dict[str, dict[str, set[str]]]:
    """Per kind of object, the keys all full recordings carry (not ``fields`` projections, not
    bodies a recorder re-marshaled through a struct that dropped unknown keys)."""
    bodies: dict[str, list[Any]] = defaultdict(list)
    for path in fixtures():
        fx = load(path)
        if 200 <= fx["response"]["status"] < 300 and fx["response"]["body"] is not None \
                and "fields" not in (fx["request"].get("query") or {}) \
                and not fx["fidelity"]["body_remarshaled_by_recorder"]:  # those lost keys
            bodies[kind_of(fx)].append(fx["response"]["body"])
    return {kind: key_sets(found) for kind, found in bodies.items()}


def required_keys(fx: dict[str, Any]) -> Callable[[str], set[str]]:
    """Keys our objects must have: for errors and ``fields`` projections, those recorded;
    else those every full recording of this kind of object has (and, for a re-marshaled
    body, this one still shows)."""
    if fx["response"]["status"] >= 300 or "fields" in (fx["request"].get("query") or {}):
        local = key_sets([fx["response"]["body"]])
        return lambda path: local.get(path, set())
    pooled = always_present().get(kind_of(fx), {})
    if fx["fidelity"]["body_remarshaled_by_recorder"]:  # lenient: only what it still shows
        local = key_sets([fx["response"]["body"]])
        return lambda path: pooled.get(path, set()) & local.get(path, set())
    return lambda path: pooled.get(path, set())


# --- comparing shapes -------------------------------------------------------------------------


def _empty(value: Any) -> bool:
    return value is None or value in ([], {}, "", False)


def _type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return {str: "string", list: "array", dict: "object"}[type(value)]


def compare(recorded: Any, ours: Any, path: str, required: Callable[[str], set[str]],
            nullable: bool = False) -> list[str]:
    """Problems with ``ours`` compared to one recorded value at ``path`` (``nullable``: the
    recordings show null here too)."""
    if recorded is None or (ours is None and nullable):
        return []
    if _type(recorded) != _type(ours):
        return [f"{path}: {_type(ours)} instead of {_type(recorded)}"]
    problems: list[str] = []
    if isinstance(recorded, dict):
        problems += [f"{path}.{key}: missing" for key in sorted(required(path))
                     if key not in ours and not _empty(recorded.get(key))]
        for key, value in recorded.items():
            if key in ours and key not in FREE_FORM:
                problems += compare(value, ours[key], f"{path}.{key}", required)
    elif isinstance(recorded, list):
        problems += compare_items(recorded, ours, f"{path}[]", required)
    return problems


def compare_items(recorded: list[Any], ours: list[Any], path: str,
                  required: Callable[[str], set[str]]) -> list[str]:
    """Our items against the recorded ones: objects against a profile of all recorded items
    (each key's first non-null value), so one item's data does not decide the shape."""
    if not recorded or not ours:
        return []
    if all(isinstance(item, dict) for item in recorded):
        profile: dict[str, Any] = {}
        nullable: set[str] = set()
        for item in recorded:
            for key, value in item.items():
                if profile.get(key) is None:
                    profile[key] = value
                if value is None:
                    nullable.add(key)
        problems: list[str] = []
        for item in ours[:10]:
            found = [f"{path}.{key}: missing" for key in sorted(required(path))
                     if key not in item and not _empty(profile.get(key))]
            for key, value in profile.items():
                if key in item and key not in FREE_FORM:
                    found += compare(value, item[key], f"{path}.{key}", required,
                                     key in nullable)
            problems += [p for p in found if p not in problems]
        return problems
    return compare(recorded[0], ours[0], path, required)


def body_problems(fx: dict[str, Any], ours: Any) -> list[str]:
    recorded = fx["response"]["body"]
    required = required_keys(fx)
    if _type(recorded) != _type(ours):
        return [f"body: {_type(ours)} instead of {_type(recorded)}"]
    envelope = envelope_key(recorded)
    if envelope is None:
        if isinstance(recorded, list):
            return compare_items(recorded, ours, "@", required)
        return compare(recorded, ours, "@", required)
    problems = [f"envelope.{k}: missing" for k, v in recorded.items()
                if k not in ours and not _empty(v)]
    if not fx["fidelity"]["body_remarshaled_by_recorder"]:  # those gained struct keys
        problems += [f"envelope.{k}: not in Auth0's answer" for k in ours
                     if k not in recorded and k in PAGING_KEYS]
    if not fx["fidelity"]["body_remarshaled_by_recorder"]:
        order = [k for k in ours if k in recorded]
        if order != [k for k in recorded if k in ours]:
            problems.append(f"envelope key order {list(ours)} instead of {list(recorded)}")
    for key, value in recorded.items():
        if key != envelope and key in ours:
            problems += compare(value, ours[key], f"envelope.{key}", required)
    return problems + compare_items(recorded[envelope], ours.get(envelope, []), "@", required)


def jwt_claims(token: Any) -> dict[str, Any] | None:
    if not isinstance(token, str) or token.count(".") != 2:
        return None
    payload = token.split(".")[1]
    try:
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except ValueError:
        return None


def token_problems(fx: dict[str, Any], ours: Any) -> list[str]:
    """The access token's claims: every claim the recorded JWT carries, ours carries too."""
    body = fx["response"]["body"]
    recorded = jwt_claims(body.get("access_token")) if isinstance(body, dict) else None
    if recorded is None or not isinstance(ours, dict):
        return []
    mine = jwt_claims(ours.get("access_token")) or {}
    return [f"access_token claim {k}: missing" for k in recorded if k not in mine]


# --- replaying ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def boxes() -> Iterator[Callable[[str], SandboxServer]]:
    """A tenant per fixture family: replays (and ``prepare_replay``) create and delete objects
    freely, and one family's leftovers never show up in another's lists."""
    started: dict[str, SandboxServer] = {}

    def for_family(family: str) -> SandboxServer:
        if family not in started:
            started[family] = SandboxServer(device_interval=0).start()
        return started[family]

    try:
        yield for_family
    finally:
        for server in started.values():
            server.stop()


@pytest.fixture
def box(boxes: Callable[[str], SandboxServer]) -> SandboxServer:
    return boxes("-")


@pytest.fixture(scope="module", autouse=True)
def summary(request: pytest.FixtureRequest) -> Iterator[None]:
    """After the module: how many fixtures matched, differ, are known differences or were
    skipped (grouped by reason)."""
    yield
    if not OUTCOMES:
        return
    counts: dict[str, int] = defaultdict(int)
    per_family: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    skipped: dict[str, int] = defaultdict(int)
    lines = []
    family_of = {load(p)["id"]: load(p)["family"] for p in fixtures()}
    for fixture_id, outcome in sorted(OUTCOMES.items()):
        what, _, detail = outcome.partition(": ")
        counts[what.split(" (")[0]] += 1
        per_family[family_of.get(fixture_id, "?")][what.split(" (")[0]] += 1
        if what == "skipped":
            skipped[detail] += 1
        elif what != "match" and not what.startswith("match "):
            lines.append(f"  {fixture_id} {outcome}")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
        print(f"\nfidelity: {len(fixtures())} recorded fixtures: " + ", ".join(
            f"{n} {what}" for what, n in sorted(counts.items())))
        for family, seen in sorted(per_family.items()):
            print(f"  {family}: " + ", ".join(f"{n} {what}" for what, n in sorted(seen.items())))
        for line in lines:
            print(line)
        for reason, n in sorted(skipped.items(), key=lambda item: -item[1]):
            print(f"  skipped {n}: {reason}")


def all_scopes_header(box: SandboxServer) -> dict[str, str]:
    return {"authorization": f"Bearer {box.mint_token(management_scopes(box.routers))}"}


def refresh_token_for(box: SandboxServer, http: httpx.Client) -> str:
    """A real refresh token, from a device login the test approves."""
    started = http.post("/oauth/device/code", data={"client_id": AUTH0_CLI_CLIENT_ID,
                                                     "scope": "read:clients offline_access"})
    box.approve_device(started.json()["user_code"])
    login = http.post("/oauth/token", data={
        "grant_type": "urn:ietf:params:oauth:grant-type:device_code",
        "device_code": started.json()["device_code"], "client_id": AUTH0_CLI_CLIENT_ID})
    return login.json()["refresh_token"]


def request_for(fx: dict[str, Any], box: SandboxServer, http: httpx.Client) -> httpx.Request:
    """The recorded request, aimed at the sandbox with credentials that work there."""
    req = fx["request"]
    body = req.get("body")
    headers = {"content-type": "application/json"}
    if fx["family"] == "auth-token":
        if grant_of(fx) == "refresh_token":
            body = {"grant_type": "refresh_token", "client_id": AUTH0_CLI_CLIENT_ID,
                    "refresh_token": refresh_token_for(box, http)}
        else:
            client_id, secret = box.admin_credentials
            body = {**body, "client_id": client_id, "client_secret": secret,
                    "audience": f"{box.base_url}/api/v2/"}
    elif fx["family"] not in SPECIAL:
        headers.update(all_scopes_header(box))
    path = req["path"] + (f"?{req['query_string']}" if req.get("query_string") else "")
    return http.build_request(req["method"], path, headers=headers,
                              content=json.dumps(body) if body is not None else None)


def prepare(fx: dict[str, Any], box: SandboxServer) -> None:
    """The ``prepare_replay`` of the emulator module serving this operation, if it has one."""
    route = route_of(fx) if fx["family"] not in SPECIAL else None
    if route is not None:
        hook = getattr(sys.modules[route.handler.__module__], "prepare_replay", None)
        if hook is not None:
            hook(box.tenant, fx)


CASES = [p for p in fixtures() if replayable(load(p)) is None]


@pytest.mark.skipif(not CASES, reason=f"no fixtures in {FIXTURES}")
@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_replay_matches_recording(path: Path, boxes: Callable[[str], SandboxServer]):
    fx = load(path)
    box = boxes(fx["family"])
    prepare(fx, box)
    with httpx.Client(base_url=box.base_url, timeout=10) as http:
        response = http.send(request_for(fx, box, http))
    recorded = fx["response"]
    problems = []
    if response.status_code != recorded["status"]:
        problems.append(f"status {response.status_code} instead of {recorded['status']}: "
                        f"{response.text[:300]}")
    elif recorded["body"] is not None:
        ours = response.json() if response.content else None
        problems += body_problems(fx, ours) + token_problems(fx, ours)
    elif response.content:
        problems.append(f"a body where the recording has none: {response.text[:100]}")
    known = KNOWN_DIFFERENCES.get(fx["id"])
    if known and problems:
        OUTCOMES[fx["id"]] = f"known difference: {known}"
        pytest.xfail(f"known difference: {known}")
    if known:
        OUTCOMES[fx["id"]] = "fixed: matches now, remove it from KNOWN_DIFFERENCES"
        return
    OUTCOMES[fx["id"]] = "differs: " + "; ".join(problems[:3]) if problems else "match"
    assert not problems, f"{fx['operation']} ({path.name}): " + "; ".join(problems[:8])


def test_429_body_shape(box: SandboxServer):
    """The recorded 429s (whatever endpoint) against the sandbox's own rate-limit answer."""
    recorded = [load(p) for p in fixtures() if load(p)["response"]["status"] == 429]
    if not recorded:
        pytest.skip("no recorded 429s")
    box.set_faults(rate_limit_storm=True)
    try:
        response = httpx.get(f"{box.base_url}/api/v2/clients", headers=all_scopes_header(box))
    finally:
        box.set_faults()
    assert response.status_code == 429
    ours = response.json()
    for fx in recorded:
        body = fx["response"]["body"]
        assert list(ours) == list(body), fx["id"]
        assert (ours["statusCode"], ours["error"], ours["errorCode"]) == (
            body["statusCode"], body["error"], body["errorCode"]), fx["id"]
        assert body["message"] in ("Global limit has been reached",
                                   "Endpoint limit has been reached"), fx["id"]
        OUTCOMES[fx["id"]] = "match (against a forced 429)"
    assert ours["message"] == "Global limit has been reached"


def test_recorded_error_shapes(box: SandboxServer):
    """Errors recorded on endpoints the sandbox lacks still share their body with ours: the
    malformed-header 400 exactly, the insufficient-scope 403 in shape and wording."""
    checked = 0
    for path in fixtures():
        fx = load(path)
        body = fx["response"]["body"]
        if fx["family"] != "errors" or not isinstance(body, dict):
            continue
        if body["message"] == "Bad HTTP authentication header format":
            ours = httpx.get(f"{box.base_url}/api/v2/clients",
                             headers={"authorization": "Bearer not-a-jwt"})
            assert (ours.status_code, ours.json()) == (fx["response"]["status"], body)
        elif body.get("errorCode") == "insufficient_scope":
            ours = httpx.get(f"{box.base_url}/api/v2/clients",
                             headers={"authorization": f"Bearer {box.mint_token(['x:y'])}"})
            assert ours.status_code == fx["response"]["status"]
            assert list(ours.json()) == list(body)
            prefix = "Insufficient scope, expected any of: "
            assert body["message"].startswith(prefix) and ours.json()["message"].startswith(
                prefix)
        else:
            continue
        OUTCOMES[fx["id"]] = "match (the same error on an emulated endpoint)"
        checked += 1
    if fixtures():
        assert checked >= 2


FIXTURE_FAMILIES = sorted({load(p)["family"] for p in fixtures()} - SPECIAL)


@pytest.mark.skipif(not FIXTURE_FAMILIES, reason=f"no fixtures in {FIXTURES}")
@pytest.mark.parametrize("family", FIXTURE_FAMILIES)
def test_recorded_family_is_replayed_when_its_emulator_is_installed(family: str):
    """One line per recorded family: replayed (its cases above), or skipped saying why (no
    installed plugin emulates it yet, or its emulator replays its recordings itself)."""
    if not family_is_installed(family):
        pytest.skip(f"no installed plugin emulates the {family!r} family: its recordings "
                    "are checked once its emulator is installed")
    mine = [load(p) for p in fixtures() if load(p)["family"] == family]
    if not any(replayable(fx) is None for fx in mine):
        reasons = sorted({str(replayable(fx)) for fx in mine if fx["response"]["status"] != 429})
        pytest.skip(f"{family!r}: " + "; ".join(reasons))


def test_every_fixture_is_accounted_for():
    """Nothing is skipped silently, and the known differences name real fixtures."""
    ids = set()
    for path in fixtures():
        fx = load(path)
        ids.add(fx["id"])
        reason = replayable(fx)
        assert reason is None or len(reason) > 20, (path.name, reason)
        if reason is not None:
            OUTCOMES.setdefault(fx["id"], f"skipped: {reason}")
    if ids:
        assert set(KNOWN_DIFFERENCES) <= ids


@pytest.mark.skipif(not fixtures(), reason=f"no fixtures in {FIXTURES}")
async def test_recorded_list_responses_parse_through_the_client():
    """Serve each recorded list body to the real Management client and page through it."""
    from auth0_mcp.management import ManagementClient

    keys = {"clients": "clients", "resource-servers": "resource_servers",
            "client-grants": "client_grants", "forms": "forms"}

    class Static:
        async def token(self) -> str:
            return "t"

        async def invalidate(self) -> bool:
            return False

    checked = 0
    for path in fixtures():
        fx = load(path)
        if fx["family"] not in keys or fx["request"]["method"] != "GET" or \
                fx["response"]["status"] != 200 or "{id}" in fx["operation"]:
            continue
        body = fx["response"]["body"]

        def handler(request: httpx.Request, body: Any = body) -> httpx.Response:
            return httpx.Response(200, json=body)

        api = ManagementClient("tenant.eu.auth0.com", Static(),
                               transport=httpx.MockTransport(handler))
        items, total = await api.page("/x", keys[fx["family"]])
        expected = body if isinstance(body, list) else body.get(keys[fx["family"]], [])
        assert items == expected
        assert total == (body.get("total") if isinstance(body, dict) else None)
        await api.aclose()
        checked += 1
    assert checked >= 10
