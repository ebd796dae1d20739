"""Complaints year to date against the same days a year before, with the −30% target at its edge."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from domain.calendar import CITY_TZ
from domain.complaints_report import ComplaintSample, complaints_ytd, same_day_a_year_before


def sample(y: int, m: int, d: int, street: str = "yidu", company: str | None = "co-a", hour: int = 10) -> ComplaintSample:
    return ComplaintSample(created_at=datetime(y, m, d, hour, tzinfo=CITY_TZ), street_id=street, company_id=company)


def test_year_to_date_against_the_same_days_and_the_target_edge() -> None:
    samples = [*(sample(2025, 3, 1) for _ in range(10)), sample(2025, 11, 30), sample(2025, 12, 1),  # 11 by 30 Nov 2025
               *(sample(2026, 2, 1) for _ in range(7)), sample(2026, 12, 1), sample(2026, 5, 5, "wangfu", None),
               sample(2024, 6, 1)]
    report = complaints_ytd(samples, date(2026, 11, 30))
    lines = {(x.dimension, x.key): x for x in report.lines}
    city = lines[("city", "city")]
    assert (city.ytd, city.previous_ytd, city.change_percent, city.target_met) == (8, 11, Decimal("-27.3"), False)
    yidu = lines[("street", "yidu")]
    assert (yidu.ytd, yidu.previous_ytd, yidu.change_percent, yidu.target_met) == (7, 11, Decimal("-36.4"), True)
    assert lines[("street", "wangfu")].change_percent is None and lines[("street", "wangfu")].target_met is None
    assert lines[("company", "co-a")].ytd == 7
    # Exactly −30% meets the target.
    exact = complaints_ytd([*(sample(2025, 1, 5) for _ in range(10)), *(sample(2026, 1, 5) for _ in range(7))], date(2026, 1, 5))
    assert exact.lines[0].change_percent == Decimal("-30.0") and exact.lines[0].target_met is True


def test_29_february_compares_with_28_february() -> None:
    assert same_day_a_year_before(date(2028, 2, 29)) == date(2027, 2, 28)
