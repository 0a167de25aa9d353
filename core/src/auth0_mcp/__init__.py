"""auth0-mcp: manage an Auth0 tenant from any MCP client.

The public plugin API, stable within a minor version (docs/plugins.md):
``tool``, ``arg``, ``ToolSpec``, ``ToolResult``, ``ToolContext``, ``ToolError``, ``hookimpl``,
``segment``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import Auth0ApiError, ToolError
from .hookspecs import hookimpl
from .spec import NoArguments, ToolResult, ToolSpec, arg, returns, tool

if TYPE_CHECKING:
    from .context import ToolContext
    from .management import segment

__version__ = "0.1.0"
__all__ = [
    "Auth0ApiError",
    "NoArguments",
    "ToolContext",
    "ToolError",
    "ToolResult",
    "ToolSpec",
    "arg",
    "hookimpl",
    "returns",
    "segment",
    "tool",
]


def __getattr__(name: str) -> Any:
    """``ToolContext`` and ``segment`` pull in httpx: import them only when asked for."""
    if name == "ToolContext":
        from .context import ToolContext

        return ToolContext
    if name == "segment":
        from .management import segment

        return segment
    raise AttributeError(name)
