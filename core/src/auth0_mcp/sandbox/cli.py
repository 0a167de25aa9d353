"""``auth0-mcp sandbox``: serve a sandbox tenant in the foreground and say how to use it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .enforce import Faults, RateLimit
from .server import SandboxServer


def serve(*, port: int = 8484, state: Path | None = None, empty: bool = False,
          latency_ms: float = 0.0, error_rate: float = 0.0, rate_limit: int | None = None,
          malformed_rate: float = 0.0) -> None:
    faults = Faults(latency_ms=latency_ms, error_rate=error_rate, error_html=False,
                    malformed_rate=malformed_rate)
    limit = RateLimit(limit=rate_limit, per_second=max(1.0, rate_limit / 10)) if rate_limit \
        else None
    box = SandboxServer(port=port, state_file=state, empty=empty, faults=faults,
                        rate_limit=limit)
    client_id, secret = box.admin_credentials
    base = box.base_url
    form = json.dumps({"grant_type": "client_credentials", "client_id": client_id,
                       "client_secret": secret, "audience": f"{base}/api/v2/"})
    print(f"""auth0-mcp sandbox tenant at {base}  (Ctrl-C stops it)
  domain (AUTH0_DOMAIN):  {base}
  admin application:      client_id {client_id}
                          client_secret {secret}
  get a Management API token:
    curl -s {base}/oauth/token -H 'content-type: application/json' \\
      -d '{form}'
  run the MCP server against it:
    AUTH0_DOMAIN={base} AUTH0_CLIENT_ID={client_id} AUTH0_CLIENT_SECRET={secret} auth0-mcp run
  state: {state or 'in memory (use --state FILE to keep it)'}""", file=sys.stderr, flush=True)
    try:
        box.serve_forever()
    except KeyboardInterrupt:
        pass
