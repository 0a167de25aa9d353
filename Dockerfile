# auth0-mcp for a team: Streamable HTTP at :8765/mcp (remote mode), health at /healthz.
#   docker build -t auth0-mcp .
#   docker run -p 8765:8765 -e AUTH0_DOMAIN=acme.eu.auth0.com -e AUTH0_CLIENT_ID=... \
#     -e AUTH0_CLIENT_SECRET=... auth0-mcp \
#     --oauth-issuer https://acme.eu.auth0.com/ --oauth-audience https://mcp.example.com \
#     --public-url https://mcp.example.com/mcp --allowed-hosts mcp.example.com
# Credentials come from those variables, or from a file written by
# `auth0-mcp init --credentials-file PATH`, mounted read-only with
# AUTH0_MCP_CREDENTIALS_FILE pointing at it. Arguments after the image name go to `run`.

FROM python:3.11-slim AS build
COPY --from=ghcr.io/astral-sh/uv:0.13.9 /uv /usr/local/bin/uv
# Bytecode compiled once here, not at every start; the venv is copied, so no links into the cache.
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/auth0-mcp
WORKDIR /src
# .dockerignore lets in only the workspace: pyproject.toml, uv.lock and its members.
COPY . .
# Exactly the locked versions; the core and every family installed as wheels, no dev tools.
RUN uv sync --locked --no-dev --no-editable --package auth0-mcp --extra all

FROM python:3.11-slim
LABEL io.modelcontextprotocol.server.name="io.github.auth0-mcp/auth0-mcp" \
      org.opencontainers.image.title="auth0-mcp" \
      org.opencontainers.image.description="MCP server administering an Auth0 tenant" \
      org.opencontainers.image.source="https://github.com/auth0-mcp/auth0-mcp" \
      org.opencontainers.image.licenses="MIT"
RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin auth0-mcp
COPY --from=build /opt/auth0-mcp /opt/auth0-mcp
ENV PATH=/opt/auth0-mcp/bin:$PATH PYTHONUNBUFFERED=1
USER 10001
EXPOSE 8765
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s \
    CMD ["python", "-c", "import urllib.request as u; u.urlopen('http://127.0.0.1:8765/healthz', timeout=2)"]
ENTRYPOINT ["auth0-mcp", "run", "--transport", "http", "--host", "0.0.0.0", "--port", "8765"]
