"""``auth0-mcp sandbox``: serve a sandbox tenant in the foreground and say how to use it."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path

from .faults import Faults
from .ratelimit import RateLimit
from .server import SandboxServer


def usage(box: SandboxServer, state: Path | None) -> str:
    """What a person needs to start using the tenant, ready to paste."""
    client_id, secret = box.admin_credentials
    base = box.base_url
    form = json.dumps({"grant_type": "client_credentials", "client_id": client_id,
                       "client_secret": secret, "audience": f"{base}/api/v2/"})
    tls = (f"  certificate to trust:   {box.tls[0]}  (SSL_CERT_FILE, NODE_EXTRA_CA_CERTS)\n"
           if box.tls else "")
    # benchmarks/_common.py reads the domain and the admin credentials from these lines
    return f"""auth0-mcp sandbox tenant at {base}  (Ctrl-C stops it)
  domain (AUTH0_DOMAIN):  {base}
  admin application:      client_id {client_id}
                          client_secret {secret}
  device login page:      {base}/activate
  state:                  {state or 'in memory only (--state FILE keeps it)'}
{tls}
Get a Management API token:
  curl -s {base}/oauth/token -H 'content-type: application/json' \\
    -d {shlex.quote(form)}

Then call it, e.g.:
  curl -s {base}/api/v2/clients -H "authorization: Bearer $TOKEN"

Run the MCP server against this tenant:
  AUTH0_DOMAIN={base} AUTH0_CLIENT_ID={client_id} \\
  AUTH0_CLIENT_SECRET={secret} auth0-mcp run
(or let it start its own sandbox: auth0-mcp run --sandbox)
"""


def serve(port: int = 8484, state: Path | None = None, empty: bool = False, *,
          latency_ms: float = 0.0, error_rate: float = 0.0, error_html: bool = False,
          rate_limit: int | None = None, rate_per_second: float | None = None,
          malformed_rate: float = 0.0, seed: int = 0, tls_dir: Path | None = None) -> None:
    """Serve until Ctrl-C. ``rate_limit`` is the bucket size per API (refilled at
    ``rate_per_second``, default a tenth of the bucket per second)."""
    faults = Faults.from_settings({"latency_ms": latency_ms, "error_rate": error_rate,
                                   "error_html": error_html, "malformed_rate": malformed_rate,
                                   "seed": seed})
    limits = None
    if rate_limit is not None:
        per_second = rate_per_second if rate_per_second is not None else max(rate_limit / 10, 1)
        limits = RateLimit(rate_limit, per_second)
    box = SandboxServer(port=port, state_file=state, empty=empty, faults=faults,
                        rate_limit=limits, tls_dir=tls_dir)
    print(usage(box, state), file=sys.stderr, flush=True)
    if faults.active:
        print(f"faults: {faults.settings()}", file=sys.stderr, flush=True)
    try:
        box.serve_forever()
    except KeyboardInterrupt:
        pass
