"""A tenant that answers in well under a millisecond, so a server's own cost is what is measured.

The sandbox spends ~2 ms per request (routing, auth, enforcement) and hides the difference
between two MCP servers; this stub answers canned bodies taken once from a seeded sandbox
tenant (its applications and newest log events, exactly as the sandbox would send them):

    GET /api/v2/clients          {"clients": [...], ...totals} or a bare array; per_page honoured
    GET /api/v2/clients/{id}     one client
    GET /api/v2/logs             a bare array; per_page or take honoured

over https (the reference server speaks nothing else) with the sandbox's self-signed
certificate, HTTP/1.1 keep-alive. Any bearer token is accepted. It prints ``https://...`` on
stdout once listening and runs until killed.

    python benchmarks/tenant_stub.py TLS_DIR
"""

from __future__ import annotations

import asyncio
import json
import ssl
import sys
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from auth0_mcp_sandbox.seed import seed_tenant
from auth0_mcp_sandbox.server import plugin_routers
from auth0_mcp_sandbox.tenant import SandboxTenant
from auth0_mcp_sandbox.tls import self_signed


def canned() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(applications, log events newest first) of a freshly seeded sandbox tenant."""
    tenant = SandboxTenant(base_url="https://127.0.0.1")
    seed_tenant(tenant, plugin_routers())
    clients = list(tenant.collection("clients").values())
    return clients, list(reversed(tenant.logs[-100:]))


def response(status: int, body: Any) -> bytes:
    data = json.dumps(body, separators=(",", ":")).encode()
    return (f"HTTP/1.1 {status} {'OK' if status == 200 else 'Not Found'}\r\n"
            f"content-type: application/json; charset=utf-8\r\ncontent-length: {len(data)}\r\n"
            "\r\n").encode() + data


class Stub:
    def __init__(self) -> None:
        clients, self.logs = canned()
        self.clients = {c["client_id"]: response(200, c) for c in clients}
        self.client_list = clients
        self.pages: dict[tuple[str, int, bool], bytes] = {}  # answers are built once
        self.missing = response(404, {"statusCode": 404, "error": "Not Found",
                                      "message": "Not found", "errorCode": "inexistent"})

    def answer(self, target: str) -> bytes:
        url = urlsplit(target)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        count = int(query.get("per_page") or query.get("take") or 50)
        totals = query.get("include_totals") == "true"
        key = (url.path, count, totals)
        if key in self.pages:
            return self.pages[key]
        if url.path == "/api/v2/clients":
            page = self.client_list[:count]
            body: Any = ({"clients": page, "start": 0, "limit": count, "length": len(page),
                          "total": len(self.client_list)} if totals else page)
        elif url.path == "/api/v2/logs":
            body = self.logs[:count]
        elif url.path.startswith("/api/v2/clients/"):
            return self.clients.get(url.path.rsplit("/", 1)[1], self.missing)
        else:
            return self.missing
        self.pages[key] = response(200, body)
        return self.pages[key]

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                target = head.split(b" ", 2)[1].decode()
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        await reader.readexactly(int(line.split(b":")[1]))
                writer.write(self.answer(target))
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


async def main(tls_dir: Path) -> None:
    cert, key = self_signed(tls_dir)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    stub = Stub()
    server = await asyncio.start_server(stub.serve, "127.0.0.1", 0, ssl=context)
    port = server.sockets[0].getsockname()[1]
    print(f"https://127.0.0.1:{port} {next(iter(stub.clients))}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1])))
