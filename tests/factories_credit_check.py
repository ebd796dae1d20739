"""Helpers for the monthly-check tests: a fresh company serving a fresh estate, its check case, a sheet."""

from __future__ import annotations

import uuid
from typing import Any

from db.models import Estate
from domain.credit_check import CheckPair, check_case_id
from tests.driver import CaseDriver, Json
from tests.factories import Cast
from tests.factories_credit import create_company
from tests.fixture_types import AsyncClient, Sessions, Settings, WorkflowEnvironment
from workflows.credit_check import CreditMonthlyCheckWorkflow
from workflows.credit_check_models import CreditCheckInput


async def company_serving_yidu(sessions: Sessions) -> str:
    """A property company of its own serving a new estate in 益都街道, so its checks and records concern nobody else."""
    company_id = await create_company(sessions, grade=None)
    async with sessions() as s, s.begin():
        s.add(Estate(id=f"t-ck-{uuid.uuid4().hex[:8]}", name=f"检查小区{company_id[-4:]}", street_id="yidu", community_id="yidu-c1",
                     property_company_id=company_id))
    return company_id


def sheet(*, deficient: str | None = None, days: int = 10, **scores: int) -> Json:
    """A check sheet of every item; ``deficient`` names the item found wanting, with ``days`` to rectify it."""
    full = {"service_standards": 40, "fees_published": 20, "complaint_handling": 20, "safety": 20, **scores}
    items: list[dict[str, Any]] = []
    for code, score in full.items():
        item: dict[str, Any] = {"item": code, "score": score}
        if code == deficient:
            item.update(deficient=True, finding="消防通道堆放杂物", rectify_days=days)
        items.append(item)
    return {"items": items}


async def start_check(api: AsyncClient, env: WorkflowEnvironment, settings: Settings, company_id: str, month: str) -> CaseDriver:
    """The street's check of the company this month, as the month's run starts it."""
    cast = Cast(settings=settings, estate_id="", households=[])
    drv = CaseDriver(api, cast)
    pair = CheckPair(street_id="yidu", street_name="益都街道", company_id=company_id, company_name="测试物业", estates=["检查小区"])
    case_id = check_case_id(month, "yidu", company_id)
    await drv.start_through_client(env.client, CreditMonthlyCheckWorkflow.run, CreditCheckInput(case_id=case_id, month=month, pair=pair, initiator=cast.actor("bureau")),
                                   id=case_id, task_queue=settings.task_queue)
    await drv.wait_for(step="check", open_task="check")
    return drv
