"""民法典 Art. 203 para. 1: a deadline a party must meet that ends on a rest day moves to 24:00 of the next working day.

Boundaries on the official 2026 data (国办发明电〔2025〕7号: 中秋节 Sep 25–27, 国庆节 Oct 1–7, Sat Oct 10
worked; 春节 Feb 15–23, Sat Feb 14 and Sat Feb 28 worked) and on New Year 2027 before and after the
year is published.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from domain.calendar import CITY_TZ, WorkingCalendar, party_deadline, sla_deadlines, years_counted
from domain.holiday_calendar import CalendarYear, HolidayRange, working_calendar
from domain.holidays_cn import HOLIDAY_NAMES, HOLIDAY_RANGES, MAKEUP_WORKDAYS, NOTICES
from tests.fixture_types import Sessions

OFFICIAL = WorkingCalendar.official()


def end_of(y: int, m: int, d: int) -> datetime:
    """24:00 city time of the given day."""
    return datetime(y, m, d, tzinfo=CITY_TZ) + timedelta(days=1)


def published(*years: CalendarYear) -> WorkingCalendar:
    seeded = [
        CalendarYear(year=y, revision=1, notice=NOTICES[y], published_at=datetime(2025, 11, 4, tzinfo=CITY_TZ), published_by="seed",
                     holidays=[HolidayRange(name=n, first=f, last=la) for n, (f, la) in zip(HOLIDAY_NAMES[y], HOLIDAY_RANGES[y], strict=True)],
                     makeup_workdays=list(MAKEUP_WORKDAYS[y]))
        for y in (2024, 2025, 2026)
    ]
    return working_calendar([*seeded, *years])


# A made-up 2027 for the tests (not the State Council's notice): 元旦 Fri Jan 1 to Sun Jan 3.
TEST_2027 = CalendarYear(
    year=2027, revision=1, notice="测试用通知", published_at=datetime(2026, 12, 29, tzinfo=CITY_TZ), published_by="admin",
    holidays=[HolidayRange(name="元旦", first=date(2027, 1, 1), last=date(2027, 1, 3))],
)


@pytest.mark.parametrize(("last_day", "ends"), [
    (date(2026, 9, 30), date(2026, 9, 30)),  # Wed, a working day: as counted
    (date(2026, 10, 1), date(2026, 10, 8)),  # 国庆节's first day: to the end of Thu Oct 8
    (date(2026, 10, 7), date(2026, 10, 8)),  # its last day: the next day
    (date(2026, 10, 8), date(2026, 10, 8)),  # one past the holiday: as counted
    (date(2026, 10, 10), date(2026, 10, 10)),  # a 调休 Saturday is a working day
    (date(2026, 10, 11), date(2026, 10, 12)),  # the Sunday after it is a rest day
    (date(2026, 9, 25), date(2026, 9, 28)),  # 中秋节 Fri–Sun: to Monday
    (date(2026, 2, 14), date(2026, 2, 14)),  # 调休 Saturday before 春节
    (date(2026, 2, 15), date(2026, 2, 24)),  # 春节's nine days off
    (date(2026, 2, 23), date(2026, 2, 24)),
    (date(2026, 3, 7), date(2026, 3, 9)),  # an ordinary Saturday
    (date(2026, 3, 8), date(2026, 3, 9)),  # an ordinary Sunday
    (date(2026, 3, 6), date(2026, 3, 6)),  # Friday
])
def test_a_deadline_on_a_rest_day_moves_to_the_end_of_the_next_working_day(last_day: date, ends: date) -> None:
    end = end_of(last_day.year, last_day.month, last_day.day)
    assert party_deadline(end, calendar=OFFICIAL) == end_of(ends.year, ends.month, ends.day)


def test_the_last_day_is_the_day_before_24_00() -> None:
    # 00:00 of Oct 1 is 24:00 of Sep 30, a working day: it stands; one microsecond later is on the holiday.
    midnight = datetime(2026, 10, 1, tzinfo=CITY_TZ)
    assert party_deadline(midnight, calendar=OFFICIAL) == midnight
    assert party_deadline(midnight + timedelta(microseconds=1), calendar=OFFICIAL) == end_of(2026, 10, 8)
    # A deadline within a holiday (say 17:00 of Oct 1) ends at 24:00 of the next working day too.
    assert party_deadline(datetime(2026, 10, 1, 17, tzinfo=CITY_TZ), calendar=OFFICIAL) == end_of(2026, 10, 8)


def test_new_year_2027_before_and_after_its_publication() -> None:
    # Unpublished, Fri Jan 1 2027 counts as a working day: the deadline stands (provisionally).
    unpublished = published()
    assert unpublished.revision(2027) == 0
    assert party_deadline(end_of(2027, 1, 1), calendar=unpublished) == end_of(2027, 1, 1)
    # Published with 元旦 Jan 1–3, the same deadline moves to the end of Mon Jan 4.
    cal = published(TEST_2027)
    assert cal.revision(2027) == 1
    assert party_deadline(end_of(2027, 1, 1), calendar=cal) == end_of(2027, 1, 4)
    assert party_deadline(end_of(2026, 12, 31), calendar=cal) == end_of(2026, 12, 31)  # Thu: as counted


def test_party_deadline_refuses_a_naive_time() -> None:
    with pytest.raises(ValueError):
        party_deadline(datetime(2026, 10, 2))


@pytest.mark.parametrize(("start", "years"), [
    (datetime(2026, 6, 1, 10, tzinfo=CITY_TZ), [2026]),
    (datetime(2026, 12, 28, 10, tzinfo=CITY_TZ), [2026, 2027]),  # 5 working days from Mon Dec 28 reach January
    (datetime(2026, 12, 31, 23, 59, tzinfo=CITY_TZ), [2027]),  # counting starts on Jan 1: 2026 is not looked at
    (datetime(2026, 12, 22, 10, tzinfo=CITY_TZ), [2026]),  # Tue Dec 22: due Tue 29, escalation Wed 30
    (datetime(2026, 12, 23, 10, tzinfo=CITY_TZ), [2026]),  # Wed Dec 23: escalation on Thu Dec 31, the last day of 2026
    (datetime(2026, 12, 24, 10, tzinfo=CITY_TZ), [2026, 2027]),  # one day later the escalation day is Fri Jan 1
])
def test_years_counted_by_a_five_working_day_period(start: datetime, years: list[int]) -> None:
    d = sla_deadlines(start, 5, calendar=OFFICIAL)
    assert years_counted(start, d) == years


async def test_the_local_activity_moves_a_deadline_on_the_published_calendar(sessions: Sessions) -> None:
    from activities.cases import CaseActivities, PartyDeadlineRequest

    activities = CaseActivities(sessions)
    moved = await activities.party_deadline(PartyDeadlineRequest(end=end_of(2026, 10, 1)))
    assert (moved.end, moved.moved, moved.calendar_published) == (end_of(2026, 10, 8), True, True)
    kept = await activities.party_deadline(PartyDeadlineRequest(end=end_of(2026, 9, 30)))
    assert (kept.end, kept.moved, kept.calendar_published) == (end_of(2026, 9, 30), False, True)
    # 2027 is not published in the suite's database: Friday 1 January stands, provisionally.
    provisional = await activities.party_deadline(PartyDeadlineRequest(end=end_of(2027, 1, 1)))
    assert (provisional.end, provisional.moved, provisional.calendar_published) == (end_of(2027, 1, 1), False, False)
