"""月检查: the monthly check sheet of a property company and its rectification periods.

Part of the rules (``domain.rules`` re-exports them). DOMAIN.md names the monthly checks (seed
附件3 item 1: monthly checks by the streets feed the credit archive) but gives no items, scores or
periods: every number here is our configurable default [C].
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, ConfigDict, Field


class CheckItem(BaseModel):
    """One item of the check sheet: what the street looks at and the most points it gives."""

    model_config = ConfigDict(frozen=True)

    label: str
    max_score: int


def _check_items() -> dict[str, CheckItem]:
    # The four areas the seed policy names; the weights are ours [C] and add up to 100.
    return {
        "service_standards": CheckItem(label="服务标准", max_score=40),
        "fees_published": CheckItem(label="收费公示", max_score=20),
        "complaint_handling": CheckItem(label="投诉处理", max_score=20),
        "safety": CheckItem(label="安全管理", max_score=20),
    }


class CreditCheckRules(BaseModel):
    """月检查 (DOMAIN.md, credit): the sheet, the street's and the company's periods, the schedule."""

    model_config = ConfigDict(frozen=True)

    items: dict[str, CheckItem] = Field(default_factory=_check_items)
    # The street fills in the sheet within 5 working days of the first working day [C]; the
    # housing bureau is told one working day after.
    check_working_days: int = 5
    # The street sets the rectification period of a deficient item in calendar days (日), within
    # these bounds [C]; the period ends at 24:00 of its last day (民法典 Arts. 201, 203).
    rectify_min_days: int = 1
    rectify_max_days: int = 30
    # One rectification "day" (the local demo compresses it to minutes; never in production).
    rectify_day: timedelta = timedelta(days=1)
    # The company's follow-up task turns yellow this long before its deadline [C].
    rectify_remind_before: timedelta = timedelta(days=1)
    # The street re-checks within 3 working days of the company's report or the deadline [C].
    recheck_working_days: int = 3
    # The monthly schedule fires on the first day of each month at this hour, city time; the month's
    # checks open on its first working day at the same hour [C].
    schedule_hour: int = 2


CREDIT_CHECK = CreditCheckRules()
# The local demo (`make run`): a rectification "day" is a minute. Never in production.
CREDIT_CHECK_DEMO = CREDIT_CHECK.model_copy(update={"rectify_day": timedelta(minutes=1), "rectify_remind_before": timedelta(seconds=20)})
