"""Working-day (工作日) and calendar-day (日) period arithmetic in Qingzhou city time.

Statutory periods in property-management rules are written either in 工作日
(working days: the official holiday schedule, including 调休, applies) or in
日 (calendar days). Both follow 民法典 Art. 201 (the day on which the period
starts is not counted; counting begins the next day) and Art. 203 para. 2 (a
period ends at 24:00 of its last day); a deadline a party must meet that falls
on a rest day moves to the end of the next working day (Art. 203 para. 1,
``party_deadline``).

The holiday schedule of each year is data the city publishes (``domain.holiday_calendar``);
a year nobody has published yet is counted Monday to Friday, and what is counted on it is
provisional (``WorkingCalendar.revision`` is 0 for such a year).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from types import MappingProxyType
from zoneinfo import ZoneInfo

from domain import holidays_cn

# Qingzhou (Weifang, Shandong) uses China Standard Time; the tz database has no
# separate zone for it and Asia/Shanghai has had no DST since 1991.
CITY_TZ = ZoneInfo("Asia/Shanghai")

_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, init=False)
class WorkingCalendar:
    """Immutable working-day calendar: weekdays, minus holidays, plus makeup working days."""

    holidays: frozenset[date]
    makeup_workdays: frozenset[date]
    published_years: frozenset[int]
    # Year -> the revision of its publication (1 for the first); a deadline remembers the revisions
    # it was counted on, so a later publication knows which deadlines to count again.
    revisions: Mapping[int, int] = field(hash=False)

    def __init__(
        self,
        holidays: Iterable[date] = (),
        makeup_workdays: Iterable[date] = (),
        published_years: Iterable[int] | None = None,
        revisions: Mapping[int, int] | None = None,
    ) -> None:
        """Build a calendar; published_years defaults to the years present in the data, each at revision 1."""
        hol = frozenset(holidays)
        make = frozenset(makeup_workdays)
        clash = hol & make
        if clash:
            # A day cannot be both off and a makeup working day; data entry error.
            raise ValueError(f"dates are both holiday and makeup working day: {sorted(clash)}")
        years = frozenset(d.year for d in hol | make) if published_years is None else frozenset(published_years)
        # Frozen dataclass: assign through object.__setattr__ once, at construction.
        object.__setattr__(self, "holidays", hol)
        object.__setattr__(self, "makeup_workdays", make)
        object.__setattr__(self, "published_years", years)
        object.__setattr__(self, "revisions", MappingProxyType({y: (revisions or {}).get(y, 1) for y in years}))

    @classmethod
    def official(cls) -> WorkingCalendar:
        """Return the calendar built from the State Council notices in holidays_cn."""
        return _OFFICIAL

    def is_published(self, year: int) -> bool:
        """Return True if the holiday schedule for ``year`` is known to this calendar."""
        return year in self.published_years

    def revision(self, year: int) -> int:
        """The revision of ``year``'s publication this calendar holds; 0 when the year is unpublished."""
        return self.revisions.get(year, 0)

    def is_working_day(self, d: date) -> bool:
        """Return True if ``d`` is a working day (Mon-Fri fallback for unpublished years)."""
        if d in self.makeup_workdays:
            return True
        if d in self.holidays:
            return False
        return d.weekday() < 5

    def add_working_days(self, d: date, n: int) -> date:
        """Return the n-th working day strictly after ``d`` (``d`` itself when n == 0)."""
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        day = d
        remaining = n
        while remaining > 0:
            day += _ONE_DAY
            if self.is_working_day(day):
                remaining -= 1
        return day

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after ``d``."""
        return self.add_working_days(d, 1)

    def working_days_between(self, start: date, end: date) -> int:
        """Return the number of working days in (start, end]; 0 when end <= start."""
        count = 0
        day = start + _ONE_DAY
        while day <= end:
            if self.is_working_day(day):
                count += 1
            day += _ONE_DAY
        return count


_OFFICIAL = WorkingCalendar(
    holidays_cn.holiday_dates(),
    holidays_cn.makeup_workdays(),
    holidays_cn.PUBLISHED_YEARS,
)


@dataclass(frozen=True)
class SlaDeadlines:
    """Reminder, due and escalation instants of a working-day SLA (UTC, timezone-aware)."""

    remind_at: datetime
    due_at: datetime
    escalate_at: datetime


def _require_aware(start: datetime) -> None:
    """Raise ValueError unless ``start`` is timezone-aware."""
    if start.tzinfo is None or start.utcoffset() is None:
        raise ValueError("start must be a timezone-aware datetime")


def _end_of_day_utc(d: date) -> datetime:
    """Return 24:00 city time of ``d`` (00:00 of the next day) as a UTC datetime."""
    return datetime.combine(d + _ONE_DAY, time(0), tzinfo=CITY_TZ).astimezone(UTC)


def sla_deadlines(
    start: datetime,
    working_days: int,
    *,
    remind_before: int = 1,
    escalate_after: int = 1,
    calendar: WorkingCalendar | None = None,
) -> SlaDeadlines:
    """Compute remind/due/escalate instants of a ``working_days`` period starting at ``start``.

    Rule: convert ``start`` to city time (Asia/Shanghai) and take its date D;
    the period begins the day after D (民法典 Art. 201). Let W(k) be the k-th
    working day after D and end(x) be 24:00 city time of day x (民法典 Art. 203).

    * ``due_at``      = end(W(working_days))
    * ``remind_at``   = end(W(working_days - remind_before)); if that index is
      <= 0, end(D) instead, but never earlier than ``start``
    * ``escalate_at`` = end(W(working_days + escalate_after))

    ``working_days``, ``remind_before`` and ``escalate_after`` must be >= 1, which
    guarantees remind_at < due_at < escalate_at. All results are UTC. Years
    without a published schedule use Mon-Fri: the count is provisional, and
    callers keep ``calendar.revision`` of every year in ``years_counted`` with
    it, so a later publication can count it again.
    """
    _require_aware(start)
    if working_days < 1:
        raise ValueError(f"working_days must be >= 1, got {working_days}")
    if remind_before < 1 or escalate_after < 1:
        raise ValueError("remind_before and escalate_after must be >= 1")
    cal = calendar if calendar is not None else WorkingCalendar.official()
    start_utc = start.astimezone(UTC)
    start_day = start.astimezone(CITY_TZ).date()

    due_at = _end_of_day_utc(cal.add_working_days(start_day, working_days))
    escalate_at = _end_of_day_utc(cal.add_working_days(start_day, working_days + escalate_after))

    remind_index = working_days - remind_before
    if remind_index > 0:
        remind_at = _end_of_day_utc(cal.add_working_days(start_day, remind_index))
    else:
        # Too short a period for a lead-time reminder: remind at the end of the
        # start day. end(D) is always after start; max() keeps the invariant explicit.
        remind_at = max(_end_of_day_utc(start_day), start_utc)
    return SlaDeadlines(remind_at=remind_at, due_at=due_at, escalate_at=escalate_at)


def years_counted(start: datetime, deadlines: SlaDeadlines) -> list[int]:
    """The years whose days a working-day count from ``start`` looked at: from the day after the
    start day (民法典 Art. 201) to the escalation day, the last one counted."""
    _require_aware(start)
    first = start.astimezone(CITY_TZ).date() + _ONE_DAY
    last = last_day(deadlines.escalate_at)
    return list(range(first.year, max(first.year, last.year) + 1))


def last_day(end: datetime) -> date:
    """The city day a deadline belongs to: 24:00 ends the day before it (民法典 Art. 203 para. 2)."""
    return (end.astimezone(CITY_TZ) - timedelta(microseconds=1)).date()


def party_deadline(end: datetime, *, calendar: WorkingCalendar | None = None) -> datetime:
    """When a deadline a party must meet really ends: off a rest day, at 24:00 of the next working day.

    民法典 Art. 203 para. 1: when the last day of a period is a 法定休假日, the day after the rest
    ends is the last day; para. 2: the last day ends at 24:00. ``end`` is the period's end as the
    period was counted (24:00 city time of its last day, or an instant within it); its last day is
    the city day before that 24:00. A rest day is any day the official calendar does not work: the
    statutory holidays and the weekly rest days (国务院《关于职工工作时间的规定》 Art. 7), but not a
    调休 Saturday or Sunday, which is a working day. A last day that is a working day keeps ``end``
    as it is. On a year nobody has published the weekend alone is known: the result is provisional
    (``calendar.revision`` of its year is 0), so count it in an activity and keep that flag with it.
    """
    _require_aware(end)
    cal = calendar if calendar is not None else WorkingCalendar.official()
    last = last_day(end)
    if cal.is_working_day(last):
        return end
    return _end_of_day_utc(cal.next_working_day(last))


def calendar_deadline(start: datetime, days: int) -> datetime:
    """Return 24:00 city time of the ``days``-th calendar day after the start date, in UTC."""
    # Note: 民法典 Art. 203 para. 1 moves a period whose last day is a statutory
    # rest day to the day after the rest ends; this function deliberately does
    # not apply that rollover (plain 日 arithmetic), callers must decide.
    _require_aware(start)
    if days < 0:
        raise ValueError(f"days must be >= 0, got {days}")
    start_day = start.astimezone(CITY_TZ).date()
    return _end_of_day_utc(start_day + timedelta(days=days))


def counts_in_days(period: timedelta) -> bool:
    """Whether a period is counted in calendar days (日): whole days; the local demo's minutes are not."""
    return period >= _ONE_DAY and period % _ONE_DAY == timedelta(0)


def period_end(start: datetime, period: timedelta) -> datetime:
    """When a calendar-day period (日) that starts at ``start`` ends: the one rule every process uses.

    N whole days start the day after the trigger and end at 24:00 city time of the N-th day
    (民法典 Arts. 201, 203); a shorter period (the local demo's minutes) is added as it is.
    """
    if counts_in_days(period):
        return calendar_deadline(start, period.days)
    return start + period
