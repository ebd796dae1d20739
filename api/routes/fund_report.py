"""The fund's approval-time report (附件3 item 2: halve application-to-approval time), JSON or Excel, and its baseline."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, Field

from api.deps import ReportReaderDep, SessionDep, rate_limited, require_roles
from core.spreadsheets import XLSX_MEDIA_TYPE, Sheet, write_workbook
from db.repositories import fund_report as report_repo
from db.repositories import holiday_calendar as calendar_repo
from domain.access import Actor, Level, Role
from domain.fund_emergency import PROCESS_KIND as FUND_KIND
from domain.fund_report import Baseline, FundApprovalReport, approval_report

router = APIRouter(prefix="/reports/fund", tags=["reports 报表"])

BaselineEditorDep = Annotated[Actor, Depends(require_roles(
    Role.ADMIN, Role.HOUSING_BUREAU, levels=(Level.CITY,), detail="基线由住建局或管理员录入"))]
DIMENSION_LABELS = {"city": "全市", "street": "镇街"}


def _visible(actor: Actor, dimension: str, key: str) -> bool:
    """The city sees every line; a street its own and the city's; anyone else the city's."""
    j = actor.jurisdiction
    return j.level == Level.CITY or dimension == "city" or (j.level == Level.STREET and key == j.id)


async def _report(session: SessionDep, actor: Actor) -> FundApprovalReport:
    samples = await report_repo.approval_samples(session, FUND_KIND)
    report = approval_report(samples, await report_repo.baseline(session), await calendar_repo.calendar(session))
    return report.model_copy(update={"lines": [x for x in report.lines if _visible(actor, x.dimension, x.key)]})


@router.get("/approval-time", response_model=FundApprovalReport,
            summary="Report-to-approval time per month and street: median and p90, working days and hours, against the baseline")
async def approval_time(session: SessionDep, actor: ReportReaderDep) -> FundApprovalReport:
    return await _report(session, actor)


@router.get("/approval-time.xlsx", summary="The approval-time report as an Excel workbook (Chinese headers)", response_class=Response,
            responses={200: {"content": {XLSX_MEDIA_TYPE: {}}}}, dependencies=[Depends(rate_limited("export"))])
async def approval_time_xlsx(session: SessionDep, actor: ReportReaderDep) -> Response:
    report = await _report(session, actor)
    b = report.baseline
    content = write_workbook([
        Sheet("审批时长", ["月份", "范围", "编号", "案件数", "工作日中位数", "工作日P90", "小时中位数", "小时P90", "目标工作日", "是否达标"],
              [[x.month, DIMENSION_LABELS[x.dimension], x.key, x.cases, float(x.median_working_days), float(x.p90_working_days),
                float(x.median_hours), float(x.p90_hours), float(x.target_working_days), "是" if x.target_met else "否"] for x in report.lines]),
        Sheet("基线", ["基线工作日", "基线小时", "来源", "是否暂定", "压缩目标(%)"],
              [[float(b.working_days), float(b.calendar_hours), b.source, "是" if b.provisional else "否", report.target_reduction_percent]]),
    ])
    return Response(content, media_type=XLSX_MEDIA_TYPE, headers={"Content-Disposition": 'attachment; filename="fund-approval-time.xlsx"'})


class BaselineWrite(BaseModel):
    """The pre-system average from report to approval, as the bureau measured it."""

    working_days: Decimal = Field(gt=0, le=365, max_digits=6, decimal_places=2)
    calendar_hours: Decimal = Field(gt=0, le=8760, max_digits=7, decimal_places=2)
    source: str = Field(min_length=2, max_length=500, description="数据来源（如：2019年纸质审批台账统计）")


@router.put("/baseline", response_model=Baseline, summary="The bureau enters the real pre-system baseline (replaces the [C] placeholder)")
async def set_baseline(body: BaselineWrite, session: SessionDep, actor: BaselineEditorDep) -> Baseline:
    await report_repo.set_baseline(session, working_days=body.working_days, calendar_hours=body.calendar_hours, source=body.source,
                                   by=actor.subject, at=datetime.now(UTC))
    return await report_repo.baseline(session)
