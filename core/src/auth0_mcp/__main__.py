"""``python -m auth0_mcp``: the same as the ``auth0-mcp`` command (used by client configs when
the script is not next to the interpreter)."""

from .cli import main

main()
