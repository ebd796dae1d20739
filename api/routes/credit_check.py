"""物业企业月检查: the bureau opens a month by hand; the month's results as each reader may see them.

The checks themselves are cases (kind ``credit-monthly-check``): their tasks are in /inbox, their
forms' schemas in /processes, their timelines under /cases, read by the default policy (the street
its own, the company its own, the city all).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, Field

from api.deps import ActorDep, ClientDep, SessionDep, SettingsDep, require_roles
from api.errors import Forbidden, Invalid
from core.registry import REGISTRY
from db.repositories import credit_check as check_repo
from domain.access import Actor, Level, Role
from domain.credit_check import PROCESS_KIND, parse_month
from domain.rules import CreditCheckRules
from workflows.credit_check import SCHEDULE_ID, CreditMonthWorkflow
from workflows.credit_check_models import CreditMonthInput, CreditMonthResult

router = APIRouter(prefix="/credit/checks", tags=["credit 物业企业信用"])

CheckBureauDep = Annotated[Actor, Depends(require_roles(Role.HOUSING_BUREAU, levels=(Level.CITY,), detail="月检查由住建局统一启动"))]
CITY_READERS = (Role.HOUSING_BUREAU, Role.BUREAU_SUPERVISOR, Role.AUDITOR, Role.ADMIN)
STREET_READERS = (Role.STREET_OFFICE, Role.CLERK, Role.AUDITOR)
MonthPath = Annotated[str, Path(min_length=7, max_length=7, examples=["2027-01"], description="月份，如 2027-01")]


def month_text(text: str, loc: list[str]) -> str:
    try:
        parse_month(text)
    except ValueError:
        raise Invalid("月份格式应为 2027-01", errors=[{"loc": loc, "msg": "月份格式应为 2027-01", "type": "value_error"}]) from None
    return text


class MonthStart(BaseModel):
    month: str = Field(min_length=7, max_length=7, examples=["2027-01"])


@router.post("", response_model=CreditMonthResult,
             summary="The bureau opens a month's checks now: one case per street and company serving an estate there (never twice)")
async def start_month(body: MonthStart, actor: CheckBureauDep, client: ClientDep, settings: SettingsDep) -> CreditMonthResult:
    month = month_text(body.month, ["body", "month"])
    rules = REGISTRY[PROCESS_KIND].rules_for(settings.demo_periods)
    assert isinstance(rules, CreditCheckRules)
    # Each case's id is the month's, street's and company's: a second start (or the schedule) starts none twice.
    return await client.execute_workflow(
        CreditMonthWorkflow.run, CreditMonthInput(month=month, at_once=True, initiator=actor, rules=rules),
        id=f"{SCHEDULE_ID}-{month}-{uuid.uuid4().hex[:8]}", task_queue=settings.task_queue,
    )


class CheckResultRead(BaseModel):
    case_id: str
    month: str
    street_id: str
    company_id: str
    score: Decimal
    checked_at: datetime


@router.get("/{month}", response_model=list[CheckResultRead],
            summary="A month's check scores: the city all, a street its own, a company its own")
async def month_results(month: MonthPath, session: SessionDep, actor: ActorDep) -> list[CheckResultRead]:
    month_text(month, ["path", "month"])
    level, own = actor.jurisdiction.level, actor.jurisdiction.id
    if level == Level.CITY and actor.has_any(CITY_READERS):
        street, company = None, None
    elif level == Level.STREET and actor.has_any(STREET_READERS):
        street, company = own, None
    elif level == Level.COMPANY and Role.PROPERTY_COMPANY in actor.roles:
        street, company = None, own
    else:
        raise Forbidden("月检查结果向住建局、街道（本街道）和物业服务企业（本企业）开放")
    return [CheckResultRead(case_id=r.case_id, month=r.month, street_id=r.street_id, company_id=r.company_id, score=r.score,
                            checked_at=r.checked_at)
            for r in await check_repo.results_of(session, month)
            if street in (None, r.street_id) and company in (None, r.company_id)]
