"""Logging goes to stderr only: stdout belongs to the stdio transport.

``DEBUG=auth0-mcp`` (or any DEBUG value naming ``auth0-mcp``, or ``*``) turns on debug logs,
as in the reference.
"""

from __future__ import annotations

import logging
import os
import sys


def debug_enabled(env: dict[str, str] | None = None) -> bool:
    value = (env or os.environ).get("DEBUG", "")
    names = {v.strip() for v in value.replace(" ", ",").split(",")}
    return bool(names & {"auth0-mcp", "auth0-mcp*", "*"})


def configure(level: int | None = None) -> None:
    if level is None:
        level = logging.DEBUG if debug_enabled() else logging.INFO
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("[%(levelname)s:auth0-mcp] %(message)s"))
    root = logging.getLogger("auth0_mcp")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False
    logging.getLogger().setLevel(logging.WARNING if level > logging.DEBUG else logging.DEBUG)
    if not logging.getLogger().handlers:
        logging.getLogger().addHandler(handler)
