"""The monthly report's figures, month bounds in city time, and the year-on-year target."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.calendar import CITY_TZ
from domain.ticket_report import (
    TicketFacts,
    check_month,
    handling_company,
    month_bounds,
    monthly_figures,
    previous_month,
    same_month_last_year,
)


def city(y: int, m: int, d: int, h: int = 0) -> datetime:
    return datetime(y, m, d, h, tzinfo=CITY_TZ).astimezone(UTC)


def test_month_bounds_are_city_midnights() -> None:
    start, end = month_bounds("2026-12")
    assert start == datetime(2026, 11, 30, 16, tzinfo=UTC) and end == datetime(2026, 12, 31, 16, tzinfo=UTC)
    assert previous_month(datetime(2026, 1, 1, 0, 30, tzinfo=CITY_TZ)) == "2025-12"
    assert previous_month(datetime(2026, 11, 30, 17, tzinfo=UTC)) == "2026-11"  # 01:00 on 12-01 city time
    assert same_month_last_year("2026-03") == "2025-03"
    for bad in ("2026-13", "26-01", "2026-1"):
        with pytest.raises(ValueError):
            check_month(bad)


def test_figures_per_city_street_and_company() -> None:
    nov = [
        TicketFacts(street_id="yidu", company_id="co-a", created_at=city(2026, 11, 2), closed_at=city(2026, 11, 4), closure="satisfied"),
        TicketFacts(street_id="yidu", company_id="co-a", created_at=city(2026, 11, 3), closed_at=city(2026, 11, 9), closure="supervisor", overdue=True),
        TicketFacts(street_id="yidu", company_id="co-b", created_at=city(2026, 11, 30, 23)),  # still November in Qingzhou
        TicketFacts(street_id="wangfu", company_id=None, created_at=city(2026, 10, 28), closed_at=city(2026, 11, 1), closure="satisfied"),
        TicketFacts(street_id="wangfu", company_id=None, created_at=city(2026, 11, 5), closed_at=city(2026, 11, 6), closure="withdrawn"),
    ]
    last = [TicketFacts(street_id="yidu", company_id="co-a", created_at=city(2025, 11, d)) for d in range(1, 6)]
    lines = {(f.dimension, f.key): f for f in monthly_figures("2026-11", nov, last)}
    yidu = lines[("street", "yidu")]
    assert (yidu.intake, yidu.closed, yidu.overdue, yidu.satisfied) == (3, 2, 1, 1)
    assert yidu.avg_handling_seconds == int(timedelta(days=4).total_seconds())  # (2 + 6 days) / 2
    assert yidu.satisfaction_percent == 50.0
    assert (yidu.intake_last_year, yidu.yoy_change_percent, yidu.yoy_target_met) == (5, -40.0, True)
    co_a = lines[("company", "co-a")]
    assert (co_a.intake, co_a.closed, co_a.yoy_change_percent, co_a.yoy_target_met) == (2, 2, -60.0, True)
    assert lines[("company", "co-b")].yoy_change_percent is None  # nothing a year before
    wangfu = lines[("street", "wangfu")]
    assert (wangfu.intake, wangfu.closed, wangfu.satisfaction_percent) == (1, 1, 100.0)  # the withdrawn one is not closed
    city_line = lines[("city", "all")]
    assert (city_line.intake, city_line.closed, city_line.intake_last_year) == (4, 3, 5)
    assert city_line.yoy_change_percent == -20.0 and city_line.yoy_target_met is False  # −20% misses the −30% target
    assert [f.dimension for f in monthly_figures("2026-11", nov, last)][:1] == ["city"]


def test_a_ticket_counts_for_the_company_that_handled_it_not_the_estates() -> None:
    assert handling_company("company", "co-a") == "co-a"
    # A department-routed ticket on co-a's estate: the street counts it, the company does not.
    assert handling_company("department", "dept-enforcement") is None
    assert handling_company("community", "yidu-c1") is None and handling_company(None, None) is None
    tickets = [
        TicketFacts(street_id="yidu", company_id=handling_company("company", "co-a"), created_at=city(2026, 11, 2)),
        TicketFacts(street_id="yidu", company_id=handling_company("department", "dept-enforcement"), created_at=city(2026, 11, 3)),
    ]
    lines = {(f.dimension, f.key): f.intake for f in monthly_figures("2026-11", tickets, [])}
    assert lines == {("city", "all"): 2, ("street", "yidu"): 2, ("company", "co-a"): 1}
