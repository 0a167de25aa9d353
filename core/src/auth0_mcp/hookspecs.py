"""The plugin contract: the hooks a plugin may implement, through the ``auth0_mcp`` entry points.

Keep this surface small: a hook is added only when a real consumer needs it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from .sandbox.routing import Router
    from .spec import ToolSpec

PROJECT = "auth0_mcp"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def auth0_mcp_register_tools() -> Iterable[ToolSpec]:
    """Return this plugin's tools. Pure data: no I/O, called once at start-up."""


@hookspec
def auth0_mcp_sandbox_routers() -> Iterable[Router]:
    """Return sandbox routers emulating the Auth0 endpoints this plugin's tools call, so a
    third-party family is tested against the sandbox exactly like first-party ones."""
