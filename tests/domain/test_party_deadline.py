"""民法典 Art. 203 para. 1: a deadline a party must meet whose last day is a rest day ends at 24:00 of the next working day.

On the official 2026 data (国办发明电〔2025〕7号: 国庆节 Oct 1–7, Sat Oct 10 worked).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from domain.calendar import CITY_TZ, WorkingCalendar, party_deadline, period_end

OFFICIAL = WorkingCalendar.official()


def end_of(day: date) -> datetime:
    """24:00 city time of ``day``."""
    return datetime(day.year, day.month, day.day, tzinfo=CITY_TZ) + timedelta(days=1)


@pytest.mark.parametrize(("last_day", "ends"), [
    (date(2026, 9, 30), date(2026, 9, 30)),  # Wed before 国庆节, a working day: as counted
    (date(2026, 10, 1), date(2026, 10, 8)),  # one day later, on the holiday: to the end of Thu Oct 8
    (date(2026, 10, 7), date(2026, 10, 8)),  # the holiday's last day
    (date(2026, 10, 8), date(2026, 10, 8)),  # the first working day after it: as counted
    (date(2026, 10, 10), date(2026, 10, 10)),  # a 调休 Saturday is a working day
    (date(2026, 10, 11), date(2026, 10, 12)),  # the Sunday after it is not
    (date(2026, 3, 6), date(2026, 3, 6)),  # an ordinary Friday
    (date(2026, 3, 7), date(2026, 3, 9)),  # the Saturday after it: to Monday
])
def test_a_deadline_on_a_rest_day_moves_to_the_end_of_the_next_working_day(last_day: date, ends: date) -> None:
    assert party_deadline(end_of(last_day), calendar=OFFICIAL) == end_of(ends)


def test_24_00_belongs_to_the_day_it_ends() -> None:
    # 00:00 of Oct 1 is 24:00 of Sep 30, a working day: it stands; a microsecond later is on the holiday.
    midnight = datetime(2026, 10, 1, tzinfo=CITY_TZ)
    assert party_deadline(midnight, calendar=OFFICIAL) == midnight
    assert party_deadline(midnight + timedelta(microseconds=1), calendar=OFFICIAL) == end_of(date(2026, 10, 8))


def test_a_seven_day_period_counted_then_moved() -> None:
    # Elected on Thu Sep 24: 7 days end at 24:00 of Thu Oct 1 (国庆节), so the meeting is due by Oct 8.
    elected = datetime(2026, 9, 24, 15, tzinfo=CITY_TZ)
    counted = period_end(elected, timedelta(days=7))
    assert counted == end_of(date(2026, 10, 1))
    assert party_deadline(counted, calendar=OFFICIAL) == end_of(date(2026, 10, 8))
    # Elected a day earlier: the 7th day is Wed Sep 30, a working day, and nothing moves.
    counted = period_end(elected - timedelta(days=1), timedelta(days=7))
    assert party_deadline(counted, calendar=OFFICIAL) == counted == end_of(date(2026, 9, 30))


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError):
        party_deadline(datetime(2026, 10, 2))
