"""What the MCPB host starts (with ``uv run``): the auth0-mcp server over stdio, configured by
the environment the manifest's ``user_config`` fills in."""

import sys

from auth0_mcp.cli import main

if __name__ == "__main__":
    sys.argv = ["auth0-mcp", "run", *sys.argv[1:]]
    main()
