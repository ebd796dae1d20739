"""The monthly report workflow: its figures against tickets created here, in a street and company of their own."""

from __future__ import annotations

import uuid
from datetime import timedelta

from db.models import Community, Company, Street
from db.repositories import ticket as ticket_repo
from db.seed import EstatePlan, create_estate
from domain.calendar import CITY_TZ
from domain.ticket import TicketLedgerRow
from domain.ticket_report import previous_month
from tests.factories import Cast
from tests.factories_tickets import TicketDriver
from tests.fixture_types import AsyncClient, Sessions, Settings, WorkflowEnvironment
from tests.golden_recorder import keep_golden
from workflows.ticket_report import MonthlyReportInput, TicketMonthlyReportWorkflow


async def isolated_cast(sessions: Sessions, settings: Settings) -> Cast:
    """A street, community, company and estate that no other test uses."""
    tag = uuid.uuid4().hex[:6]
    street, community, company, estate = f"s-{tag}", f"s-{tag}-c1", f"co-{tag}", f"e-{tag}"
    async with sessions() as s:
        s.add(Street(id=street, name=f"测试街道{tag}", kind="street"))
        s.add(Company(id=company, name=f"测试物业{tag}", kind="property", credit_grade="A", blacklisted=False))
        await s.flush()
        s.add(Community(id=community, street_id=street, name=f"测试社区{tag}"))
        await s.flush()
        await create_estate(s, EstatePlan(
            id=estate, name=f"测试小区{tag}", street_id=street, community_id=community, property_company_id=company,
            pricing_agency_id=None, buildings=1, units=1, floors=1, rooms=1,
        ))
        await s.commit()
    return Cast(settings=settings, estate_id=estate, street_id=street, community_id=community, company_id=company)


async def test_the_monthly_report_counts_the_months_tickets(api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings) -> None:
    cast = await isolated_cast(sessions, settings)
    satisfied, supervised, still_open = TicketDriver(api, cast), TicketDriver(api, cast), TicketDriver(api, cast)
    await satisfied.start("service_quality")
    await satisfied.decide("company", "acceptance", "sign")
    await satisfied.decide("company", "handling", "answer", comment="已处理")
    await satisfied.decide("dispatcher", "callback", "satisfied")
    await supervised.start("service_quality")
    await supervised.decide("company", "acceptance", "sign")
    for _ in range(2):
        await supervised.decide("company", "handling", "answer", comment="已处理")
        await supervised.decide("dispatcher", "callback", "unsatisfied", comment="不满意")
    await supervised.decide("street", "supervision", "close", comment="已按合同整改到位")
    await still_open.start("service_quality")
    # Routed to a department on the company's estate: it counts for the street, never for the company.
    department = TicketDriver(api, cast)
    await department.start("illegal_construction")
    await department.decide("dept-enforcement", "acceptance", "sign")

    async with sessions() as s:
        rows = [await ticket_repo.get_ticket(s, d.case_id) for d in (satisfied, supervised, still_open)]
        month = rows[0].created_at.astimezone(CITY_TZ).strftime("%Y-%m")
        year_before = rows[0].created_at - timedelta(days=365)
        # Four tickets in the same month a year before: this month's 3 is −25%, short of the −30% target.
        for n in range(4):
            await ticket_repo.save_ledger_row(s, TicketLedgerRow(
                id=f"old-{cast.estate_id}-{n}", channel="hotline_12345", external_ref=f"old-{cast.estate_id}-{n}",
                category="service_quality", category_label="物业服务质量", title="x", estate_id=cast.estate_id,
                street_id=cast.street_id, community_id=cast.community_id, company_id=cast.company_id, status="completed",
                lead_unit_kind="company", lead_unit_id=cast.company_id, step="closed", created_at=year_before.replace(day=min(year_before.day, 28)), closure="satisfied",
            ))
        await s.commit()
    closed = [r for r in rows if r.closed_at is not None]
    assert all(r.closed_at.astimezone(CITY_TZ).strftime("%Y-%m") == month for r in closed)
    avg = round(sum((r.closed_at - r.created_at).total_seconds() for r in closed) / 2)

    report_id = f"report-{uuid.uuid4().hex[:6]}"
    result = await env.client.execute_workflow(
        TicketMonthlyReportWorkflow.run, MonthlyReportInput(month=month), id=report_id, task_queue=settings.task_queue,
    )
    await keep_golden(env.client, report_id, "ticket-monthly-report")
    lines = {(line.dimension, line.key): line for line in result.lines}
    for key, intake, change in ((("street", cast.street_id), 4, 0.0), (("company", cast.company_id), 3, -25.0)):
        line = lines[key]
        assert (line.intake, line.closed, line.overdue, line.satisfied) == (intake, 2, 0, 1)
        assert line.satisfaction_percent == 50.0 and line.avg_handling_seconds == avg
        assert (line.intake_last_year, line.yoy_change_percent, line.yoy_target_met) == (4, change, False)
    assert ("company", "dept-enforcement") not in lines

    # The figures are in the database, readable by the city and by the street, not by another street.
    r = await api.get(f"/reports/tickets/monthly/{month}", params={"dimension": "street", "key": cast.street_id}, headers=cast.headers("bureau"))
    assert r.status_code == 200 and r.json()[0]["intake"] == 4 and r.json()[0]["dimension"]["label"] == "镇街"
    assert r.json()[0]["yoy_target_percent"] == -30
    street_user = cast.actors["street"].model_copy(update={"jurisdiction": cast.actors["street"].jurisdiction.model_copy(update={"id": cast.street_id})})
    cast.actors["own_street"] = street_user
    r = await api.get(f"/reports/tickets/monthly/{month}", headers=cast.headers("own_street"))
    assert [(x["dimension"]["code"], x["key"]) for x in r.json()] == [("street", cast.street_id)]
    r = await api.get(f"/reports/tickets/monthly/{month}", params={"dimension": "street", "key": cast.street_id}, headers=cast.headers("other_street"))
    assert r.json() == []
    assert (await api.get(f"/reports/tickets/monthly/{month}", headers=cast.headers("dept-police"))).status_code == 403
    assert (await api.get("/reports/tickets/monthly/2026-13", headers=cast.headers("bureau"))).status_code == 422

    # Run again by hand through the API: the month's lines are replaced, not doubled.
    assert (await api.post(f"/reports/tickets/monthly/{month}", headers=cast.headers("company"))).status_code == 403
    r = await api.post(f"/reports/tickets/monthly/{month}", headers=cast.headers("admin"))
    assert r.status_code == 200, r.text
    r = await api.get(f"/reports/tickets/monthly/{month}", params={"dimension": "company", "key": cast.company_id}, headers=cast.headers("bureau"))
    assert len(r.json()) == 1 and r.json()[0]["closed"] == 2


async def test_a_scheduled_run_reports_the_month_before(env: WorkflowEnvironment, settings: Settings, sessions: Sessions, worker: None) -> None:
    now = await env.get_current_time()
    result = await env.client.execute_workflow(
        TicketMonthlyReportWorkflow.run, MonthlyReportInput(), id=f"report-{uuid.uuid4().hex[:6]}", task_queue=settings.task_queue,
    )
    assert result.month == previous_month(now)
