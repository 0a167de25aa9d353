"""CPU per Management API request, by client stack, against the TLS tenant stub.

What one ``GET /api/v2/clients/{id}`` costs this process (``time.process_time``; the stub runs
in its own process) through: httpx's AsyncClient on httpx's default transport (httpcore, what
the server used before), that transport called directly, and the server's own transport
(http11.py) called directly, as ManagementClient does. Sequential requests on one kept-alive
connection, after a warm-up.

    python benchmarks/upstream.py [--requests 2000] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import ssl
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
from _common import emit, print_table, scoped_token, start_stub

from auth0_mcp.http11 import Http11Transport

WARM = 50


async def per_request(send: Callable[[], Awaitable[httpx.Response]], n: int) -> float:
    """Microseconds of this process's CPU per request."""
    for _ in range(WARM):
        (await send()).json()
    started = time.process_time()
    for _ in range(n):
        (await send()).json()
    return (time.process_time() - started) / n * 1e6


async def measure(base: str, client_id: str, cert: str, n: int) -> list[dict]:
    tls = ssl.create_default_context(cafile=cert)
    url = f"{base}/api/v2/clients/{client_id}"
    headers = {"Authorization": f"Bearer {scoped_token()}", "Accept": "application/json"}
    rows = []

    default = httpx.AsyncHTTPTransport(verify=tls)
    async with httpx.AsyncClient(transport=default, headers=headers) as client:
        rows.append(("httpx.AsyncClient + httpcore", await per_request(
            lambda: client.get(url), n)))

    async def direct(transport: httpx.AsyncBaseTransport) -> httpx.Response:
        response = await transport.handle_async_request(httpx.Request("GET", url,
                                                                      headers=headers))
        await response.aread()
        return response

    async with httpx.AsyncHTTPTransport(verify=tls) as core:
        rows.append(("httpcore transport, direct", await per_request(lambda: direct(core), n)))
    ours = Http11Transport(lambda: tls)
    try:
        rows.append(("http11.Http11Transport, direct (ours)",
                     await per_request(lambda: direct(ours), n)))
    finally:
        await ours.aclose()
    return [{"stack": name, "CPU µs per request": round(us, 1)} for name, us in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tls:
        stub, base, client_id = start_stub(tls)
        try:
            rows = asyncio.run(measure(base, client_id, str(Path(tls) / "cert.pem"),
                                       args.requests))
        finally:
            stub.terminate()
            stub.wait()
    if args.json:
        emit({"rows": rows}, True)
        return
    print_table(f"CPU per Management API request ({args.requests} sequential GETs, "
                "TLS tenant stub)", rows)


if __name__ == "__main__":
    main()
