"""The fund's approval-time report: median and p90 on a known set of cases, against the halved baseline."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from domain.calendar import CITY_TZ, WorkingCalendar
from domain.fund_report import ApprovalSample, Baseline, approval_report, median, nearest_rank

# Monday 2 November 2026, 09:00 city time.
MONDAY = datetime(2026, 11, 2, 9, tzinfo=CITY_TZ)


def test_nearest_rank_and_median_at_their_edges() -> None:
    ten = [Decimal(i) for i in range(1, 11)]
    assert nearest_rank(ten, 90) == Decimal(9) and nearest_rank([*ten, Decimal(11)], 90) == Decimal(10)
    assert median(ten) == Decimal("5.50") and median(ten[:9]) == Decimal(5)
    assert nearest_rank([Decimal(7)], 90) == Decimal(7)


def test_median_and_p90_per_month_and_street_on_known_cases() -> None:
    # Approved after 1, 1, 2, 3 and 8 working days (the first two the same week; one across a weekend).
    spans = [timedelta(days=1), timedelta(days=1, hours=2), timedelta(days=2), timedelta(days=3), timedelta(days=10)]
    samples = [ApprovalSample(case_id=f"c{i}", street_id="yidu" if i < 3 else "wangfu", reported_at=MONDAY, approved_at=MONDAY + span)
               for i, span in enumerate(spans)]
    baseline = Baseline(working_days=Decimal(4), calendar_hours=Decimal(96), source="测试", provisional=False)
    report = approval_report(samples, baseline, WorkingCalendar())
    lines = {(x.dimension, x.key): x for x in report.lines}
    city = lines[("city", "city")]
    assert (city.month, city.cases, city.median_working_days, city.p90_working_days) == ("2026-11", 5, Decimal(2), Decimal(8))
    assert (city.median_hours, city.p90_hours) == (Decimal(48), Decimal(240))
    assert city.target_working_days == Decimal(2) and city.target_met  # exactly half the baseline meets the target
    wangfu = lines[("street", "wangfu")]
    assert (wangfu.cases, wangfu.median_working_days, wangfu.target_met) == (2, Decimal("5.50"), False)
