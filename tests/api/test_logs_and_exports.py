"""Logs name the actor and never SQL parameters; a 500 names its request; exports and personal data are safe to hand out."""

from __future__ import annotations

import csv
import io
import logging
from typing import Any

import pytest
from fastapi import APIRouter
from httpx import ASGITransport
from sqlalchemy import text

from api.main import create_app
from api.routes.ticket import csv_cell
from db.session import make_engine
from tests.factories import create_test_estate
from tests.factories_tickets import TicketDriver, create_ticket_cast
from tests.fixture_types import AsyncClient, Sessions, Settings

PHONE = "13912345678"


def _events(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    """The structlog event dicts the stdlib handler saw."""
    return [r.msg for r in caplog.records if isinstance(r.msg, dict)]


async def test_every_log_line_of_a_request_names_its_actor(
    api: AsyncClient, sessions: Sessions, settings: Settings, caplog: pytest.LogCaptureFixture,
) -> None:
    cast = await create_test_estate(sessions, settings)
    caplog.set_level(logging.INFO)
    # A refused decision logs a warning from inside the request.
    r = await api.post("/cases/nope/tasks/t1/decisions", json={"decision": "confirm"}, headers=cast.headers("bureau"))
    assert r.status_code == 404
    drv = TicketDriver(api, await create_ticket_cast(sessions, settings))
    await drv.start("parking")
    caplog.clear()
    r = await api.get(f"/tickets/{drv.case_id}/contact", headers=drv.cast.headers("dispatcher"))
    assert r.status_code == 200
    read = [e for e in _events(caplog) if e.get("event") == "caller contact read"]
    assert read and read[0]["actor"] == drv.cast.actor("dispatcher").subject
    assert read[0]["request_id"] == r.headers["x-request-id"]


async def test_sql_parameters_never_reach_logs_or_error_texts(settings: Settings, caplog: pytest.LogCaptureFixture) -> None:
    engine = make_engine(settings.model_copy(update={"database_echo": True}))
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT :phone"), {"phone": PHONE})
            with pytest.raises(Exception) as failed:
                await conn.execute(text("INSERT INTO no_such_table VALUES (:phone)"), {"phone": PHONE})
    finally:
        await engine.dispose()
    assert "no_such_table" in str(failed.value) and PHONE not in str(failed.value)
    assert any("SELECT" in r.getMessage() for r in caplog.records)
    assert all(PHONE not in r.getMessage() for r in caplog.records)


async def test_a_500_names_its_request_id(settings: Settings, sessions: Sessions) -> None:
    app = create_app(settings)
    broken = APIRouter()

    @broken.get("/broken")
    async def fail() -> None:
        raise RuntimeError("a bug")

    app.include_router(broken)
    async with app.router.lifespan_context(app):
        transport = ASGITransport(app=app, raise_app_exceptions=False)
        async with AsyncClient(transport=transport, base_url="http://test") as client:
            r = await client.get("/broken", headers={"X-Request-ID": "trace-500"})
    assert r.status_code == 500 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["request_id"] == "trace-500" and r.headers["x-request-id"] == "trace-500"
    assert "a bug" not in r.text


async def test_a_405_says_which_methods_the_path_allows(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings)
    r = await api.delete("/inbox", headers=cast.headers("bureau"))
    assert r.status_code == 405 and r.headers["allow"] == "GET"
    assert r.headers["content-type"] == "application/problem+json"
    # Two routes serve the report's path: both methods are allowed.
    r = await api.put("/reports/tickets/monthly/2026-01", headers=cast.headers("bureau"))
    assert r.status_code == 405 and r.headers["allow"] == "GET, POST"


def test_csv_cells_that_a_spreadsheet_would_run_are_quoted() -> None:
    for formula in ("=1+1", "+1", "-1-1", "@SUM(A1)", "\t=1", "\r=1"):
        assert csv_cell(formula) == "'" + formula
    assert csv_cell("12345-0031") == "12345-0031" and csv_cell(None) == "" and csv_cell(3) == "3"


async def test_the_ledger_export_neutralises_formulas(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    drv = TicketDriver(api, await create_ticket_cast(sessions, settings))
    await drv.start("parking", ref="-1-1")
    r = await api.get("/tickets/export.csv", params={"estate_id": drv.cast.estate_id}, headers=drv.cast.headers("dispatcher"))
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    rows = list(csv.reader(io.StringIO(r.text.lstrip("\ufeff"))))
    assert rows[1][2] == "'-1-1"


async def test_personal_data_is_never_cached(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings)
    for path, who in ((f"/households/{cast.households[0]}/fund", "bureau"), ("/me", "owner"), ("/inbox", "owner_rep")):
        r = await api.get(path, headers=cast.headers(who))
        assert r.status_code == 200 and r.headers["cache-control"] == "no-store", path
