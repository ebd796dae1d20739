"""Ticket rules: the return window, no second return, extensions, re-assignment, deadlines on the calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from activities.cases import CaseActivities, SlaRequest
from domain.calendar import CITY_TZ, WorkingCalendar, sla_deadlines
from domain.routing import Unit, UnitKind
from domain.rules import TICKET
from domain.tasks import DecisionRefused, RefusalKind
from domain.ticket import AssignData, ExtensionData, check_assignment, check_extension, check_return_window, credit_company
from tests.fixture_types import Sessions


def city(y: int, m: int, d: int, h: int = 0) -> datetime:
    return datetime(y, m, d, h, tzinfo=CITY_TZ)


def test_a_return_inside_the_window_is_allowed_and_after_it_refused() -> None:
    end = city(2026, 3, 4)
    check_return_window(city(2026, 3, 3, 23), end, returnable=True)
    with pytest.raises(DecisionRefused) as exc:
        check_return_window(end, end, returnable=True)
    assert exc.value.kind == RefusalKind.INVALID


def test_a_reassigned_ticket_cannot_be_returned_even_inside_the_window() -> None:
    with pytest.raises(DecisionRefused, match=r"Art\. 22"):
        check_return_window(city(2026, 3, 2), city(2026, 3, 4), returnable=False)


@pytest.mark.parametrize(("requested", "already", "ok"), [(10, 0, True), (11, 0, False), (3, 7, True), (4, 7, False), (0, 0, False)])
def test_extensions_add_up_to_ten_working_days(requested: int, already: int, ok: bool) -> None:
    if ok:
        check_extension(requested, already, TICKET)
    else:
        with pytest.raises(DecisionRefused):
            check_extension(requested, already, TICKET)


def test_the_extension_bound_is_the_cases_not_the_data_models() -> None:
    """A case started under 12 working days of extension may be granted 12; today's 10 do not bound it."""
    assert ExtensionData(working_days=12, reason="配件调货").working_days == 12
    check_extension(12, 0, TICKET.model_copy(update={"max_extension_working_days": 12}))
    with pytest.raises(DecisionRefused):
        check_extension(13, 0, TICKET.model_copy(update={"max_extension_working_days": 12}))


def test_reassignment_names_known_units_and_distinct_co_handlers() -> None:
    enforcement = Unit(kind=UnitKind.DEPARTMENT, id="dept-enforcement", name="行政执法局")
    police = Unit(kind=UnitKind.DEPARTMENT, id="dept-police", name="公安局")
    units = {u.id: u for u in (enforcement, police)}
    check_assignment(AssignData(lead_unit_id="dept-police"), units)
    # The centre may designate the unit that returned it (潍坊12345条例 Art. 22 para. 2: 直接指定).
    check_assignment(AssignData(lead_unit_id="dept-enforcement"), units)
    for bad in (
        AssignData(lead_unit_id="dept-nope"),
        AssignData(lead_unit_id="dept-police", co_unit_ids=["dept-police"]),
        AssignData(lead_unit_id="dept-police", co_unit_ids=["dept-enforcement", "dept-enforcement"]),
    ):
        with pytest.raises(DecisionRefused):
            check_assignment(bad, units)


def test_only_a_company_unit_gets_credit_records() -> None:
    assert credit_company(Unit(kind=UnitKind.COMPANY, id="co-1", name="x")) == "co-1"
    assert credit_company(Unit(kind=UnitKind.DEPARTMENT, id="dept-police", name="x")) is None


# A test calendar: Wed 2026-04-01 is a public holiday and Sat 2026-04-04 a 调休 working day.
CAL = WorkingCalendar(holidays=[date(2026, 4, 1)], makeup_workdays=[date(2026, 4, 4)])


def test_handling_deadline_skips_the_holiday_and_counts_the_makeup_saturday() -> None:
    # Accepted Mon 03-30: working days Tue 31, (Wed 01 holiday), Thu 02, Fri 03, Sat 04 (调休), (Sun 05), Mon 06.
    d = sla_deadlines(city(2026, 3, 30, 10), TICKET.handling_working_days, remind_before=TICKET.yellow_card_before_working_days, calendar=CAL)
    assert d.due_at == city(2026, 4, 7).astimezone(UTC)  # 24:00 of Mon 04-06: the red card comes on the first overdue day
    assert d.remind_at == city(2026, 4, 5).astimezone(UTC)  # yellow at 24:00 of Sat 04-04, one working day before
    plain = sla_deadlines(city(2026, 3, 30, 10), TICKET.handling_working_days, calendar=WorkingCalendar())
    assert plain.due_at == city(2026, 4, 7).astimezone(UTC)  # the holiday and the Saturday cancel out
    short = sla_deadlines(city(2026, 3, 31, 10), TICKET.return_window_working_days, calendar=CAL)
    assert short.due_at == city(2026, 4, 4).astimezone(UTC)  # return window: Thu 02, Fri 03


def test_handling_across_national_day_on_the_official_calendar() -> None:
    # Accepted Tue 2026-09-29: Wed 30, then 10-01..10-07 off, Thu 08, Fri 09, Sat 10 (调休), Mon 12.
    d = sla_deadlines(city(2026, 9, 29, 9), TICKET.handling_working_days, calendar=WorkingCalendar.official())
    assert d.due_at == city(2026, 10, 13).astimezone(UTC)
    assert d.remind_at == city(2026, 10, 11).astimezone(UTC)


# National Day 2026 on the official calendar (国办发明电〔2025〕7号): Sep 25–27 and Oct 1–7 off,
# Sun Sep 20 and Sat Oct 10 are 调休 working days. Expected dates are counted by hand (民法典 Arts. 201, 203).
@pytest.mark.parametrize(("accepted", "yellow", "due"), [
    # Fri 18: Sun 20 (调休), Mon 21, Tue 22, Wed 23 → yellow at the end of Wed 23; Thu 24 → due at its end.
    (city(2026, 9, 18, 10), city(2026, 9, 24), city(2026, 9, 25)),
    # Tue 22: Wed 23, Thu 24, (Fri 25–Sun 27 holiday), Mon 28, Tue 29 → yellow; Wed 30 → due.
    (city(2026, 9, 22, 15), city(2026, 9, 30), city(2026, 10, 1)),
    # Thu 24: (25–27 off) Mon 28, Tue 29, Wed 30, (Oct 1–7 off), Thu Oct 8 → yellow; Fri Oct 9 → due.
    (city(2026, 9, 24, 9), city(2026, 10, 9), city(2026, 10, 10)),
    # Fri Oct 9: Sat 10 (调休), (Sun 11), Mon 12, Tue 13, Wed 14 → yellow; Thu 15 → due.
    (city(2026, 10, 9, 10), city(2026, 10, 15), city(2026, 10, 16)),
])
async def test_ticket_handling_deadline_across_national_day_2026(accepted: datetime, yellow: datetime, due: datetime, sessions: Sessions) -> None:
    # The very activity the ticket workflow calls for its handling task (workflows.ticket_deadlines.open_handling), on the published years.
    times = await CaseActivities(sessions).compute_sla(
        SlaRequest(start=accepted, working_days=TICKET.handling_working_days, remind_before=TICKET.yellow_card_before_working_days),
    )
    assert times.calendar_published
    assert times.remind_at == yellow.astimezone(UTC)
    assert times.due_at == due.astimezone(UTC)
