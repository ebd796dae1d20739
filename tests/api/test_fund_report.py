"""The fund's approval-time report over real cases, its baseline entered by the bureau, and its workbook."""

from __future__ import annotations

import io
from datetime import datetime
from decimal import Decimal

from openpyxl import load_workbook

from domain.calendar import CITY_TZ
from tests.factories import create_test_estate
from tests.factories_fund import FundCaseDriver
from tests.fixture_types import AsyncClient, Sessions, Settings


async def test_an_approved_case_counts_and_the_entered_baseline_replaces_the_placeholder(
    api: AsyncClient, sessions: Sessions, settings: Settings,
) -> None:
    cast = await create_test_estate(sessions, settings)
    fund = FundCaseDriver(api, cast)
    await fund.start()
    await fund.through_approval()
    case = await fund.case()
    assert case["approved_at"] is not None

    r = await api.get("/reports/fund/approval-time", headers=cast.headers("bureau"))
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["target_reduction_percent"] == 50
    street = [x for x in report["lines"] if x["dimension"] == "street" and x["key"] == cast.street_id]
    assert street and all(x["cases"] >= 1 for x in street)
    # A street reads its own lines and the city's; not another street's.
    other = (await api.get("/reports/fund/approval-time", headers=cast.headers("other_street"))).json()
    assert {(x["dimension"], x["key"]) for x in other["lines"]} <= {("city", "city"), ("street", "wangfu")}
    assert (await api.get("/reports/fund/approval-time", headers=cast.headers("owner"))).status_code == 403

    body = {"working_days": "12", "calendar_hours": "300", "source": "2019年纸质审批台账统计"}
    assert (await api.put("/reports/fund/baseline", json=body, headers=cast.headers("street"))).status_code == 403
    assert (await api.put("/reports/fund/baseline", json={**body, "working_days": "0"}, headers=cast.headers("bureau"))).status_code == 422
    r = await api.put("/reports/fund/baseline", json=body, headers=cast.headers("bureau"))
    assert r.status_code == 200, r.text
    assert r.json()["provisional"] is False and Decimal(r.json()["working_days"]) == 12
    report = (await api.get("/reports/fund/approval-time", headers=cast.headers("bureau"))).json()
    assert report["baseline"]["source"].startswith("2019年纸质审批台账统计")
    assert all(Decimal(x["target_working_days"]) == 6 for x in report["lines"])

    r = await api.get("/reports/fund/approval-time.xlsx", headers=cast.headers("bureau"))
    assert r.status_code == 200
    book = load_workbook(io.BytesIO(r.content))
    assert book.sheetnames == ["审批时长", "基线"]
    assert next(book["审批时长"].iter_rows(values_only=True))[:4] == ("月份", "范围", "编号", "案件数")


async def test_complaints_year_to_date_for_a_street_and_as_a_workbook(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    from tests.factories_tickets import TicketDriver, create_ticket_cast

    cast = await create_ticket_cast(sessions, settings)
    ticket = TicketDriver(api, cast)
    await ticket.start("service_quality")
    # Up to the day the ticket was taken in, on the test server's clock (other tests move it on).
    taken_in = (await ticket.ledger())["items"][0]["created_at"]
    through = datetime.fromisoformat(taken_in).astimezone(CITY_TZ).date().isoformat()
    r = await api.get("/reports/complaints/ytd", params={"through": through}, headers=cast.headers("street"))
    assert r.status_code == 200, r.text
    lines = r.json()["lines"]
    assert [(x["dimension"], x["key"]) for x in lines] == [("street", "yidu")] and lines[0]["ytd"] >= 1
    city = (await api.get("/reports/complaints/ytd", params={"through": through}, headers=cast.headers("bureau"))).json()
    assert {"city", "street", "company"} <= {x["dimension"] for x in city["lines"]} and city["target_percent"] == -30
    assert (await api.get("/reports/complaints/ytd", params={"through": "1999-01-01"}, headers=cast.headers("bureau"))).status_code == 422
    r = await api.get("/reports/complaints/ytd.xlsx", headers=cast.headers("bureau"))
    book = load_workbook(io.BytesIO(r.content))
    assert next(book["投诉同比"].iter_rows(values_only=True))[:2] == ("范围", "编号")
