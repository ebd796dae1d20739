"""The FastAPI application: one factory for production, `make run` and the tests."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from temporalio.client import Client

from api.auth import Identity
from api.errors import REQUEST_ID, install_error_handlers
from api.limits import BodyLimit
from api.openapi import install_openapi
from api.ratelimit import ConcurrencyLimit, RateLimiter
from api.routes import audit, cases, exports, fund_top_up, imports, inbox, processes, reference, registry_admin, reports, routing, users
from api.routes.owner_identities import router as owner_identities_router
from api.routes.workbench import install_workbench
from core.logging import configure_logging
from core.registry import REGISTRY, resolve
from core.settings import Settings, get_settings
from core.temporal import connect
from db.session import make_engine, make_read_engine, make_session_factory

DESCRIPTION = """
Property-management governance processes of Qingzhou (青州) as durable workflows.

Authenticate with `Authorization: Bearer <token>` (`make tokens` prints one per demo role).
Errors are RFC 9457 `application/problem+json`. Send an `Idempotency-Key` header with every
start and decision: a retried request then never starts or decides twice.
"""


class RequestContext:
    """Binds a request id (the caller's ``X-Request-ID`` or a new one) to the logs and echoes it back.

    A plain ASGI middleware: Starlette's ``BaseHTTPMiddleware`` runs every request in an extra
    task and stream, which cost about a tenth of a short request's CPU (bench/README.md).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = Headers(scope=scope).get("x-request-id") or uuid.uuid4().hex
        # Also in the scope's state: the 500 handler answers outside this middleware (Starlette's
        # ServerErrorMiddleware is outermost) and names the request id in its body and header.
        scope.setdefault("state", {})[REQUEST_ID] = request_id
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id, method=scope["method"], path=scope["path"])

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-Request-ID"] = request_id
                # Answers carry personal data (ledgers, contacts, names on timelines): no cache keeps them.
                if "cache-control" not in headers:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_id)


class TemporalClientHolder:
    """Connects on first use and reconnects after a failure, so the API starts even if Temporal is down."""

    def __init__(self, settings: Settings, client: Client | None = None) -> None:
        self._settings = settings
        self._client = client
        self._lock = asyncio.Lock()

    async def __call__(self) -> Client | None:
        if self._client is not None:
            return self._client
        async with self._lock:
            if self._client is None:
                try:
                    self._client = await connect(self._settings)
                except Exception as exc:
                    structlog.get_logger("api").warning("temporal unreachable", error=str(exc))
                    return None
        return self._client


def create_app(settings: Settings | None = None, client: Client | None = None) -> FastAPI:
    """Build the app; tests pass their own settings and Temporal client."""
    settings = settings or get_settings()
    configure_logging(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings)
        app.state.sessions = make_session_factory(engine)
        read_engine = make_read_engine(settings, engine)
        app.state.read_sessions = make_session_factory(read_engine)
        app.state.identity = Identity(settings, app.state.sessions)
        app.state.rate_limiter = RateLimiter(settings, app.state.sessions)
        app.state.temporal = TemporalClientHolder(settings, client)
        yield
        await engine.dispose()
        await read_engine.dispose()

    app = FastAPI(title="wuyeflow 物业管理流程", version="0.1.0", description=DESCRIPTION, lifespan=lifespan)
    app.state.settings = settings
    install_error_handlers(app)
    install_openapi(app)

    # Outermost last: the request id is bound before anything answers, bodies are bounded before any route reads them.
    app.add_middleware(BodyLimit)
    app.add_middleware(ConcurrencyLimit, settings=settings)
    app.add_middleware(RequestContext)

    @app.get("/health", tags=["health"], summary="Liveness")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    # Each registered process's own routes first: they are more specific than /cases/{case_id}.
    for spec in REGISTRY.specs():
        if spec.router is not None:
            app.include_router(resolve(spec.router))
    app.include_router(processes.router)
    app.include_router(cases.router)
    app.include_router(inbox.router)
    app.include_router(reference.router)
    app.include_router(fund_top_up.router)
    app.include_router(audit.router)
    app.include_router(routing.router)
    app.include_router(reports.router)
    app.include_router(users.router)
    app.include_router(owner_identities_router)
    app.include_router(imports.router)
    app.include_router(registry_admin.router)
    app.include_router(exports.router)
    install_workbench(app)
    return app


def __getattr__(name: str) -> FastAPI:
    # `uvicorn api.main:app` builds the app lazily, so importing this module has no side effects.
    if name == "app":
        return create_app()
    raise AttributeError(name)
