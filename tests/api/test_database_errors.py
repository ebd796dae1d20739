"""A database that is shutting down or unreachable is a 503 to retry, whatever wrapper the driver's error arrives in."""

from __future__ import annotations

import asyncpg
import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy import exc as sa_exc

from api.errors import install_error_handlers


def _app(error: Exception) -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/probe")
    async def probe() -> None:
        raise error

    return app


def _wrapped(orig: BaseException, *, invalidated: bool = False) -> sa_exc.DBAPIError:
    error = sa_exc.DBAPIError("SELECT 1", {}, orig, connection_invalidated=invalidated)
    error.__cause__ = orig
    return error


@pytest.mark.parametrize("error", [
    # What SQLAlchemy raised while the chaos suite stopped PostgreSQL: a plain DBAPIError around asyncpg's error.
    _wrapped(asyncpg.CannotConnectNowError("the database system is shutting down")),
    _wrapped(ConnectionRefusedError(111, "Connect call failed")),
    _wrapped(RuntimeError("connection was closed in the middle of operation"), invalidated=True),
], ids=["shutting-down", "refused", "invalidated"])
async def test_a_database_going_away_is_a_503_with_retry_after(error: Exception) -> None:
    async with AsyncClient(transport=ASGITransport(app=_app(error), raise_app_exceptions=False), base_url="http://t") as client:
        r = await client.get("/probe")
    assert r.status_code == 503, r.text
    assert r.headers["Retry-After"] and r.json()["type"] == "/problems/unavailable"


async def test_any_other_driver_error_is_still_a_500_problem() -> None:
    app = _app(_wrapped(ValueError("invalid input syntax for type integer")))
    async with AsyncClient(transport=ASGITransport(app=app, raise_app_exceptions=False), base_url="http://t") as client:
        r = await client.get("/probe")
    assert r.status_code == 500 and r.json()["type"] == "/problems/internal-error"


async def test_text_the_database_cannot_store_is_a_422_problem_not_a_500() -> None:
    # PostgreSQL refuses a NUL character in text (SQLSTATE 22021): a path, query or body string a client sent.
    app = _app(_wrapped(asyncpg.CharacterNotInRepertoireError('invalid byte sequence for encoding "UTF8": 0x00')))
    async with AsyncClient(transport=ASGITransport(app=app, raise_app_exceptions=False), base_url="http://t") as client:
        r = await client.get("/probe")
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json") and r.json()["type"] == "/problems/validation-error"
