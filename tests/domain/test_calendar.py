"""Tests for domain.calendar and the official holiday data in domain.holidays_cn."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain import holidays_cn
from domain.calendar import (
    CITY_TZ,
    SlaDeadlines,
    WorkingCalendar,
    calendar_deadline,
    sla_deadlines,
)

CAL = WorkingCalendar.official()


def utc(y: int, m: int, d: int, h: int = 0) -> datetime:
    """Build a UTC datetime."""
    return datetime(y, m, d, h, tzinfo=UTC)


def city(y: int, m: int, d: int, h: int = 0) -> datetime:
    """Build a city-time (Asia/Shanghai) datetime."""
    return datetime(y, m, d, h, tzinfo=CITY_TZ)


# --- official data -------------------------------------------------------


def test_published_years() -> None:
    assert frozenset({2024, 2025, 2026}) == holidays_cn.PUBLISHED_YEARS
    assert all(CAL.is_published(y) for y in (2024, 2025, 2026))


@pytest.mark.parametrize(("year", "days_off"), [(2024, 28), (2025, 28), (2026, 33)])
def test_holiday_day_counts_match_notices(year: int, days_off: int) -> None:
    assert sum(1 for d in holidays_cn.holiday_dates() if d.year == year) == days_off


def test_makeup_days_are_weekends_and_not_holidays() -> None:
    makeup = holidays_cn.makeup_workdays()
    assert all(d.weekday() >= 5 for d in makeup)
    assert not makeup & holidays_cn.holiday_dates()


def test_conflicting_data_rejected() -> None:
    with pytest.raises(ValueError):
        WorkingCalendar([date(2026, 2, 14)], [date(2026, 2, 14)])


def test_calendar_is_immutable() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        CAL.holidays = frozenset()  # type: ignore[misc]


# --- is_working_day ------------------------------------------------------


@pytest.mark.parametrize("day", range(15, 24))
def test_spring_festival_2026_is_off(day: int) -> None:
    assert not CAL.is_working_day(date(2026, 2, day))


def test_spring_festival_boundaries_2026() -> None:
    assert CAL.is_working_day(date(2026, 2, 13))  # Friday before
    assert CAL.is_working_day(date(2026, 2, 24))  # Tuesday after


@pytest.mark.parametrize(
    "d", [date(2026, 2, 14), date(2026, 2, 28), date(2026, 1, 4), date(2025, 10, 11)]
)
def test_makeup_weekend_is_working(d: date) -> None:
    assert d.weekday() >= 5
    assert CAL.is_working_day(d)


def test_ordinary_weekend_is_not_working() -> None:
    assert date(2026, 3, 7).weekday() == 5
    assert not CAL.is_working_day(date(2026, 3, 7))
    assert not CAL.is_working_day(date(2026, 3, 8))


def test_weekday_holiday_is_not_working() -> None:
    assert date(2026, 10, 1).weekday() == 3
    assert not CAL.is_working_day(date(2026, 10, 1))
    assert not CAL.is_working_day(date(2025, 10, 8))


def test_unpublished_year_falls_back_to_mon_fri() -> None:
    assert not CAL.is_published(2030)
    # 2030-10-01 will surely be a holiday, but without a notice we only know weekdays.
    assert CAL.is_working_day(date(2030, 10, 1))
    assert not CAL.is_working_day(date(2030, 10, 5))  # Saturday
    assert CAL.add_working_days(date(2030, 10, 4), 1) == date(2030, 10, 7)


def test_empty_calendar_is_mon_fri() -> None:
    cal = WorkingCalendar()
    assert not cal.is_published(2026)
    assert cal.is_working_day(date(2026, 2, 16))
    assert not cal.is_working_day(date(2026, 2, 14))


# --- add_working_days / working_days_between -----------------------------


def test_add_zero_returns_same_day() -> None:
    assert CAL.add_working_days(date(2026, 2, 15), 0) == date(2026, 2, 15)


def test_add_negative_refused() -> None:
    with pytest.raises(ValueError):
        CAL.add_working_days(date(2026, 3, 2), -1)


def test_add_working_days_across_national_day_2026() -> None:
    start = date(2026, 9, 30)
    assert CAL.add_working_days(start, 1) == date(2026, 10, 8)  # Thu after Oct 1-7
    assert CAL.add_working_days(start, 2) == date(2026, 10, 9)
    assert CAL.add_working_days(start, 3) == date(2026, 10, 10)  # Saturday 调休
    assert CAL.add_working_days(start, 4) == date(2026, 10, 12)


def test_add_working_days_ordinary_week() -> None:
    assert CAL.add_working_days(date(2026, 3, 6), 1) == date(2026, 3, 9)  # Fri -> Mon
    assert CAL.add_working_days(date(2026, 3, 6), 5) == date(2026, 3, 13)


def test_working_days_between() -> None:
    assert CAL.working_days_between(date(2026, 9, 30), date(2026, 10, 10)) == 3
    assert CAL.working_days_between(date(2026, 3, 6), date(2026, 3, 6)) == 0
    assert CAL.working_days_between(date(2026, 3, 9), date(2026, 3, 6)) == 0
    # End is included, start is not.
    assert CAL.working_days_between(date(2026, 3, 9), date(2026, 3, 10)) == 1


@given(
    start=st.dates(min_value=date(2023, 12, 1), max_value=date(2027, 1, 31)),
    n=st.integers(min_value=0, max_value=60),
)
def test_add_and_between_are_inverse(start: date, n: int) -> None:
    end = CAL.add_working_days(start, n)
    assert CAL.working_days_between(start, end) == n
    if n > 0:
        assert CAL.is_working_day(end)
        assert CAL.working_days_between(start, end - timedelta(days=1)) == n - 1


# --- sla_deadlines --------------------------------------------------------


def test_sla_friday_two_working_days_due_end_of_tuesday() -> None:
    sla = sla_deadlines(city(2026, 3, 6, 10), 2)  # Friday
    # End of Tuesday 2026-03-10 city time = Wed 00:00 +08:00 = Tue 16:00 UTC.
    assert sla.due_at == utc(2026, 3, 10, 16)
    assert sla.due_at == city(2026, 3, 11)
    assert sla.remind_at == utc(2026, 3, 9, 16)  # end of Monday
    assert sla.escalate_at == utc(2026, 3, 11, 16)  # end of Wednesday


def test_sla_start_date_is_taken_in_city_time() -> None:
    # 20:00 UTC Thursday is already Friday 04:00 in Qingzhou.
    assert sla_deadlines(utc(2026, 3, 5, 20), 2) == sla_deadlines(city(2026, 3, 6, 10), 2)


def test_sla_friday_across_spring_festival_with_makeup_saturday() -> None:
    sla = sla_deadlines(city(2026, 2, 13, 9), 2)  # Friday before 春节
    assert sla.remind_at == city(2026, 2, 15)  # end of Sat 2026-02-14 (调休)
    assert sla.due_at == city(2026, 2, 25)  # end of Tue 2026-02-24
    assert sla.escalate_at == city(2026, 2, 26)


def test_sla_across_national_day_2026() -> None:
    sla = sla_deadlines(city(2026, 9, 30, 15), 2)
    assert sla.remind_at == city(2026, 10, 9)  # end of Oct 8
    assert sla.due_at == city(2026, 10, 10)  # end of Oct 9
    assert sla.escalate_at == city(2026, 10, 11)  # end of Sat Oct 10 (调休)


def test_sla_results_are_utc() -> None:
    sla = sla_deadlines(city(2026, 3, 6, 10), 3)
    for instant in (sla.remind_at, sla.due_at, sla.escalate_at):
        assert instant.utcoffset() == timedelta(0)
        assert instant.tzinfo == UTC


def test_sla_short_period_reminds_at_end_of_start_day() -> None:
    start = city(2026, 3, 6, 23)
    sla = sla_deadlines(start, 1)
    assert sla.remind_at == city(2026, 3, 7)
    assert start < sla.remind_at < sla.due_at == city(2026, 3, 10)


def test_sla_custom_offsets() -> None:
    sla = sla_deadlines(city(2026, 3, 2, 9), 5, remind_before=2, escalate_after=3)
    assert sla.remind_at == city(2026, 3, 6)  # end of 3rd working day, Thu
    assert sla.due_at == city(2026, 3, 10)  # end of 5th, Mon 2026-03-09
    assert sla.escalate_at == city(2026, 3, 13)  # end of 8th, Thu 2026-03-12


def test_sla_naive_datetime_refused() -> None:
    with pytest.raises(ValueError):
        sla_deadlines(datetime(2026, 3, 6, 10), 2)


@pytest.mark.parametrize(
    "kwargs", [{"working_days": 0}, {"working_days": 2, "remind_before": 0},
               {"working_days": 2, "escalate_after": 0}]
)
def test_sla_invalid_counts_refused(kwargs: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        sla_deadlines(city(2026, 3, 6, 10), **kwargs)


def test_sla_with_custom_calendar() -> None:
    cal = WorkingCalendar(holidays=[date(2026, 3, 9)])
    sla = sla_deadlines(city(2026, 3, 6, 10), 1, calendar=cal)
    assert sla.due_at == city(2026, 3, 11)  # Monday off, due end of Tuesday


@given(
    start=st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2026, 11, 30),
                       timezones=st.just(UTC)),
    working_days=st.integers(min_value=1, max_value=30),
    remind_before=st.integers(min_value=1, max_value=5),
    escalate_after=st.integers(min_value=1, max_value=5),
)
def test_sla_ordering(start: datetime, working_days: int, remind_before: int,
                      escalate_after: int) -> None:
    sla = sla_deadlines(start, working_days, remind_before=remind_before,
                        escalate_after=escalate_after)
    assert isinstance(sla, SlaDeadlines)
    assert start < sla.remind_at < sla.due_at < sla.escalate_at
    # Every deadline falls on city midnight.
    for instant in (sla.remind_at, sla.due_at, sla.escalate_at):
        local = instant.astimezone(CITY_TZ)
        assert (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0)


# --- calendar_deadline ----------------------------------------------------


def test_calendar_deadline_counts_calendar_days() -> None:
    # Holidays do not matter for 日 periods.
    assert calendar_deadline(city(2026, 9, 30, 10), 7) == utc(2026, 10, 7, 16)
    assert calendar_deadline(utc(2026, 9, 29, 20), 7) == city(2026, 10, 8)


def test_calendar_deadline_zero_days_is_end_of_start_day() -> None:
    assert calendar_deadline(city(2026, 3, 6, 10), 0) == city(2026, 3, 7)


def test_calendar_deadline_refuses_naive_and_negative() -> None:
    with pytest.raises(ValueError):
        calendar_deadline(datetime(2026, 3, 6, 10), 3)
    with pytest.raises(ValueError):
        calendar_deadline(city(2026, 3, 6, 10), -1)
