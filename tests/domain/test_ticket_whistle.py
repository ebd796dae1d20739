"""社区吹哨: a whistle's deadline, its climb to the street and the joint meeting, and its refusals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.access import Role
from domain.routing import Unit, UnitKind
from domain.rules import TICKET
from domain.tasks import DecisionRefused, RefusalKind
from domain.ticket import Step
from domain.ticket_state import TicketState
from domain.ticket_whistle import blow, check_whistle, escalate, next_deadline, settle

POLICE = Unit(kind=UnitKind.DEPARTMENT, id="dept-police", name="公安局")
STREET = Unit(kind=UnitKind.STREET, id="yidu", name="益都街道")
T0 = datetime(2026, 11, 2, 9, tzinfo=UTC)


def test_a_silent_department_lets_the_whistle_climb_to_the_joint_meeting() -> None:
    w = blow(POLICE, "堵门", "周物管员", T0, TICKET)
    assert w.deadline_at == T0 + timedelta(hours=24)
    assert not w.is_due(T0 + timedelta(hours=23, minutes=59)) and w.is_due(T0 + timedelta(hours=24))
    assert escalate(w, T0 + timedelta(hours=24), TICKET) == (Step.WHISTLE_STREET, Role.STREET_OFFICE)
    assert w.deadline_at == T0 + timedelta(hours=48)
    assert escalate(w, T0 + timedelta(hours=48), TICKET) == (Step.WHISTLE_JOINT_MEETING, Role.JOINT_MEETING)
    assert w.deadline_at is None and not w.is_due(T0 + timedelta(days=30))
    assert escalate(w, T0 + timedelta(days=3), TICKET)[1] == Role.JOINT_MEETING  # the top level stays the top


def test_a_report_settles_the_whistle_and_the_next_deadline_is_the_earliest_open() -> None:
    a, b = blow(POLICE, "a", "x", T0, TICKET), blow(POLICE, "b", "x", T0 + timedelta(hours=1), TICKET)
    assert next_deadline([a, b]) == a.deadline_at
    settle(a, "report", "已到场", "牛警官", T0 + timedelta(hours=2))
    assert not a.is_open and a.answered_by == "牛警官"
    assert next_deadline([a, b]) == b.deadline_at
    assert next_deadline([a]) is None


def test_a_whistle_names_a_known_department_not_already_summoned() -> None:
    check_whistle("dept-police", [POLICE, STREET], [])
    with pytest.raises(DecisionRefused) as exc:
        check_whistle("yidu", [POLICE, STREET], [])
    assert exc.value.kind == RefusalKind.INVALID
    with pytest.raises(DecisionRefused) as exc:
        check_whistle("dept-police", [POLICE], ["dept-police"])
    assert exc.value.kind == RefusalKind.CONFLICT


def test_the_state_lists_every_unit_and_lets_departments_and_companies_see_the_ticket() -> None:
    state = TicketState()
    company = Unit(kind=UnitKind.COMPANY, id="co-yuejia", name="悦家物业")
    state.assign(company, [STREET])
    state.assign(STREET, [])
    state.whistles.append(blow(POLICE, "r", "x", T0, TICKET))
    assert state.unit_ids() == ["co-yuejia", "yidu", "dept-police"]
    assert state.organisation_ids() == ["co-yuejia", "dept-police"]
