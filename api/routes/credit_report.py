"""信用概况 report: grades per published quarter, companies that moved grade, records by type; JSON or Excel."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Depends, Response

from api.deps import ReportReaderDep, SessionDep, rate_limited
from core.spreadsheets import XLSX_MEDIA_TYPE, Sheet, write_workbook
from db.repositories import credit as credit_repo
from domain.credit import Grade
from domain.credit_report import CreditOverview, credit_overview

router = APIRouter(prefix="/reports/credit", tags=["reports 报表"])

DIRECTION_LABELS = {"up": "上升", "down": "下降"}
KIND_LABELS = {"good": "良好", "bad": "不良"}


async def _overview(session: SessionDep) -> CreditOverview:
    records = [r for rows in (await credit_repo.record_views(session)).values() for r in rows]
    return credit_overview(await credit_repo.published_grades(session), records, datetime.now(UTC))


@router.get("/overview", response_model=CreditOverview, summary="Credit overview: grades per quarter, grade moves, records by type")
async def overview(session: SessionDep, _actor: ReportReaderDep) -> CreditOverview:
    return await _overview(session)


@router.get("/overview.xlsx", summary="The credit overview as an Excel workbook (Chinese headers)", response_class=Response,
            responses={200: {"content": {XLSX_MEDIA_TYPE: {}}}}, dependencies=[Depends(rate_limited("export"))])
async def overview_xlsx(session: SessionDep, _actor: ReportReaderDep) -> Response:
    report = await _overview(session)
    grades = [g.value for g in Grade]
    content = write_workbook([
        Sheet("等级分布", ["季度", *grades, "黑名单", "企业数"],
              [[q.quarter, *(q.grades.get(g, 0) for g in grades), q.blacklisted, q.companies] for q in report.quarters]),
        Sheet("等级变动", ["企业编号", "企业名称", "季度", "上一季度", "上季度等级", "本季度等级", "变动"],
              [[m.company_id, m.company_name, m.quarter, m.previous_quarter, m.previous_grade.value, m.grade.value,
                DIRECTION_LABELS[m.direction]] for m in report.moves]),
        Sheet("信用记录", ["记录类型", "类型名称", "性质", "总数", "有效", "已过期", "已撤销"],
              [[r.type, r.type_label, KIND_LABELS.get(r.kind, r.kind), r.total, r.in_force, r.expired, r.revoked] for r in report.records]),
    ])
    return Response(content, media_type=XLSX_MEDIA_TYPE, headers={"Content-Disposition": 'attachment; filename="credit-overview.xlsx"'})
