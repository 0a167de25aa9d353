"""``/api/v2/actions/...``: Actions, their versions, triggers and trigger bindings.

Deploying builds asynchronously like Auth0: the new version is ``pending``, then ``building``,
then ``built`` (and deployed) or ``failed`` with build errors. The status is derived from the
clock whenever the action is read, so no background task is needed and a test only polls.
Secret values are write-only. Keys that start with ``_`` are internal and never sent.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
import time
from collections.abc import Callable
from typing import Any

from auth0_mcp_sandbox.routing import ApiError, Reply, Router, SandboxRequest
from auth0_mcp_sandbox.tenant import SandboxTenant, iso_now

router = Router("actions")
ACTIONS, VERSIONS = "actions", "action_versions"
NOT_FOUND = "That action does not exist."
# How long a build stays pending, then building (seconds). Tests shorten them through
# SandboxTenant.settings["build_seconds"] (a multiplier: 0 finishes builds on the next read).
PENDING_SECONDS = 0.2
BUILD_SECONDS = 0.8
DEFAULT_RUNTIME = "node22"
_CURRENT = (("node18-actions", "node22"), "node22")
_OLD_V1 = (("node12",), "node12")
_OLD_V2 = (("node12", "node16", "node18"), "node16")
# Auth0's trigger list as recorded in 2026 (reference/auth0-api.md §5.4): every trigger with
# each of its versions, (id, version, status, (runtimes, default), binding_policy).
TRIGGERS: list[tuple[str, str, str, tuple[tuple[str, ...], str], str]] = [
    ("post-login", "v1", "DEPRECATED", _OLD_V1, "trigger-bound"),
    ("post-login", "v2", "DEPRECATED", _OLD_V2, "trigger-bound"),
    ("post-login", "v3", "CURRENT", _CURRENT, "trigger-bound"),
    *[(t, v, status, runtimes, "trigger-bound")
      for t in ("credentials-exchange", "pre-user-registration", "post-user-registration",
                "post-change-password", "send-phone-message")
      for v, status, runtimes in (("v1", "DEPRECATED", _OLD_V1), ("v2", "CURRENT", _CURRENT))],
    *[(t, "v1", "CURRENT", _CURRENT, policy) for t, policy in (
        ("password-reset-post-challenge", "trigger-bound"),
        ("custom-phone-provider", "trigger-bound"), ("custom-email-provider", "trigger-bound"),
        ("custom-token-exchange", "entity-bound"), ("event-stream", "entity-bound"),
        ("password-hash-migration", "entity-bound"), ("mcp-tool", "entity-bound"))],
]
COMPATIBLE = {("post-login", "v3"): [{"id": "post-login", "version": "v2"}]}


def _public(obj: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if not k.startswith("_")}


_STRINGS_AND_COMMENTS = re.compile(
    r"\"(?:\\.|[^\"\\])*\"|'(?:\\.|[^'\\])*'|`(?:\\.|[^`\\])*`"  # strings
    r"|//[^\n]*|/\*.*?\*/", re.S)  # comments
# Node compiles the code as Auth0's build does (a CommonJS module body) without running it.
_NODE_CHECK = ("const vm = require('vm'); let s = ''; process.stdin.on('data', d => s += d)"
               ".on('end', () => { try { vm.compileFunction(s, ['exports', 'require', "
               "'module', '__filename', '__dirname']); } catch (e) { "
               "process.stdout.write(e.name + ': ' + e.message); process.exit(1); } });")


def _bracket_error(code: str) -> str | None:
    """Without node: a tokenizer check that strings, comments and brackets are balanced."""
    stripped = _STRINGS_AND_COMMENTS.sub("", code)
    pairs = {")": "(", "]": "[", "}": "{"}
    stack: list[str] = []
    for ch in stripped:
        if ch in "([{":
            stack.append(ch)
        elif ch in pairs and (not stack or stack.pop() != pairs[ch]):
            return f"SyntaxError: Unexpected token '{ch}'"
    return "SyntaxError: Unexpected end of input" if stack else None


@functools.cache
def _syntax_error(code: str) -> str | None:
    node = shutil.which("node")
    if node is None:
        return _bracket_error(code)
    try:
        done = subprocess.run([node, "-e", _NODE_CHECK], input=code, capture_output=True,
                              text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return _bracket_error(code)
    return (done.stdout.strip() or "SyntaxError") if done.returncode else None


def build_errors(code: str) -> list[dict[str, str]]:
    """What fails a build: code that does not parse. (Auth0 builds code without the
    trigger's handler export; it only fails to run it.)"""
    error = _syntax_error(code)
    return [{"id": "syntax_error", "msg": error, "url": ""}] if error else []


def check_triggers(body: dict[str, Any]) -> None:
    """What the body schema cannot say: a known trigger's version must exist."""
    versions: dict[str, set[str]] = {}
    for t, v, *_ in TRIGGERS:
        versions.setdefault(t, set()).add(v)
    for trigger in body.get("supported_triggers") or []:
        known = versions.get(trigger.get("id"))
        if known and trigger.get("version") and trigger["version"] not in known:
            raise ApiError(400, f"Invalid trigger: {trigger['id']}@{trigger['version']}. Use "
                           "GET /actions/triggers for the supported ids and versions.",
                           "invalid_body")


def _secrets(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Secrets keep their value when the update omits it (values live under ``_value``)."""
    previous = {s["name"]: s for s in old}
    out = []
    for s in new:
        keep = previous.get(s["name"], {})
        out.append({"name": s["name"], "updated_at": iso_now(nanos=True),
                    "_value": s.get("value", keep.get("_value"))})
    return out


def _refresh(tenant: SandboxTenant, action: dict[str, Any]) -> dict[str, Any]:
    """Advance builds whose time has come; a built version becomes the deployed one."""
    versions = tenant.collection(VERSIONS)
    now = time.time()
    for vid in action.get("_versions", []):
        version = versions[vid]
        started = version.get("_build_started")
        if started is None or version["status"] in ("built", "failed"):
            continue
        elapsed = (now - started) / max(_speed(tenant), 1e-9)
        current = action.get("current_version") or {}
        mirror = current if current.get("id") == vid else {}  # its status follows the build
        if elapsed < PENDING_SECONDS:
            version["status"] = "pending"
        elif elapsed < PENDING_SECONDS + BUILD_SECONDS:
            version["status"] = "building"
        elif version.get("_errors"):
            version.update(status="failed", errors=version["_errors"],
                           updated_at=iso_now(nanos=True))
            mirror["status"] = "FAILED"
        else:
            for other in action["_versions"]:
                versions[other]["deployed"] = False
            version.update(status="built", deployed=True, built_at=iso_now(nanos=True),
                           updated_at=iso_now(nanos=True))
            mirror["status"] = "BUILT"
            action["deployed_version"] = _public({**version, "action": None})
            action["deployed_version"].pop("action", None)
            action["all_changes_deployed"] = (version["code"] == action["code"] and
                                              version["runtime"] == action["runtime"])
    return action


def _speed(tenant: SandboxTenant) -> float:
    """How long builds take relative to the defaults (``settings["build_seconds"]``)."""
    scale = tenant.settings.get("build_seconds", 1.0)
    return float(scale) if scale else 0.0


def find(tenant: SandboxTenant, action_id: str) -> dict[str, Any]:
    action = tenant.collection(ACTIONS).get(action_id)
    if action is None:
        raise ApiError(404, NOT_FOUND)
    return _refresh(tenant, action)


def shown(action: dict[str, Any]) -> dict[str, Any]:
    out = _public(action)
    out["secrets"] = [_public(s) for s in action.get("secrets", [])]
    return out


def make_action(tenant: SandboxTenant, body: dict[str, Any]) -> dict[str, Any]:
    """Create and store an action (``deploy: true`` deploys it at once, as Auth0 does)."""
    check_triggers(body)
    now = iso_now(nanos=True)
    action = {"id": tenant.new_id("action"), "name": body["name"],
              "supported_triggers": body["supported_triggers"], "created_at": now,
              "updated_at": now, "code": body.get("code", ""),
              "dependencies": body.get("dependencies", []),
              "runtime": body.get("runtime", DEFAULT_RUNTIME), "status": "built",
              "secrets": _secrets([], body.get("secrets", [])), "all_changes_deployed": False,
              "_versions": []}
    if any(a["name"] == action["name"] for a in tenant.collection(ACTIONS).values()):
        raise ApiError(409, f"An action with the name '{action['name']}' already exists.",
                       "already_exists")
    tenant.collection(ACTIONS)[action["id"]] = action
    if body.get("deploy"):
        deploy(tenant, action)
        action["all_changes_deployed"] = True
        action["deployed_version"] = {**action["current_version"], "status": "pending",
                                      "deployed": False}
        action["deployed_version"].pop("build_time", None)
    return action


def deploy(tenant: SandboxTenant, action: dict[str, Any],
           source: dict[str, Any] | None = None) -> dict[str, Any]:
    """A new version from the action's draft (or from an old version, for a rollback)."""
    src = source or action
    now = iso_now(nanos=True)
    number = len(action["_versions"]) + 1
    version = {"code": src["code"], "dependencies": src.get("dependencies", []),
               "id": tenant.new_id("action_version"), "deployed": False, "number": number,
               "secrets": [_public(s) for s in action.get("secrets", [])], "status": "pending",
               "created_at": now, "updated_at": now, "runtime": src["runtime"],
               "supported_triggers": src["supported_triggers"], "_build_started": time.time(),
               "_errors": build_errors(src["code"]),
               "_action": action["id"]}
    tenant.collection(VERSIONS)[version["id"]] = version
    action["_versions"].append(version["id"])
    action["current_version"] = {k: version[k] for k in ("id", "code", "runtime", "number",
                                                         "created_at", "updated_at")}
    action["current_version"].update(status="PENDING", build_time=now)
    return version


def version_out(tenant: SandboxTenant, version: dict[str, Any]) -> dict[str, Any]:
    action = tenant.collection(ACTIONS).get(version["_action"], {})
    out = _public(version)
    out["action"] = {k: action.get(k) for k in ("id", "name", "supported_triggers",
                                                 "created_at", "updated_at")}
    out["action"]["all_changes_deployed"] = action.get("all_changes_deployed", False)
    return out


def paged(req: SandboxRequest, key: str, items: list[Any],
          render: Callable[[Any], Any] | None = None) -> dict[str, Any]:
    """The Actions API's page envelope as recorded: ``{<key>, total, per_page}``, no ``page``,
    and no ``total`` when nothing matched."""
    page = req.query_int("page", 0) or 0
    per_page = req.query_int("per_page", 50, minimum=1, maximum=100) or 50
    chunk = items[page * per_page:(page + 1) * per_page]
    body: dict[str, Any] = {key: [render(i) for i in chunk] if render else chunk}
    if items:
        body["total"] = len(items)
    body["per_page"] = per_page
    return body


@router.get("/api/v2/actions/actions", scope="read:actions")
def list_actions(req: SandboxRequest) -> Any:
    items = [_refresh(req.tenant, a) for a in req.tenant.collection(ACTIONS).values()]
    if req.query.get("triggerId"):
        items = [a for a in items if any(t["id"] == req.query["triggerId"]
                                         for t in a["supported_triggers"])]
    if req.query.get("actionName"):
        items = [a for a in items if a["name"] == req.query["actionName"]]
    if "deployed" in req.query:
        items = [a for a in items if bool(a.get("deployed_version")) ==
                 req.query_bool("deployed")]
    if "installed" in req.query:
        items = [a for a in items if bool(a.get("installed_integration_id")) ==
                 req.query_bool("installed")]
    return paged(req, "actions", [shown(a) for a in items])


@router.get("/api/v2/actions/actions/{id}", scope="read:actions")
def get_action(req: SandboxRequest) -> Any:
    return shown(find(req.tenant, req.path_params["id"]))


@router.post("/api/v2/actions/actions", scope="create:actions")
def create_action(req: SandboxRequest) -> Reply:
    action = make_action(req.tenant, req.json_object())
    return Reply({**shown(action), "status": "pending"}, 201)


@router.patch("/api/v2/actions/actions/{id}", scope="update:actions")
def update_action(req: SandboxRequest) -> Any:
    action = find(req.tenant, req.path_params["id"])
    body = req.json_object()
    check_triggers(body)
    for key, value in body.items():
        action[key] = _secrets(action.get("secrets", []), value) if key == "secrets" else value
    action["updated_at"] = iso_now(nanos=True)
    action["all_changes_deployed"] = False
    return {**shown(action), "status": "pending"}


@router.delete("/api/v2/actions/actions/{id}", scope="delete:actions")
def delete_action(req: SandboxRequest) -> Reply:
    action = find(req.tenant, req.path_params["id"])
    bindings = req.tenant.collection("action_bindings")
    bound = [t for t, items in bindings.items() if any(b["action"] == action["id"]
                                                        for b in items.get("list", []))]
    if bound and not req.query_bool("force"):
        raise ApiError(400, f"This action is bound to the trigger(s) {', '.join(bound)}; "
                       "remove the bindings first or delete with force=true.",
                       "action_is_bound")
    for trigger in bound:
        bindings[trigger]["list"] = [b for b in bindings[trigger]["list"]
                                     if b["action"] != action["id"]]
    for vid in action["_versions"]:
        req.tenant.collection(VERSIONS).pop(vid, None)
    del req.tenant.collection(ACTIONS)[action["id"]]
    return Reply(None, 204)


@router.post("/api/v2/actions/actions/{id}/deploy", scope="update:actions")
def deploy_action(req: SandboxRequest) -> Any:
    action = find(req.tenant, req.path_params["id"])
    return version_out(req.tenant, deploy(req.tenant, action))


@router.get("/api/v2/actions/actions/{id}/versions", scope="read:actions")
def list_versions(req: SandboxRequest) -> Any:
    action = find(req.tenant, req.path_params["id"])
    versions = [version_out(req.tenant, req.tenant.collection(VERSIONS)[v])
                for v in reversed(action["_versions"])]
    return paged(req, "versions", versions)


def _version(req: SandboxRequest) -> tuple[dict[str, Any], dict[str, Any]]:
    action = find(req.tenant, req.path_params["id"])
    version = req.tenant.collection(VERSIONS).get(req.path_params["vid"])
    if version is None or version["_action"] != action["id"]:
        raise ApiError(404, "That action version does not exist.")
    return action, version


@router.get("/api/v2/actions/actions/{id}/versions/{vid}", scope="read:actions")
def get_version(req: SandboxRequest) -> Any:
    return version_out(req.tenant, _version(req)[1])


@router.post("/api/v2/actions/actions/{id}/versions/{vid}/deploy", scope="update:actions")
def deploy_version(req: SandboxRequest) -> Any:
    """Roll back: deploy a copy of an old version as the newest one, as Auth0 does."""
    action, version = _version(req)
    return version_out(req.tenant, deploy(req.tenant, action, source=version))


@router.get("/api/v2/actions/triggers", scope="read:actions")
def list_triggers(req: SandboxRequest) -> Any:
    return {"triggers": [
        {"id": t, "version": v, "status": status, "runtimes": list(runtimes),
         "default_runtime": default, "binding_policy": policy,
         "compatible_triggers": COMPATIBLE.get((t, v), [])}
        for t, v, status, (runtimes, default), policy in TRIGGERS]}


def _binding_out(tenant: SandboxTenant, trigger: str, binding: dict[str, Any]) -> dict[str, Any]:
    action = _refresh(tenant, tenant.collection(ACTIONS)[binding["action"]])
    return {"id": binding["id"], "trigger_id": trigger, "display_name": binding["display_name"],
            "action": {k: v for k, v in shown(action).items() if k not in ("code", "secrets")},
            "created_at": binding["created_at"], "updated_at": binding["created_at"]}


def _known_trigger(trigger: str) -> None:
    if trigger not in {t for t, *_ in TRIGGERS}:
        raise ApiError(404, f"Trigger {trigger} does not exist.")


@router.get("/api/v2/actions/triggers/{trigger}/bindings", scope="read:actions")
def get_bindings(req: SandboxRequest) -> Any:
    trigger = req.path_params["trigger"]
    _known_trigger(trigger)
    items = req.tenant.collection("action_bindings").get(trigger, {}).get("list", [])
    items = [b for b in items if b["action"] in req.tenant.collection(ACTIONS)]
    return paged(req, "bindings", items,
                 render=lambda b: _binding_out(req.tenant, trigger, b))


@router.patch("/api/v2/actions/triggers/{trigger}/bindings", scope="update:actions")
def update_bindings(req: SandboxRequest) -> Any:
    trigger = req.path_params["trigger"]
    _known_trigger(trigger)
    body = req.json_object()  # its shape is checked against Auth0's schema before this
    resolved = []
    actions = req.tenant.collection(ACTIONS)
    for item in body["bindings"]:
        ref = item.get("ref") if isinstance(item, dict) else None
        if not isinstance(ref, dict) or ref.get("type") not in ("action_id", "action_name"):
            raise ApiError(400, "Each binding needs ref {type: action_id|action_name, value}.",
                           "invalid_body")
        match = [a for a in actions.values() if (a["id"] if ref["type"] == "action_id"
                                                  else a["name"]) == ref.get("value")]
        if not match:
            raise ApiError(404, NOT_FOUND)
        action = _refresh(req.tenant, match[0])
        if not action.get("deployed_version"):
            raise ApiError(400, f"Action {action['name']!r} must be deployed before it can be "
                           "bound.", "action_not_deployed")
        if not any(t["id"] == trigger for t in action["supported_triggers"]):
            raise ApiError(400, f"Action {action['name']!r} does not support trigger "
                           f"{trigger}.", "incompatible_trigger")
        resolved.append({"id": req.tenant.new_id("action"), "action": action["id"],
                         "display_name": item.get("display_name") or action["name"],
                         "created_at": iso_now(nanos=True)})
    req.tenant.collection("action_bindings")[trigger] = {"list": resolved}
    return {"bindings": [_binding_out(req.tenant, trigger, b) for b in resolved]}


CLAIM_CODE = """/**
 * Add the user's roles and plan to the tokens, as a namespaced custom claim.
 */
exports.onExecutePostLogin = async (event, api) => {
  const namespace = 'https://example-shop.com';
  api.accessToken.setCustomClaim(`${namespace}/plan`, event.user.app_metadata.plan || 'free');
  api.idToken.setCustomClaim(`${namespace}/roles`, event.authorization?.roles || []);
};
"""
M2M_CODE = """exports.onExecuteCredentialsExchange = async (event, api) => {
  if (event.client.metadata.tier !== 'internal') {
    api.accessToken.setCustomClaim('https://example-shop.com/tier', 'partner');
  }
};
"""
DRAFT_CODE = """exports.onExecutePostLogin = async (event, api) => {
  if (event.stats.logins_count === 1) {
    // TODO: send a welcome email from the new mailer
  }
};
"""
BROKEN_CODE = """exports.onExecutePostLogin = async (event, api) => {
  if (!event.user.email_verified) {
    api.access.deny('Please verify your email first.');
};
"""


@router.seed
def seed(tenant: SandboxTenant) -> None:
    post_login = [{"id": "post-login", "version": "v3"}]
    claim = make_action(tenant, {"name": "Add plan claim", "supported_triggers": post_login,
                                 "code": CLAIM_CODE,
                                 "secrets": [{"name": "SHOP_API_KEY", "value": "sk_live_demo"}]})
    m2m = make_action(tenant, {"name": "Tag partner tokens", "code": M2M_CODE,
                               "supported_triggers": [{"id": "credentials-exchange",
                                                       "version": "v2"}]})
    make_action(tenant, {"name": "Welcome email (draft)", "supported_triggers": post_login,
                         "code": DRAFT_CODE})
    broken = make_action(tenant, {"name": "Require verified email",
                                  "supported_triggers": post_login, "code": BROKEN_CODE})
    for action in (claim, m2m, broken):
        version = deploy(tenant, action)
        version["_build_started"] -= PENDING_SECONDS + BUILD_SECONDS + 1
        _refresh(tenant, action)
    tenant.collection("action_bindings")["post-login"] = {"list": [
        {"id": tenant.new_id("action"), "action": claim["id"], "display_name": claim["name"],
         "created_at": iso_now(nanos=True)}]}
    tenant.collection("action_bindings")["credentials-exchange"] = {"list": [
        {"id": tenant.new_id("action"), "action": m2m["id"], "display_name": m2m["name"],
         "created_at": iso_now(nanos=True)}]}


def prepare_replay(tenant: SandboxTenant, fixture: dict[str, Any]) -> None:
    """Before the fidelity test replays ``fixture``: what its request refers to exists."""
    _prepare_objects(tenant, fixture)
    request, response = fixture["request"], fixture["response"]
    recorded = response.get("body") if isinstance(response.get("body"), dict) else {}
    if request["path"].endswith("/versions") and recorded.get("versions"):
        action = tenant.collection(ACTIONS).get(request["path"].split("/")[-2])
        if action is not None and not action["_versions"]:
            deploy(tenant, action)


def _prepare_objects(tenant: SandboxTenant, fixture: dict[str, Any]) -> None:
    request, response = fixture["request"], fixture["response"]
    if response["status"] >= 400:
        return
    body = request.get("body") if isinstance(request.get("body"), dict) else {}
    named = (request.get("query") or {}).get("actionName")
    recorded = response.get("body") if isinstance(response.get("body"), dict) else {}
    if named and recorded.get("actions") and not any(
            a["name"] == named for a in tenant.collection(ACTIONS).values()):
        make_action(tenant, {"name": named, "supported_triggers": [{"id": "post-login",
                                                                    "version": "v3"}]})
    if request["method"] == "POST" and request["path"].endswith("/actions/actions"):
        for aid, action in list(tenant.collection(ACTIONS).items()):
            if action["name"] == body.get("name"):
                del tenant.collection(ACTIONS)[aid]
        return
    for binding in body.get("bindings") or []:
        ref = binding.get("ref", {})
        if ref.get("type") == "action_id" and ref.get("value") not in tenant.collection(ACTIONS):
            made = make_action(tenant, {"name": f"Bound {ref['value']}", "supported_triggers":
                                        [{"id": "post-login", "version": "v3"}],
                                        "code": "exports.onExecutePostLogin = async () => {};"})
            del tenant.collection(ACTIONS)[made["id"]]
            made["id"] = ref["value"]
            tenant.collection(ACTIONS)[made["id"]] = made
            version = deploy(tenant, made)
            version["_build_started"] -= PENDING_SECONDS + BUILD_SECONDS + 1
            _refresh(tenant, made)
    match = re.search(r"/actions/actions/([0-9a-f-]{36})", request["path"])
    if not match or match.group(1) in tenant.collection(ACTIONS):
        return
    action = make_action(tenant, {"name": f"Replay {match.group(1)}",
                                  "supported_triggers": [{"id": "post-login",
                                                          "version": "v3"}],
                                  "code": body.get("code", "exports.onExecutePostLogin = "
                                                   "async (event, api) => {};")})
    del tenant.collection(ACTIONS)[action["id"]]
    action["id"] = match.group(1)
    tenant.collection(ACTIONS)[action["id"]] = action
    vmatch = re.search(r"/versions/([0-9a-f-]{36})", request["path"])
    if vmatch:
        version = deploy(tenant, action)
        version["_build_started"] -= PENDING_SECONDS + BUILD_SECONDS + 1
        _refresh(tenant, action)
        del tenant.collection(VERSIONS)[version["id"]]
        version["id"] = vmatch.group(1)
        action["_versions"][-1] = version["id"]
        tenant.collection(VERSIONS)[version["id"]] = version
