"""Complaints year to date against the year before (附件3 item 10: −30% by the end of November), JSON or Excel."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from api.deps import ReportReaderDep, SessionDep, rate_limited
from api.errors import Invalid
from core.spreadsheets import XLSX_MEDIA_TYPE, Sheet, write_workbook
from db.repositories import complaints_report as report_repo
from domain.access import Actor, Level
from domain.calendar import CITY_TZ
from domain.complaints_report import ComplaintsYtdReport, complaints_ytd

router = APIRouter(prefix="/reports/complaints", tags=["reports 报表"])

DIMENSION_LABELS = {"city": "全市", "street": "镇街", "company": "物业企业"}
ThroughQuery = Annotated[date | None, Query(description="截至日期（含），默认今天（青州时间）", examples=["2026-11-30"])]


def _visible(actor: Actor, dimension: str, key: str) -> bool:
    """As the monthly report: the city every line, a street or a company its own."""
    j = actor.jurisdiction
    if j.level == Level.CITY:
        return True
    return (j.level == Level.STREET and dimension == "street" and key == j.id) or (
        j.level == Level.COMPANY and dimension == "company" and key == j.id)


async def _report(session: SessionDep, actor: Actor, through: date | None) -> ComplaintsYtdReport:
    day = through or datetime.now(UTC).astimezone(CITY_TZ).date()
    if not 2001 <= day.year <= 2100:
        raise Invalid("截至日期超出范围", errors=[{"loc": ["query", "through"], "msg": "年份应在2001至2100之间", "type": "value_error"}])
    report = complaints_ytd(await report_repo.samples_through(session, day), day)
    return report.model_copy(update={"lines": [x for x in report.lines if _visible(actor, x.dimension, x.key)]})


@router.get("/ytd", response_model=ComplaintsYtdReport, summary="Complaints year to date against the same days a year before")
async def year_to_date(session: SessionDep, actor: ReportReaderDep, through: ThroughQuery = None) -> ComplaintsYtdReport:
    return await _report(session, actor, through)


@router.get("/ytd.xlsx", summary="The year-to-date complaints as an Excel workbook (Chinese headers)", response_class=Response,
            responses={200: {"content": {XLSX_MEDIA_TYPE: {}}}}, dependencies=[Depends(rate_limited("export"))])
async def year_to_date_xlsx(session: SessionDep, actor: ReportReaderDep, through: ThroughQuery = None) -> Response:
    report = await _report(session, actor, through)
    content = write_workbook([Sheet(
        "投诉同比", ["范围", "编号", f"本年累计（至{report.through}）", f"上年同期（至{report.previous_through}）", "同比(%)", "目标(%)", "是否达标"],
        [[DIMENSION_LABELS[x.dimension], x.key, x.ytd, x.previous_ytd, float(x.change_percent) if x.change_percent is not None else None,
          report.target_percent, {True: "是", False: "否", None: "无上年数据"}[x.target_met]] for x in report.lines],
    )])
    return Response(content, media_type=XLSX_MEDIA_TYPE, headers={"Content-Disposition": 'attachment; filename="complaints-ytd.xlsx"'})
