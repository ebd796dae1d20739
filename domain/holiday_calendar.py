"""The holiday calendar as the city publishes it: one year of the State Council's notice per entry.

Every year the General Office of the State Council publishes 国务院办公厅关于YYYY年部分节假日安排的通知
(usually between late October and mid November): the days off of each festival and the weekend
days worked instead (调休上班). The city's administrator publishes that year here, with the notice's
reference; working-day deadlines are counted on the published years, and a year nobody has
published yet is counted Monday to Friday and marked provisional wherever a deadline used it.
Publishing a year again (a correction) makes a new revision; the revision a deadline was counted
on tells a running case whether to count it again.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from domain.calendar import CITY_TZ, WorkingCalendar
from domain.rules import CalendarRules


class HolidayRange(BaseModel):
    """The days off of one festival, first and last day included (e.g. 元旦 1月1日至3日)."""

    name: str = Field(min_length=1, max_length=20, examples=["元旦"])
    first: date
    last: date

    def days(self) -> Iterator[date]:
        day = self.first
        while day <= self.last:
            yield day
            day += timedelta(days=1)


class CalendarYearWrite(BaseModel):
    """One year as its notice sets it: the notice's reference, the days off and the 调休 working days."""

    notice: str = Field(max_length=200, description="the notice's reference (文号), e.g. 国办发明电〔2025〕7号",
                        examples=["国办发明电〔2025〕7号"])
    holidays: list[HolidayRange] = Field(min_length=1, max_length=30)
    makeup_workdays: list[date] = Field(default_factory=list, max_length=30, description="weekend days worked (调休上班日)")

    def holiday_dates(self) -> set[date]:
        return {d for r in self.holidays for d in r.days()}


class CalendarYear(CalendarYearWrite):
    """A published year: what was published, its revision, when and by whom."""

    year: int
    revision: int
    published_at: datetime
    published_by: str
    published_by_name: str | None = None

    def publication(self) -> CalendarPublication:
        return CalendarPublication(year=self.year, revision=self.revision, notice=self.notice)


class CalendarPublication(BaseModel):
    """What a running case is told when a year is published: enough to count again and to say why."""

    year: int
    revision: int
    notice: str


def check_calendar_year(year: int, body: CalendarYearWrite) -> list[dict[str, Any]]:
    """The problems of a year's data, each as ``{"loc", "msg", "type"}`` (``loc`` inside the body); none: valid.

    The notice's reference is required (an auditor traces every day off to it), every date lies
    inside ``year``, no day is both off and worked, a range does not end before it starts, and a
    调休 working day is a Saturday or Sunday (a weekday is a working day anyway: listing one is a typo).
    """
    errors: list[dict[str, Any]] = []

    def error(loc: list[str | int], msg: str, kind: str = "value_error") -> None:
        errors.append({"loc": [str(part) for part in loc], "msg": msg, "type": kind})

    if not body.notice.strip():
        error(["notice"], "须填写国务院办公厅通知的文号", "missing")
    for i, holiday in enumerate(body.holidays):
        if holiday.last < holiday.first:
            error(["holidays", i, "last"], "结束日期早于开始日期")
        for field in ("first", "last"):
            if getattr(holiday, field).year != year:
                error(["holidays", i, field], f"日期不在{year}年内")
    off = body.holiday_dates()
    for i, day in enumerate(body.makeup_workdays):
        if day.year != year:
            error(["makeup_workdays", i], f"日期不在{year}年内")
        if day in off:
            error(["makeup_workdays", i], f"{day.isoformat()}同时被列为放假日和调休上班日")
        elif day.weekday() < 5:
            error(["makeup_workdays", i], f"{day.isoformat()}不是周六或周日，无需列为调休上班日")
    return errors


def working_calendar(years: Iterable[CalendarYear]) -> WorkingCalendar:
    """The working-day calendar of the published years, each at its revision."""
    published = list(years)
    return WorkingCalendar(
        holidays=[d for y in published for d in y.holiday_dates()],
        makeup_workdays=[d for y in published for d in y.makeup_workdays],
        published_years=[y.year for y in published],
        revisions={y.year: y.revision for y in published},
    )


def same_content(a: CalendarYearWrite, b: CalendarYearWrite) -> bool:
    """Whether two publications of a year say the same (a repeated publication is not a new revision)."""
    def norm(w: CalendarYearWrite) -> tuple[Any, ...]:
        return (w.notice.strip(), [(h.name, h.first, h.last) for h in w.holidays], sorted(set(w.makeup_workdays)))
    return norm(a) == norm(b)


# The reminder raised while next year is unpublished: a small registered process whose one task
# sits in the administrator's inbox until the year is published.
PROCESS_KIND = "holiday-calendar"
PROCESS_LABEL = "节假日安排发布"


class Step(StrEnum):
    AWAITING_PUBLICATION = "awaiting_publication"
    PUBLISHED = "published"


STEP_LABELS: dict[str, str] = {Step.AWAITING_PUBLICATION: "待发布节假日安排", Step.PUBLISHED: "已发布"}


class CalendarReminderFacts(BaseModel):
    """The reminder case's facts: the year, and once published, the notice and revision that closed it."""

    year: int
    notice: str | None = None
    revision: int | None = None


def reminder_case_id(year: int) -> str:
    """The one reminder case of ``year`` (the daily check never raises a second)."""
    return f"{PROCESS_KIND}-{year}"


def reminder_note(year: int) -> str:
    """What the administrator's task asks for."""
    return (f"{year}年节假日安排尚未发布：请按国务院办公厅关于{year}年部分节假日安排的通知，"
            f"通过 PUT /calendar/{year} 或导入命令发布。未发布前，跨入{year}年的工作日期限按周一至周五暂计。")


def publish_by(year: int, rules: CalendarRules) -> datetime:
    """When the administrator's task to publish ``year`` falls due: 24:00 city time of the rules' day of the year before."""
    return datetime.combine(date(year - 1, rules.publish_by_month, rules.publish_by_day) + timedelta(days=1), time(0), tzinfo=CITY_TZ)
