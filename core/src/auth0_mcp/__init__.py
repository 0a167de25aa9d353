"""auth0-mcp: manage an Auth0 tenant from any MCP client.

The public plugin API, stable within a minor version (docs/plugins.md):
``tool``, ``arg``, ``Target``, ``ToolSpec``, ``ToolResult``, ``ToolContext``, ``ToolError``,
``hookimpl``, ``segment``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import Auth0ApiError, ToolError
from .hookspecs import hookimpl
from .shaping import segment
from .spec import NoArguments, Target, ToolResult, ToolSpec, arg, returns, tool

if TYPE_CHECKING:
    from .context import ToolContext

__version__ = "0.1.0"
__all__ = [
    "Auth0ApiError",
    "NoArguments",
    "Target",
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
    """``ToolContext`` is imported when asked for, so ``import auth0_mcp`` stays small."""
    if name == "ToolContext":
        from .context import ToolContext

        return ToolContext
    raise AttributeError(name)
