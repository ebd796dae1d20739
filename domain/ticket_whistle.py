"""社区吹哨、部门报到: the community summons a department; an unanswered whistle climbs.

The seed (三.1) gives the community the power to summon departments; the department reports within
the configured time (24 hours [C]), or the whistle goes to the street office and then to the city's
property-management joint meeting (联席会议, annex 1), each level acting on it in turn.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from pydantic import BaseModel, Field

from domain.access import Role
from domain.routing import Unit, UnitKind
from domain.rules import TICKET, TicketRules
from domain.tasks import DecisionRefused, RefusalKind
from domain.ticket import Step

# Who holds the whistle at each level: the department, then the street office, then the joint meeting.
LEVELS: list[tuple[Step, Role]] = [
    (Step.WHISTLE, Role.DEPARTMENT),
    (Step.WHISTLE_STREET, Role.STREET_OFFICE),
    (Step.WHISTLE_JOINT_MEETING, Role.JOINT_MEETING),
]


class Whistle(BaseModel):
    """One summons of a department, with the tasks opened for it as it escalated."""

    department_id: str
    department: str
    reason: str
    by: str
    at: datetime
    status: str = "open"  # open / report (the department reported) / coordinate (settled above it)
    level: int = 0
    deadline_at: datetime | None = None
    task_ids: list[str] = Field(default_factory=list)
    answer: str | None = None
    answered_by: str | None = None
    answered_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    def is_due(self, now: datetime) -> bool:
        return self.is_open and self.deadline_at is not None and now >= self.deadline_at


def blow(department: Unit, reason: str, by: str, now: datetime, rules: TicketRules = TICKET) -> Whistle:
    """A new whistle: the department must report within ``whistle_report_period``."""
    return Whistle(
        department_id=department.id, department=department.name, reason=reason, by=by, at=now,
        deadline_at=now + rules.whistle_report_period,
    )


def escalate(whistle: Whistle, now: datetime, rules: TicketRules = TICKET) -> tuple[Step, Role]:
    """Move an overdue whistle one level up; the joint meeting is the last level and has no deadline."""
    whistle.level = min(whistle.level + 1, len(LEVELS) - 1)
    last = whistle.level == len(LEVELS) - 1
    whistle.deadline_at = None if last else now + rules.whistle_street_period
    return LEVELS[whistle.level]


def settle(whistle: Whistle, outcome: str, answer: str | None, by: str, at: datetime) -> None:
    """The department reported, or a higher level settled it: the whistle closes."""
    whistle.status, whistle.answer, whistle.answered_by, whistle.answered_at, whistle.deadline_at = outcome, answer, by, at, None


def next_deadline(whistles: Iterable[Whistle]) -> datetime | None:
    return min((w.deadline_at for w in whistles if w.is_open and w.deadline_at is not None), default=None)


def check_whistle(department_id: str, units: Iterable[Unit], open_departments: Iterable[str]) -> None:
    """A whistle names a known department that is not already summoned and silent."""
    if not any(u.id == department_id and u.kind == UnitKind.DEPARTMENT for u in units):
        raise DecisionRefused(RefusalKind.INVALID, f"unknown department {department_id}")
    if department_id in set(open_departments):
        raise DecisionRefused(RefusalKind.CONFLICT, "this department has already been whistled and not yet reported")
