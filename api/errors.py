"""Errors defined once and mapped once to RFC 9457 problem responses."""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from db import errors as db_errors

try:
    import asyncpg  # type: ignore[import-untyped]
except ImportError:  # pragma: no cover - the PostgreSQL driver is optional on SQLite-only installs
    asyncpg = None

PROBLEM_JSON = "application/problem+json"
REQUEST_ID = "request_id"  # where RequestContext keeps the request's id in the scope's state
log = structlog.get_logger("api")


class Problem(Exception):
    """An error with an HTTP status and a stable problem type."""

    status = 400
    code = "bad-request"
    title = "Bad request"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra
        self.headers: dict[str, str] = {}


class NotAuthenticated(Problem):
    status, code, title = 401, "not-authenticated", "Not authenticated"


class Forbidden(Problem):
    status, code, title = 403, "forbidden", "Not allowed for your role or jurisdiction"


class NotFound(Problem):
    status, code, title = 404, "not-found", "Not found"


class Conflict(Problem):
    status, code, title = 409, "conflict", "Conflicts with the current state"


class IdempotencyKeyReused(Conflict):
    """The Idempotency-Key names another request (another caller, case, task, decision or body); nothing was done."""

    code, title = "idempotency-key-reused", "This Idempotency-Key was used for another request"


class Gone(Problem):
    status, code, title = 410, "gone", "No longer available"


class Invalid(Problem):
    status, code, title = 422, "validation-error", "The request is not valid"


class TooManyRequests(Problem):
    status, code, title = 429, "rate-limited", "Too many requests"

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail, retry_after=retry_after)
        self.headers = {"Retry-After": str(retry_after)}


RETRY_AFTER_SECONDS = 2  # a backing service restarts or a lock wait ends within seconds


class Unavailable(Problem):
    """Nothing went wrong with the request: send it again, with the same Idempotency-Key, after ``Retry-After``."""

    status, code, title = 503, "unavailable", "A backing service is unavailable"

    def __init__(self, detail: str, retry_after: int = RETRY_AFTER_SECONDS, **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.headers = {"Retry-After": str(retry_after)}


class Overloaded(TooManyRequests):
    """The workflow engine holds too many requests for the case (Temporal's RESOURCE_EXHAUSTED): retry later, same key."""

    code, title = "engine-busy", "The workflow engine is busy"


# What the database driver says when the database cannot be reached or is busy (down, restarting,
# the connection dropped, SQLite's "database is locked"): a retry is the answer, not a 500.
DATABASE_UNAVAILABLE: tuple[type[Exception], ...] = (
    sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError, sa_exc.DisconnectionError, ConnectionError,
    *(() if asyncpg is None else (asyncpg.PostgresConnectionError, asyncpg.InterfaceError, asyncpg.CannotConnectNowError)),
)


# The data layer's errors, each as the problem a client reads (the same types as the API's own).
DATA_PROBLEMS: dict[type[db_errors.RepositoryError], type[Problem]] = {
    db_errors.NotFound: NotFound,
    db_errors.AlreadyExists: Conflict,
    db_errors.ConflictingWrite: Conflict,
    db_errors.NotStored: Unavailable,
}


def problem_response(status: int, code: str, title: str, detail: str, instance: str, **extra: Any) -> JSONResponse:
    body = {"type": f"/problems/{code}", "title": title, "status": status, "detail": detail, "instance": instance, **extra}
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


async def problem_answer(request: Request, exc: Problem) -> JSONResponse:
    """A problem as its response, with its headers (``Retry-After``)."""
    response = problem_response(exc.status, exc.code, exc.title, exc.detail, request.url.path, **exc.extra)
    response.headers.update(exc.headers)
    return response


def install_database_handlers(app: FastAPI) -> None:
    """The database down, restarting or busy: 503 with ``Retry-After``, never a 500."""

    async def _database_down(request: Request, exc: Exception) -> JSONResponse:
        log.warning("database unavailable", path=request.url.path, error=type(exc).__name__)
        return await problem_answer(request, Unavailable(
            "the database is unavailable; nothing was stored, send the request again with the same Idempotency-Key"))

    for error in DATABASE_UNAVAILABLE:
        app.add_exception_handler(error, _database_down)

    async def _driver_error(request: Request, exc: Exception) -> JSONResponse:
        if database_unavailable(exc):
            return await _database_down(request, exc)
        if text_not_storable(exc):
            return await problem_answer(request, Invalid("the request holds a character the database cannot store (NUL, U+0000)"))
        return await unexpected_answer(request, exc)

    # SQLAlchemy raises a plain DBAPIError for some connection failures (asyncpg's "the database
    # system is shutting down"): what it wraps decides.
    app.add_exception_handler(sa_exc.DBAPIError, _driver_error)


def database_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` (or what it wraps, a few levels down) says the database cannot be reached now."""
    seen: BaseException | None = exc
    for _ in range(5):
        if seen is None:
            return False
        if isinstance(seen, DATABASE_UNAVAILABLE) or (isinstance(seen, sa_exc.DBAPIError) and seen.connection_invalidated):
            return True
        wrapped = seen.orig if isinstance(seen, sa_exc.DBAPIError) else None
        seen = wrapped if isinstance(wrapped, BaseException) else (seen.__cause__ or seen.__context__)
    return False


# PostgreSQL's "character not in repertoire": text with a NUL (U+0000) that a client sent; SQLite stores it.
UNSTORABLE_TEXT = "22021"


def text_not_storable(exc: BaseException) -> bool:
    """Whether ``exc`` (or what it wraps) is the database refusing a character of the text it was given."""
    seen: BaseException | None = exc
    for _ in range(5):
        if seen is None:
            return False
        if getattr(seen, "sqlstate", None) == UNSTORABLE_TEXT:
            return True
        wrapped = seen.orig if isinstance(seen, sa_exc.DBAPIError) else None
        seen = wrapped if isinstance(wrapped, BaseException) else (seen.__cause__ or seen.__context__)
    return False


async def unexpected_answer(request: Request, exc: Exception) -> JSONResponse:
    """A 500 problem naming the request id the log line carries."""
    request_id = request.scope.get("state", {}).get(REQUEST_ID)
    log.exception("unhandled error", path=request.url.path, request_id=request_id, exc_info=exc)
    response = problem_response(
        500, "internal-error", "Internal error", f"内部错误已记录，请求编号 {request_id}", request.url.path, request_id=request_id,
    )
    if request_id:
        response.headers["X-Request-ID"] = request_id
    return response


def install_error_handlers(app: FastAPI) -> None:
    """Map every error to a problem response; nothing a client sends yields a bare 500."""

    app.add_exception_handler(Problem, problem_answer)  # type: ignore[arg-type]  # Starlette types handlers loosely
    install_database_handlers(app)

    @app.exception_handler(db_errors.RepositoryError)
    async def _data(request: Request, exc: db_errors.RepositoryError) -> JSONResponse:
        problem = next((p for cls, p in DATA_PROBLEMS.items() if isinstance(exc, cls)), Conflict)
        if problem is Unavailable:
            log.warning("change not stored", path=request.url.path, error=str(exc.__cause__ or exc))
        response = problem_response(problem.status, problem.code, problem.title, exc.detail, request.url.path)
        if problem is Unavailable:
            response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": [str(p) for p in e.get("loc", ())], "msg": e.get("msg"), "type": e.get("type")}
            for e in exc.errors()
        ]
        return problem_response(422, "validation-error", "The request is not valid", "see errors", request.url.path, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http-error")
        response = problem_response(exc.status_code, code, str(exc.detail), str(exc.detail), request.url.path)
        response.headers.update(exc.headers or {})
        if exc.status_code == 405:
            # Starlette names the methods of the first route on the path only; a path served by
            # several routes (GET and POST of a report) allows the methods of all of them.
            response.headers["Allow"] = ", ".join(allowed_methods(request))
        return response

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        if database_unavailable(exc):  # e.g. a connection error surfacing through another library's wrapper
            return await problem_answer(request, Unavailable(
                "the database is unavailable; nothing was stored, send the request again with the same Idempotency-Key"))
        return await unexpected_answer(request, exc)


def allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at the request's path."""
    scope = {k: v for k, v in request.scope.items() if k not in ("endpoint", "route", "path_params")}
    return [
        method for method in HTTP_METHODS
        if any(route.matches({**scope, "method": method})[0] == Match.FULL for route in request.app.router.routes)
    ]


HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


# The problem answers every operation may give, as the OpenAPI document publishes them.
PROBLEM_STATUSES: dict[int, str] = {
    401: "Not authenticated: no bearer token, or one we do not honour (\"invalid token\")",
    403: "Not allowed for your role or jurisdiction",
    404: "Not found",
    409: "Conflicts with the current state (a closed or already signed task); `idempotency-key-reused`: the "
         "Idempotency-Key was used for another request (another caller, case, task, decision or body), nothing was done",
    410: "No longer available (Temporal's retention removed the history)",
    413: "The request body is over its limit (1 MiB; a batch of written ballots 6 MiB)",
    422: "The request is not valid (each field error in `errors`)",
    429: "Too many requests from your token or address (`rate-limited`), or in flight for one case (`engine-busy`): "
         "retry after `Retry-After` seconds with the same Idempotency-Key",
    503: "A backing service (the database, the workflow engine) is unavailable or did not answer in time, or too many "
         "requests are in flight: retry after `Retry-After` seconds with the same Idempotency-Key",
}
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "An RFC 9457 problem: `type` and `title` are stable for programs, `detail` is for people.",
    "type": "object",
    "required": ["type", "title", "status", "detail", "instance"],
    "properties": {
        "type": {"type": "string", "examples": ["/problems/forbidden"]},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object"}, "description": "one entry per invalid field or line"},
        "request_id": {"type": "string"},
        "retry_after": {"type": "integer"},
        "limit_bytes": {"type": "integer"},
    },
}
_BODY_METHODS = {"post", "put", "patch", "delete"}
_UNAUTHENTICATED_PATHS = {"/health"}


def document_problems(doc: dict[str, Any]) -> None:
    """Publish the problem schema and the problem answers of every operation (FastAPI's own 422 schema replaced)."""
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    content = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path, item in doc.get("paths", {}).items():
        if path in _UNAUTHENTICATED_PATHS:
            continue
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for status, description in PROBLEM_STATUSES.items():
                if status == 413 and method not in _BODY_METHODS:
                    continue
                answer: dict[str, Any] = {"description": description, "content": content}
                if status in (429, 503):
                    answer["headers"] = {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}}
                responses[str(status)] = answer
