"""The plugin contract: the hooks a plugin may implement, through the ``auth0_mcp`` entry points.

Keep this surface small: a hook is added only when a real consumer needs it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from auth0_mcp_sandbox.routing import Router

    from .spec import ToolSpec

PROJECT = "auth0_mcp"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def auth0_mcp_register_tools() -> Iterable[ToolSpec]:
    """Return this plugin's tools. Pure data: no I/O, called once at start-up."""


@hookspec
def auth0_mcp_sandbox_routers() -> Iterable[Router]:
    """Return sandbox routers emulating the Auth0 endpoints this plugin's tools call; every
    family, first- or third-party, contributes its emulator this way. Called only when a
    sandbox tenant starts: import the emulator inside the hook, so the plugin loads without
    ``auth0-mcp-sandbox`` installed."""
