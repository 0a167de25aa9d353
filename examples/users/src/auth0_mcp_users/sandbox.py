"""The sandbox endpoints these tools call: ``/users-by-email`` and ``/users/{id}``."""

from __future__ import annotations

from typing import Any

from auth0_mcp_sandbox.routing import ApiError, Router, SandboxRequest

router = Router("users")
COLLECTION = "users"
PEOPLE = [("alice@example.com", "Alice Smith"), ("bob@example.com", "Bob Jones"),
          ("carol@example.org", "Carol White"), ("dave@example.net", "Dave Brown")]


def _find(req: SandboxRequest) -> dict[str, Any]:
    user = req.tenant.collection(COLLECTION).get(req.path_params["id"])
    if user is None:
        raise ApiError(404, "The user does not exist.", "inexistent_user")
    return user


@router.get("/api/v2/users-by-email", scope="read:users")
def users_by_email(req: SandboxRequest) -> Any:
    email = (req.query.get("email") or "").lower()
    if not email:
        raise ApiError(400, "Query validation error: 'Missing required property: email'.",
                       "invalid_query_string")
    return [u for u in req.tenant.collection(COLLECTION).values() if u["email"] == email]


@router.get("/api/v2/users/{id}", scope="read:users")
def get_user(req: SandboxRequest) -> Any:
    return _find(req)


@router.patch("/api/v2/users/{id}", scope="update:users")
def update_user(req: SandboxRequest) -> Any:
    user = _find(req)
    body = req.json_object()
    unknown = sorted(set(body) - {"blocked", "name", "user_metadata", "app_metadata"})
    if unknown:
        raise ApiError(400, "Payload validation error: 'Additional properties not allowed: "
                       f"{','.join(unknown)}'.", "invalid_body")
    user.update(body)
    return user


@router.seed
def seed(tenant: Any) -> None:
    for i, (email, name) in enumerate(PEOPLE, start=1):
        user_id = f"auth0|64f1c2a9e8b7d6c5b4a3{i:04d}"
        tenant.collection(COLLECTION)[user_id] = {
            "user_id": user_id, "email": email, "email_verified": True, "name": name,
            "blocked": False, "logins_count": 3 * i, "created_at": f"2026-01-0{i}T10:00:00.000Z",
            "identities": [{"provider": "auth0", "user_id": user_id[6:],
                            "connection": "Username-Password-Authentication",
                            "isSocial": False}]}
