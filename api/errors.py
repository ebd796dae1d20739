"""Errors defined once and mapped once to RFC 9457 problem responses."""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from db import errors as db_errors

PROBLEM_JSON = "application/problem+json"
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


class NotAuthenticated(Problem):
    status, code, title = 401, "not-authenticated", "Not authenticated"


class Forbidden(Problem):
    status, code, title = 403, "forbidden", "Not allowed for your role or jurisdiction"


class NotFound(Problem):
    status, code, title = 404, "not-found", "Not found"


class Conflict(Problem):
    status, code, title = 409, "conflict", "Conflicts with the current state"


class Gone(Problem):
    status, code, title = 410, "gone", "No longer available"


class Invalid(Problem):
    status, code, title = 422, "validation-error", "The request is not valid"


class Unavailable(Problem):
    status, code, title = 503, "unavailable", "A backing service is unavailable"


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


def install_error_handlers(app: FastAPI) -> None:
    """Map every error to a problem response; nothing a client sends yields a bare 500."""

    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return problem_response(exc.status, exc.code, exc.title, exc.detail, request.url.path, **exc.extra)

    @app.exception_handler(db_errors.RepositoryError)
    async def _data(request: Request, exc: db_errors.RepositoryError) -> JSONResponse:
        problem = next((p for cls, p in DATA_PROBLEMS.items() if isinstance(exc, cls)), Conflict)
        if problem is Unavailable:
            log.warning("change not stored", path=request.url.path, error=str(exc.__cause__ or exc))
        return problem_response(problem.status, problem.code, problem.title, exc.detail, request.url.path)

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
        return problem_response(exc.status_code, code, str(exc.detail), str(exc.detail), request.url.path)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", path=request.url.path)
        return problem_response(500, "internal-error", "Internal error", "the error was logged", request.url.path)
