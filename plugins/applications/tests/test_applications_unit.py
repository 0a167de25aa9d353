"""The applications family against real recorded Auth0 responses (no sandbox): every
clients/client-grants fixture is served through httpx to the real handlers, so their parsing,
summaries and error messages meet the shapes Auth0 really sends."""

from __future__ import annotations

import glob
import json
import logging
from pathlib import Path
from typing import Any

import httpx
import pytest

from auth0_mcp.context import Tenant, ToolContext
from auth0_mcp.converter import make_converter
from auth0_mcp.errors import Auth0ApiError
from auth0_mcp.management import ManagementClient
from auth0_mcp.redaction import Redactor
from auth0_mcp.testing.shared import fixtures_dir
from auth0_mcp_applications import applications, grants
from auth0_mcp_applications.applications import SUMMARY_BYTES, defaults_for, secret_hint, summary
from auth0_mcp_applications.urls import non_verifiable

FIXTURES = fixtures_dir(__file__)


def fixtures(prefix: str) -> list[dict[str, Any]]:
    paths = sorted(glob.glob(str(FIXTURES / f"{prefix}__*.json")))
    assert paths, f"no {prefix} fixtures in {FIXTURES}"
    return [json.loads(Path(p).read_text()) for p in paths]


class Token:
    async def token(self) -> str:
        return "test-token"

    async def invalidate(self) -> bool:
        return False


def context(fixture: dict[str, Any], seen: list[httpx.Request],
            domain: str = "tenant.eu.auth0.com") -> ToolContext:
    """A ToolContext whose Management API answers every request with the fixture's response."""
    response = fixture["response"]

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        body = response.get("body")
        content = b"" if body is None else (body.encode() if isinstance(body, str)
                                            else json.dumps(body).encode())
        return httpx.Response(response["status"], content=content,
                              headers={"content-type": "application/json"})

    api = ManagementClient(domain, Token(), transport=httpx.MockTransport(answer),
                           rate_limit_budget=0, retries=0)
    return ToolContext(api, Tenant(api.domain), None, make_converter(),
                       logging.getLogger("test"))


def args_of(spec: Any, **values: Any) -> Any:
    return make_converter().structure(values, spec.input_type)


async def run(spec: Any, fixture: dict[str, Any], **values: Any) -> tuple[Any, list]:
    seen: list[httpx.Request] = []
    ctx = context(fixture, seen)
    try:
        return await spec.handler(ctx, args_of(spec, **values)), seen
    finally:
        await ctx.api.aclose()


def expect_error(status: int):
    return pytest.raises(Auth0ApiError, match=f"Auth0 answered {status}")


@pytest.mark.parametrize("fixture", fixtures("clients"), ids=lambda f: f["id"])
async def test_recorded_client_responses_parse(fixture: dict[str, Any]):
    operation, status = fixture["operation"], fixture["response"]["status"]
    body = fixture["response"]["body"]
    if status >= 400:
        spec = applications.list_applications if operation == "GET /clients" else (
            applications.get_application)
        values = {} if spec is applications.list_applications else {"client_id": "x"}
        with expect_error(status) as caught:
            await run(spec, fixture, **values)
        assert caught.value.auth0_message == body["message"]
        return
    if operation == "GET /clients":
        for name in (None, "a"):
            out, seen = await run(applications.list_applications, fixture,
                                  **({"name": name} if name else {}))
            items = body if isinstance(body, list) else body["clients"]
            if name is None:
                assert [a.get("client_id") for a in out["applications"]] == [
                    c.get("client_id") for c in items]
                assert "has_more" in out
            for app in out["applications"]:
                assert set(app) <= {"client_id", "name", "app_type", "global", "description"}
                assert "client_secret" not in json.dumps(app)
            assert seen[0].url.params["include_fields"] == "true"
    elif operation == "GET /clients/{id}":
        out, seen = await run(applications.get_application, fixture, client_id="abc")
        shown = Redactor().data(out)
        assert shown.get("client_secret", "[REDACTED]") == "[REDACTED]"
        if isinstance(body.get("refresh_token"), dict):
            assert shown["refresh_token"] == body["refresh_token"]
    elif operation == "POST /clients":
        out, seen = await run(applications.create_application, fixture, name="Recorded",
                              app_type="regular_web")
        assert out.data["client_id"] == body["client_id"]
        assert "eu/tenant/applications" in out.data["secret_access"]
        assert body["client_secret"] not in json.dumps(out.data) + (out.text or "")
    elif operation == "PATCH /clients/{id}":
        out, seen = await run(applications.update_application, fixture, client_id="abc",
                              set={"name": "Renamed"})
        assert json.loads(seen[-1].content) == {"name": "Renamed"}
        assert out.data["changed"] == {"name": body.get("name")}
    else:
        pytest.fail(f"no check for {operation}")


@pytest.mark.parametrize("fixture", fixtures("client-grants"), ids=lambda f: f["id"])
async def test_recorded_client_grant_responses_parse(fixture: dict[str, Any]):
    operation, status = fixture["operation"], fixture["response"]["status"]
    body = fixture["response"]["body"]
    if operation == "GET /client-grants":
        if status >= 400:
            with expect_error(status):
                await run(grants.list_application_grants, fixture)
            return
        out, _ = await run(grants.list_application_grants, fixture)
        items = body if isinstance(body, list) else body["client_grants"]
        assert [g["id"] for g in out["grants"]] == [g["id"] for g in items]
        for shown, raw in zip(out["grants"], items, strict=True):
            assert shown["scope"] == raw["scope"][:grants.LISTED_SCOPES]
            assert shown.get("more_scopes", 0) == max(0, len(raw["scope"]) -
                                                      grants.LISTED_SCOPES)
    elif operation == "POST /client-grants":
        values = {"client_id": "abc", "audience": "https://api.example.com/", "scope": ["a:b"]}
        if status >= 400:
            with expect_error(status) as caught:
                await run(grants.create_application_grant, fixture, **values)
            assert caught.value.auth0_message == body["message"]
            return
        out, _ = await run(grants.create_application_grant, fixture, **values)
        assert out.data["id"] == body["id"] and body["audience"] in out.text
    elif operation in ("PATCH /client-grants/{id}", "GET /client-grants/{id}"):
        out, seen = await run(grants.update_application_grant, fixture, id="cgr_1",
                              add_scope=["extra:scope"])
        assert out.data["id"] == body["id"]
        assert "extra:scope" in json.loads(seen[-1].content)["scope"]
    elif operation == "DELETE /client-grants/{id}":
        out, seen = await run(grants.delete_application_grant, fixture, id="cgr_1")
        assert out == {"deleted": "cgr_1"} and seen[0].method == "DELETE"
    else:
        pytest.fail(f"no check for {operation}")


def test_summary_fits_its_budget_and_keeps_the_identity():
    long = {"client_id": "A" * 32, "name": "Customer portal", "app_type": "regular_web",
            "description": "é" * 140, "global": False, "client_secret": "s" * 64}
    out = summary(long)
    assert len(json.dumps(out)) <= SUMMARY_BYTES
    assert out["description"].endswith("...") and "client_secret" not in out
    assert summary({"tenant": "t", "client_id": "x"}) == {"client_id": "x"}
    assert summary({"client_id": "x", "global": True, "name": "All Applications"})["global"]


def test_defaults_respect_every_choice():
    assert defaults_for("spa", {"callbacks": ["https://a.example/cb"]}) == {
        "oidc_conformant": True,
        "jwt_configuration": {"alg": "RS256", "lifetime_in_seconds": 36000},
        "token_endpoint_auth_method": "none"}
    assert defaults_for("regular_web", {})["token_endpoint_auth_method"] == "client_secret_post"
    assert "token_endpoint_auth_method" not in defaults_for(None, {})
    chosen = {"oidc_conformant": False, "jwt_configuration": {"alg": "HS256"},
              "token_endpoint_auth_method": "client_secret_basic",
              "skip_non_verifiable_callback_uri_confirmation_prompt": False,
              "callbacks": ["http://localhost/cb"]}
    assert defaults_for("native", chosen) == {}


@pytest.mark.parametrize("domain, where", [
    ("acme.eu.auth0.com", "https://manage.auth0.com/dashboard/eu/acme/applications/ID/settings"),
    ("acme.auth0.com", "https://manage.auth0.com/dashboard/us/acme/applications/ID/settings"),
    ("login.acme.com", "GET https://login.acme.com/api/v2/clients/ID with a token that has "
                       "read:client_keys")])
async def test_secret_hint_points_at_the_right_place(domain: str, where: str):
    ctx = context({"response": {"status": 200, "body": {}}}, [], domain=domain)
    try:
        assert where in secret_hint(ctx, {"client_id": "ID"})
        public = secret_hint(ctx, {"client_id": "ID", "token_endpoint_auth_method": "none"})
        assert public.startswith("not used by this public client") and where in public
    finally:
        await ctx.api.aclose()


@pytest.mark.parametrize("url, expected", [
    ("com.example.app://callback", True), ("myapp:/callback", True),
    ("http://localhost:3000/cb", True), ("http://app.localhost/cb", True),
    ("http://127.0.0.1/cb", True), ("http://127.8.9.10:8080/cb", True),
    ("http://[::1]:8080/cb", True), ("https://shop.example.com/cb", False),
    ("https://localhost.example.com/cb", False), ("https://10.0.0.1/cb", False),
    ("not a url", False)])
def test_non_verifiable_callbacks(url: str, expected: bool):
    assert non_verifiable(url) is expected
