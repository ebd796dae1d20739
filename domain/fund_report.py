"""The fund's approval time (附件3 item 2: cut application-to-approval time by 50%), per month and street.

From each emergency case's report to the housing bureau's approval: the median and the 90th
percentile in working days (on the official calendar) and in calendar hours, against the
pre-system baseline. Percentiles are nearest-rank [C]: the smallest value with at least p% of the
cases at or below it; the median of an even count is the mean of the middle two.
"""

from __future__ import annotations

import math
from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel

from domain.calendar import CITY_TZ, WorkingCalendar
from domain.rules import FUND_REPORT, FundReportRules

CENT = Decimal("0.01")


class ApprovalSample(BaseModel):
    """One approved case: where, when reported, when approved."""

    case_id: str
    street_id: str | None
    reported_at: datetime
    approved_at: datetime


class Baseline(BaseModel):
    working_days: Decimal
    calendar_hours: Decimal
    # Where the figure comes from: the rules' placeholder [C], or the bureau's entry.
    source: str
    provisional: bool


class ApprovalLine(BaseModel):
    month: str
    dimension: str  # city / street
    key: str
    cases: int
    median_working_days: Decimal
    p90_working_days: Decimal
    median_hours: Decimal
    p90_hours: Decimal
    target_working_days: Decimal
    target_met: bool


class FundApprovalReport(BaseModel):
    baseline: Baseline
    target_reduction_percent: int
    lines: list[ApprovalLine]


def median(values: list[Decimal]) -> Decimal:
    ordered = sorted(values)
    n = len(ordered)
    middle = ordered[n // 2] if n % 2 else (ordered[n // 2 - 1] + ordered[n // 2]) / 2
    return middle.quantize(CENT)


def nearest_rank(values: list[Decimal], percent: int) -> Decimal:
    """The smallest value with at least ``percent``% of the values at or below it."""
    ordered = sorted(values)
    rank = max(1, math.ceil(percent * len(ordered) / 100))
    return ordered[rank - 1].quantize(CENT)


def default_baseline(rules: FundReportRules = FUND_REPORT) -> Baseline:
    return Baseline(working_days=rules.baseline_working_days, calendar_hours=rules.baseline_calendar_hours,
                    source="规则默认值 [C]，待住建局录入系统上线前的实际平均值", provisional=True)


def approval_report(samples: list[ApprovalSample], baseline: Baseline, calendar: WorkingCalendar,
                    rules: FundReportRules = FUND_REPORT) -> FundApprovalReport:
    """Lines per approval month (city time) for the city and each street, oldest month first."""
    groups: dict[tuple[str, str, str], list[ApprovalSample]] = {}
    for s in samples:
        month = s.approved_at.astimezone(CITY_TZ).strftime("%Y-%m")
        groups.setdefault((month, "city", "city"), []).append(s)
        if s.street_id:
            groups.setdefault((month, "street", s.street_id), []).append(s)
    target = (baseline.working_days * (100 - rules.target_reduction_percent) / 100).quantize(CENT)
    lines = []
    for (month, dimension, key), group in sorted(groups.items()):
        days = [Decimal(calendar.working_days_between(s.reported_at.astimezone(CITY_TZ).date(), s.approved_at.astimezone(CITY_TZ).date()))
                for s in group]
        hours = [Decimal((s.approved_at - s.reported_at).total_seconds()) / 3600 for s in group]
        mid = median(days)
        lines.append(ApprovalLine(
            month=month, dimension=dimension, key=key, cases=len(group), median_working_days=mid, p90_working_days=nearest_rank(days, 90),
            median_hours=median(hours), p90_hours=nearest_rank(hours, 90), target_working_days=target, target_met=mid <= target,
        ))
    return FundApprovalReport(baseline=baseline, target_reduction_percent=rules.target_reduction_percent, lines=lines)
