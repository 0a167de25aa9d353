"""Errors a tool call can end with, and the actionable sentence the model gets for each.

Handlers raise; the pipeline turns any of these into one ``isError`` result. Messages say what
happened and what to do next, and never carry a secret (they pass through redaction too).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any


class SetupError(Exception):
    """The command cannot go on until the user changes something (credentials, flags, plugins,
    keyring): the CLI prints the message as one line and exits 2."""


class ToolError(Exception):
    """An expected failure with a message written for the model (bad input, not found...)."""


class LoginError(ToolError):
    """No token could be had (refused, unreachable, denied, expired): during a call it is that
    call's error; at start-up ``run`` turns it into a one-line start-up error."""


class InvalidArguments(ToolError):
    """Arguments that do not match the tool's schema: no request was sent."""


class ReadOnlyViolation(ToolError):
    """A write attempted while the server runs read-only: refused before leaving the process."""


class UpstreamUnavailable(ToolError):
    """Auth0 could not be reached or kept failing (timeouts, connection errors, 5xx)."""


class Auth0ApiError(ToolError):
    """A non-2xx answer from the Management API, with Auth0's error body fields."""

    def __init__(self, status: int, method: str, path: str, body: Any,
                 retry_at: float | None = None) -> None:
        self.status = status
        self.method = method
        self.path = path
        self.body = body if isinstance(body, Mapping) else {}
        self.raw = body if not isinstance(body, Mapping) else None
        self.retry_at = retry_at
        super().__init__(self.describe())

    @property
    def auth0_message(self) -> str:
        message = self.body.get("message") or self.body.get("error_description")
        if message:
            return str(message)
        if isinstance(self.raw, str) and self.raw.strip():
            text = " ".join(self.raw.split())
            return text[:200]
        return str(self.body.get("error") or "no details")

    @property
    def error_code(self) -> str | None:
        code = self.body.get("errorCode") or self.body.get("error")
        return str(code) if code else None

    @property
    def is_auth_header_error(self) -> bool:
        """Auth0's 400 for an Authorization header that is not ``Bearer <JWT>``."""
        return self.status == 400 and (self.error_code == "Bearer" or "authentication header"
                                       in self.auth0_message)

    def describe(self) -> str:
        what = f"Auth0 answered {self.status} to {self.method} {self.path}: {self.auth0_message}"
        if self.is_auth_header_error:
            return (f"{what}. The server's access token is malformed: this is its credentials, "
                    "not the arguments. Set AUTH0_TOKEN to a whole Management API access token "
                    "(a JWT), or log in with `auth0-mcp init` (`auth0-mcp session` shows the "
                    "stored login), then restart the server.")
        if self.status == 401:
            return (f"{what}. The server's credentials were refused (token invalid, expired or "
                    "for another tenant), not the arguments: check them with `auth0-mcp "
                    "session` and log in again with `auth0-mcp init`, or set a fresh "
                    "AUTH0_TOKEN, then restart the server.")
        if self.status == 403:
            if self.error_code == "insufficient_scope":
                return (f"{what}. Grant the missing scope to this server's token (its "
                        "credentials, not the arguments): `auth0-mcp session` lists the scopes "
                        "it has; log in again with `auth0-mcp init --scopes ...` including it, "
                        "or, for client credentials, add it to the application's grant on the "
                        "Auth0 Management API; then restart the server.")
            return f"{what}. The tenant does not allow this operation for this token."
        if self.status == 404:
            return f"{what}. Check the id; list the resources to find the right one."
        if self.status == 409:
            return f"{what}. It already exists: fetch the existing one or choose another name."
        if self.status in (400, 422):
            return f"{what}. Fix the arguments and retry."
        if self.status == 429:
            return f"{what}. Rate limited by Auth0: {retry_hint(self.retry_at)}"
        if self.status >= 500:
            return f"{what}. Auth0 had a server error; nothing was changed by this call if it "\
                   "was a read. Retry in a little while."
        return what


def retry_hint(retry_at: float | None) -> str:
    if retry_at is None:
        return "wait a few seconds and retry."
    wait = max(0, round(retry_at - time.time()))
    return f"retry in {wait} s (after {time.strftime('%H:%M:%S', time.gmtime(retry_at))} UTC)."
