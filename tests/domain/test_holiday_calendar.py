"""A published year's checks, the calendar built from the published years, and a task's deadlines counted again."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from domain.access import Role, Scope
from domain.calendar import CITY_TZ
from domain.holiday_calendar import CalendarYear, CalendarYearWrite, check_calendar_year, same_content, working_calendar
from domain.tasks import Card, HumanTask, WorkingDayPeriod, recount_deadlines


def write_2027(**changes: object) -> CalendarYearWrite:
    body = {
        "notice": "测试用通知",
        "holidays": [{"name": "元旦", "first": "2027-01-01", "last": "2027-01-03"},
                     {"name": "春节", "first": "2027-02-05", "last": "2027-02-12"}],
        "makeup_workdays": ["2027-02-20"],
        **changes,
    }
    return CalendarYearWrite.model_validate(body)


def test_a_valid_year_has_no_errors() -> None:
    assert check_calendar_year(2027, write_2027()) == []


@pytest.mark.parametrize(("changes", "loc", "kind"), [
    ({"notice": "  "}, ["notice"], "missing"),
    # Dates inside the year: the first day before it, the last day after it.
    ({"holidays": [{"name": "元旦", "first": "2026-12-31", "last": "2027-01-01"}]}, ["holidays", "0", "first"], "value_error"),
    ({"holidays": [{"name": "元旦", "first": "2027-12-31", "last": "2028-01-01"}]}, ["holidays", "0", "last"], "value_error"),
    ({"makeup_workdays": ["2026-12-26"]}, ["makeup_workdays", "0"], "value_error"),
    # No day both off and worked.
    ({"makeup_workdays": ["2027-01-02"]}, ["makeup_workdays", "0"], "value_error"),
    # A range ending before it starts; a weekday listed as a 调休 working day.
    ({"holidays": [{"name": "元旦", "first": "2027-01-03", "last": "2027-01-01"}]}, ["holidays", "0", "last"], "value_error"),
    ({"makeup_workdays": ["2027-02-19"]}, ["makeup_workdays", "0"], "value_error"),
])
def test_invalid_years_name_the_field(changes: dict[str, object], loc: list[str], kind: str) -> None:
    errors = check_calendar_year(2027, write_2027(**changes))
    assert [(e["loc"], e["type"]) for e in errors] == [(loc, kind)]
    assert all(e["msg"] for e in errors)


def test_the_boundary_days_of_the_year_are_inside_it() -> None:
    body = write_2027(holidays=[{"name": "元旦", "first": "2027-01-01", "last": "2027-01-01"},
                                {"name": "测试", "first": "2027-12-31", "last": "2027-12-31"}])
    assert check_calendar_year(2027, body) == []
    assert check_calendar_year(2028, body) != []


def test_the_calendar_of_published_years_keeps_their_revisions() -> None:
    year = CalendarYear(year=2027, revision=3, published_at=datetime(2026, 11, 5, tzinfo=UTC), published_by="admin",
                        **write_2027().model_dump())
    cal = working_calendar([year])
    assert cal.revision(2027) == 3 and cal.revision(2028) == 0
    assert not cal.is_working_day(date(2027, 1, 1)) and cal.is_working_day(date(2027, 2, 20))
    assert cal.is_published(2027) and not cal.is_published(2026)


def test_a_repeated_publication_is_the_same_content() -> None:
    assert same_content(write_2027(), write_2027(makeup_workdays=["2027-02-20", "2027-02-20"]))
    assert not same_content(write_2027(), write_2027(notice="另一文号"))


# --- counting a task's deadlines again -------------------------------------------------------


def city(y: int, m: int, d: int, h: int = 0) -> datetime:
    return datetime(y, m, d, h, tzinfo=CITY_TZ)


def provisional_task() -> HumanTask:
    """Opened Mon Dec 28 2026 for 5 working days, counted Monday to Friday over an unpublished 2027."""
    return HumanTask(
        id="t1", step="handling", step_label="办理", candidate_roles=[Role.PROPERTY_COMPANY], scope=Scope(), decisions=["answer"],
        created_at=city(2026, 12, 28, 10), remind_at=city(2027, 1, 2), due_at=city(2027, 1, 5), escalate_at=city(2027, 1, 6),
        escalate_to=[Role.STREET_OFFICE],
        sla=WorkingDayPeriod(start=city(2026, 12, 28, 10), working_days=5, calendar={2026: 1, 2027: 0}),
    )


def test_a_provisional_task_round_trips_through_json() -> None:
    task = provisional_task()
    assert not task.calendar_published and task.sla is not None and task.sla.provisional_years == [2027]
    again = HumanTask.model_validate_json(task.model_dump_json())
    assert again.sla == task.sla and not again.calendar_published
    assert task.sla.counts_on(2027, 1) and not task.sla.counts_on(2026, 1) and not task.sla.counts_on(2028, 1)


def test_counting_again_moves_the_deadline_and_marks_it_published() -> None:
    task = provisional_task()
    data = recount_deadlines(task, remind_at=city(2027, 1, 5), due_at=city(2027, 1, 6), escalate_at=city(2027, 1, 7),
                             calendar={2026: 1, 2027: 1}, now=city(2026, 12, 30))
    assert data is not None
    assert task.due_at == city(2027, 1, 6) and task.calendar_published
    assert data["due_at_before"] == city(2027, 1, 5).isoformat() and data["due_at"] == city(2027, 1, 6).isoformat()
    assert data["calendar_published"] is True and data["was_provisional"] is True and "cards_withdrawn" not in data
    # The same count again changes nothing and says nothing.
    assert recount_deadlines(task, remind_at=city(2027, 1, 5), due_at=city(2027, 1, 6), escalate_at=city(2027, 1, 7),
                             calendar={2026: 1, 2027: 1}, now=city(2026, 12, 30)) is None


def test_a_card_for_a_moment_that_has_not_come_yet_is_withdrawn() -> None:
    task = provisional_task()
    now = city(2027, 1, 5, 9)  # the provisional deadline has passed: yellow and red cards are shown
    task.reminded_at, task.overdue_at = city(2027, 1, 2), city(2027, 1, 5)
    assert task.card == Card.RED
    data = recount_deadlines(task, remind_at=city(2027, 1, 5), due_at=city(2027, 1, 6), escalate_at=city(2027, 1, 7),
                             calendar={2026: 1, 2027: 1}, now=now)
    assert data is not None and data["cards_withdrawn"] == ["overdue"]
    assert task.card == Card.YELLOW  # the reminder's moment (24:00 of Jan 4) has passed, the deadline's not
    # One microsecond before the recounted deadline the red card stays withdrawn; at it, the case fires it as usual.
    assert task.due_at is not None and now < task.due_at - timedelta(microseconds=1)
