"""GET and PUT /calendar/{year}: anyone signed in reads, an administrator publishes, bad data is a 422 naming the field."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest_asyncio
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.auth import issue_token
from core.settings import Settings
from domain.access import Level, Role
from tests.factories import make_actor
from tests.factories_calendar import unpublish, year_body

YEAR = 2098  # far beyond any clock the suite's server reaches: no running case counts on it
SATURDAY = "2098-03-01"


@pytest_asyncio.fixture
async def calendar_year(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[int]:
    await unpublish(sessions, YEAR)
    yield YEAR
    await unpublish(sessions, YEAR)


def headers(settings: Settings, role: Role, level: Level = Level.CITY, jid: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(settings, make_actor(role, level, jid))}"}


async def test_anyone_signed_in_reads_the_seeded_years(api: AsyncClient, settings: Settings) -> None:
    owner = headers(settings, Role.OWNER, Level.ESTATE, "yidu-jinxiu")
    r = await api.get("/calendar/2026", headers=owner)
    assert r.status_code == 200, r.text
    year = r.json()
    assert (year["notice"], year["revision"], year["days_off"]) == ("国办发明电〔2025〕7号", 1, 33)
    assert year["holidays"][0] == {"name": "元旦", "first": "2026-01-01", "last": "2026-01-03"}
    assert year["makeup_workdays"][0] == "2026-01-04" and year["published_by"]["subject"] == "system"
    listed = (await api.get("/calendar", headers=owner)).json()
    assert [y["year"] for y in listed][:3] == [2024, 2025, 2026]
    assert (await api.get("/calendar/2026")).status_code == 401
    r = await api.get(f"/calendar/{YEAR + 1}", headers=owner)
    assert r.status_code == 404 and "尚未发布" in r.json()["detail"]
    assert (await api.get("/calendar/1999", headers=owner)).status_code == 422


async def test_only_an_administrator_publishes(api: AsyncClient, settings: Settings, calendar_year: int) -> None:
    for role in (Role.HOUSING_BUREAU, Role.AUDITOR, Role.DISPATCHER):
        r = await api.put(f"/calendar/{calendar_year}", json=year_body(calendar_year), headers=headers(settings, role))
        assert r.status_code == 403 and r.json()["type"] == "/problems/forbidden"
    assert (await api.put(f"/calendar/{calendar_year}", json=year_body(calendar_year))).status_code == 401
    r = await api.get(f"/calendar/{calendar_year}", headers=headers(settings, Role.ADMIN))
    assert r.status_code == 404  # nothing was stored


def holiday(first: str, last: str) -> list[dict[str, Any]]:
    return [{"name": "元旦", "first": first, "last": last}]


async def test_a_year_with_bad_data_is_refused_naming_the_field(api: AsyncClient, settings: Settings, calendar_year: int) -> None:
    y = calendar_year
    admin = headers(settings, Role.ADMIN)
    cases = [
        (year_body(y, notice=" "), ["body", "notice"]),
        (year_body(y, holidays=holiday(f"{y - 1}-12-31", f"{y}-01-01")), ["body", "holidays", "0", "first"]),
        (year_body(y, holidays=holiday(f"{y}-12-31", f"{y + 1}-01-01")), ["body", "holidays", "0", "last"]),
        (year_body(y, makeup_workdays=[f"{y}-01-02"]), ["body", "makeup_workdays", "0"]),  # also a holiday
        (year_body(y, makeup_workdays=[f"{y + 1}-01-03"]), ["body", "makeup_workdays", "0"]),  # a Saturday outside the year
    ]
    for body, loc in cases:
        r = await api.put(f"/calendar/{y}", json=body, headers=admin)
        assert r.status_code == 422, (body, r.text)
        assert r.headers["content-type"] == "application/problem+json"
        assert [e["loc"] for e in r.json()["errors"]] == [loc], r.json()
    r = await api.put(f"/calendar/{y}", json={"holidays": []}, headers=admin)  # no notice, no holiday: the model refuses
    assert r.status_code == 422
    assert (await api.get(f"/calendar/{y}", headers=admin)).status_code == 404
    # The last day of the year and the first are inside it.
    body = year_body(y, holidays=[*holiday(f"{y}-01-01", f"{y}-01-01"), {"name": "测试", "first": f"{y}-12-31", "last": f"{y}-12-31"}])
    assert (await api.put(f"/calendar/{y}", json=body, headers=admin)).status_code == 200


async def test_each_publication_is_in_the_audit_log(api: AsyncClient, settings: Settings, calendar_year: int) -> None:
    y = calendar_year
    admin_actor = make_actor(Role.ADMIN, Level.CITY)
    admin = {"Authorization": f"Bearer {issue_token(settings, admin_actor)}"}
    first = await api.put(f"/calendar/{y}", json=year_body(y), headers=admin)
    assert first.status_code == 200, first.text
    assert (first.json()["revision"], first.json()["changed"], first.json()["recount_workflow_id"]) == (1, True, f"calendar-recount-{y}-r1")
    same = await api.put(f"/calendar/{y}", json=year_body(y), headers=admin)
    assert (same.json()["revision"], same.json()["changed"]) == (1, False)
    fixed = await api.put(f"/calendar/{y}", json=year_body(y, makeup_workdays=[SATURDAY]), headers=admin)
    assert (fixed.status_code, fixed.json()["revision"], fixed.json()["makeup_workdays"]) == (200, 2, [SATURDAY])
    assert (await api.get(f"/calendar/{y}", headers=admin)).json()["revision"] == 2
    log = await api.get(f"/calendar/{y}/publications", headers=headers(settings, Role.AUDITOR))
    assert log.status_code == 200 and log.json()["intact"] is True
    entries = log.json()["entries"]
    assert entries[0]["by"] == {"subject": admin_actor.subject, "name": admin_actor.name}
    assert entries[0]["data"]["holidays"][0]["name"] == "元旦" and entries[0]["data"]["source"] == "api"
    assert (await api.get(f"/calendar/{y}/publications", headers=headers(settings, Role.CLERK, Level.STREET, "yidu"))).status_code == 403

