"""The credit overview report as JSON and as an Excel workbook with Chinese headers."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from openpyxl import load_workbook

from api.auth import issue_token
from db.repositories import credit as credit_repo
from domain.access import Level, Role
from domain.credit import Grade, QuarterFigures
from domain.credit_facts import assess_company
from tests.factories import make_actor
from tests.factories_credit import clear_quarter, create_company
from tests.fixture_types import AsyncClient, Sessions, Settings

AT = datetime(2001, 6, 30, tzinfo=UTC)


async def test_the_overview_counts_published_grades_and_moves_as_json_and_excel(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    rising, steady = await create_company(sessions), await create_company(sessions)
    async with sessions() as s, s.begin():
        for quarter, grades in (("2001Q1", {rising: Grade.B, steady: Grade.A}), ("2001Q2", {rising: Grade.AA, steady: Grade.A})):
            for company, grade in grades.items():
                line = assess_company(company, f"名称{company[-4:]}", [], QuarterFigures(), AT).model_copy(update={"grade": grade})
                await credit_repo.save_line(s, quarter=quarter, case_id=f"credit-assessment-{quarter}", company_id=company,
                                            grade=grade.value, line=line.model_dump(mode="json"), at=AT)
            await credit_repo.publish_lines(s, quarter, AT)
    try:
        headers = {"Authorization": f"Bearer {issue_token(settings, make_actor(Role.HOUSING_BUREAU, Level.CITY))}"}
        r = await api.get("/reports/credit/overview", headers=headers)
        assert r.status_code == 200, r.text
        report = r.json()
        q1 = next(q for q in report["quarters"] if q["quarter"] == "2001Q1")
        assert (q1["grades"]["B"], q1["grades"]["A"], q1["companies"]) == (1, 1, 2)
        assert [(m["company_id"], m["previous_grade"], m["grade"], m["direction"]) for m in report["moves"]
                if m["quarter"] == "2001Q2"] == [(rising, "B", "AA", "up")]
        r = await api.get("/reports/credit/overview.xlsx", headers=headers)
        assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
        book = load_workbook(io.BytesIO(r.content))
        assert book.sheetnames == ["等级分布", "等级变动", "信用记录"]
        rows = list(book["等级分布"].iter_rows(values_only=True))
        assert rows[0] == ("季度", "AAA", "AA", "A", "B", "C", "黑名单", "企业数")
        assert ("2001Q1", 0, 0, 1, 1, 0, 0, 2) in rows
        moves = list(book["等级变动"].iter_rows(values_only=True))
        assert (rising, f"名称{rising[-4:]}", "2001Q2", "2001Q1", "B", "AA", "上升") in moves
        assert next(iter(book["信用记录"].iter_rows(values_only=True)))[:3] == ("记录类型", "类型名称", "性质")
        owner = {"Authorization": f"Bearer {issue_token(settings, make_actor(Role.OWNER, Level.ESTATE, 'x'))}"}
        assert (await api.get("/reports/credit/overview", headers=owner)).status_code == 403
    finally:
        for quarter in ("2001Q1", "2001Q2"):
            await clear_quarter(sessions, quarter)
