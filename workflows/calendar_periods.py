"""Calendar-day periods (日) inside a workflow: when they end, and how a task carries one.

A period of N days ends at 24:00 city time of its N-th day, counted from the day after it starts
(民法典 Arts. 201, 203; ``domain.calendar.period_end``). Cases recorded before that rule came in
counted exact durations (start + N × 24 h); their timers and the branches those timers decide are
in their histories, so they keep that count behind ``workflow.patched(STATUTE_PERIODS)``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.cases import CaseActivities, PartyDeadline, PartyDeadlineRequest
    from domain.access import Role
    from domain.calendar import counts_in_days, period_end
    from domain.tasks import HumanTask

# The party_deadline local activity reads the published holiday calendar, once per deadline.
PARTY_DEADLINE_TIMEOUT = timedelta(seconds=30)

# Patch id: calendar-day periods end at 24:00 of their last day instead of N × 24 h after the start.
# Used by the fund's public notice, the tender's publicity, objection answers and contract, and the
# handover's exit deadline; one id, so a case takes the change as a whole.
STATUTE_PERIODS = "statute-calendar-periods"
# Patch id: a calendar-day deadline a party must meet (the tender's objection answers and contract) ends,
# when its last day is a rest day, at 24:00 of the next working day (民法典 Art. 203 para. 1).
PARTY_DEADLINES = "party-deadlines-off-rest-days"
# Patch id: a working-day task that a deadline's passing opens (a takeover, a supervision order) counts from
# that deadline's day, which its 24:00 ends (民法典 Arts. 201, 203); before, from the day after, one day more.
COUNT_FROM_DEADLINE_DAY = "count-from-the-deadline-day"


def statute_period_end(start: datetime, period: timedelta) -> datetime:
    """When a calendar-day period that starts at ``start`` ends, as this case counts it.

    Call it from the workflow's own code (not a validator or a query): the first call records the
    patch marker, and every later call in the run gives the same answer.
    """
    if workflow.patched(STATUTE_PERIODS):
        return period_end(start, period)
    return start + period


def after_deadline(deadline: datetime) -> datetime | None:
    """Where the working days of a task opened because ``deadline`` passed count from, as this case counts them:
    the instant before it, on the day it ends (None: from now, as cases recorded before the change counted)."""
    if workflow.patched(COUNT_FROM_DEADLINE_DAY):
        return deadline - timedelta(microseconds=1)
    return None


async def party_end(end: datetime) -> PartyDeadline:
    """A deadline a party must meet, counted to 24:00 of its last day, moved off a rest day to 24:00 of the
    next working day (民法典 Art. 203 para. 1) on the published holiday calendar, in a local activity so a
    later publication never changes a replay; ``calendar_published`` says whether the count is final."""
    return await workflow.execute_local_activity_method(
        CaseActivities.party_deadline, PartyDeadlineRequest(end=end), start_to_close_timeout=PARTY_DEADLINE_TIMEOUT,
    )


async def statute_party_deadline(start: datetime, period: timedelta) -> datetime:
    """When a calendar-day period a party must act within ends, as this case counts it: ``statute_period_end``,
    then moved off a rest day (``party_end``). The local demo's minutes are never moved."""
    end = statute_period_end(start, period)
    if counts_in_days(period) and workflow.patched(PARTY_DEADLINES):
        end = (await party_end(end)).end
    return end


def calendar_sla(task: HumanTask, due: datetime, remind_before: timedelta, escalate_to: list[Role] | None = None) -> None:
    """A calendar-day (日) deadline on a task: yellow before, red at it, escalation at it if given."""
    task.due_at = due
    task.remind_at = due - remind_before
    if escalate_to:
        task.escalate_to = list(escalate_to)
        task.escalate_at = due
