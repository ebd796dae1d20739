"""Exports for the bureau as .xlsx with Chinese headers: the registry with the new balances, and the ticket ledger (台账)."""

from __future__ import annotations

import io
import uuid

from openpyxl import load_workbook

from api.routes.exports import REGISTRY_HEADERS
from api.routes.ticket import CSV_COLUMNS
from domain.access import Level, Role
from domain.registry_import import ImportKind
from tests.factories import create_test_estate, make_actor
from tests.factories_tickets import TicketDriver, create_ticket_cast
from tests.fixture_types import AsyncClient, Sessions, Settings
from tests.imports.files import apply, csv_file, dry_run, id_number


def _sheet(content: bytes) -> list[list[object]]:
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return [[c.value for c in row] for row in sheet.iter_rows()]


async def test_the_registry_export_shows_the_imported_balances_and_no_id_number(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings, buildings=1, units=1, floors=1, rooms=2)
    e, (a, b) = cast.estate_id, cast.households
    number = id_number(77)
    owners = [[e, a, "自然人", "张三", number, "13800000000", "", "", "0", "0", "", ""]]
    await apply(api, cast, ImportKind.OWNERS, (await dry_run(api, cast, ImportKind.OWNERS, csv_file(ImportKind.OWNERS, owners)))["id"])
    fund = [[e, a, "6800.10", "8950.00"]]
    await apply(api, cast, ImportKind.FUND_BALANCES, (await dry_run(api, cast, ImportKind.FUND_BALANCES, csv_file(ImportKind.FUND_BALANCES, fund)))["id"])

    r = await api.get("/exports/registry.xlsx", params={"estate_id": e}, headers=cast.headers("bureau"))
    assert r.status_code == 200 and r.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    rows = _sheet(r.content)
    assert rows[0] == REGISTRY_HEADERS and [row[4] for row in rows[1:]] == [a, b]
    assert rows[1][6:8] == ["张三", "自然人"] and rows[1][9] == 6800.1 and rows[1][10] == 8950
    assert number.encode() not in r.content and number[:6].encode() not in r.content
    assert (await api.get("/exports/registry.xlsx", params={"estate_id": e}, headers=cast.headers("owner"))).status_code == 403
    other_auditor = make_actor(Role.AUDITOR, Level.STREET, "wangfu")
    assert (await api.get("/exports/registry.xlsx", params={"estate_id": e}, headers=cast.headers(other_auditor))).status_code == 404


async def test_the_ticket_ledger_exports_as_xlsx_with_text_cells(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    drv = TicketDriver(api, await create_ticket_cast(sessions, settings))
    ref = f"-{uuid.uuid4().hex[:8]}"  # a formula's start; unique, as a channel's reference is
    await drv.start("parking", ref=ref)
    r = await api.get("/tickets/export.xlsx", params={"estate_id": drv.cast.estate_id}, headers=drv.cast.headers("dispatcher"))
    assert r.status_code == 200, r.text
    sheet = load_workbook(io.BytesIO(r.content)).worksheets[0]
    assert [c.value for c in sheet[1]] == [label for _, label in CSV_COLUMNS]
    assert sheet["A2"].value == drv.case_id and sheet["C2"].value == ref and sheet["C2"].data_type == "s"
    assert (await api.get("/tickets/export.xlsx", headers=drv.cast.headers("owner"))).status_code == 403
