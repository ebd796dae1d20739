"""节假日安排发布 as a registered process: the administrator's reminder, the daily check, the recount, the /calendar routes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from activities.holiday_calendar import HolidayCalendarActivities
from core.registry import ProcessSpec, SessionFactory
from domain.holiday_calendar import PROCESS_KIND, PROCESS_LABEL, STEP_LABELS, CalendarReminderFacts, Step
from domain.rules import CALENDAR
from workflows.holiday_calendar import CalendarRecountWorkflow, HolidayCalendarCheckWorkflow, HolidayCalendarReminderWorkflow


def activities(sessions: SessionFactory) -> Sequence[Callable[..., Any]]:
    calendar = HolidayCalendarActivities(sessions)
    return [calendar.published_year, calendar.recount_running_cases]


# No start input: the daily check starts the reminder, never the API. Its one task has no
# decisions: it closes when the year is published (PUT /calendar/{year}).
SPEC = ProcessSpec(
    kind=PROCESS_KIND, label=PROCESS_LABEL, workflow=HolidayCalendarReminderWorkflow,
    first_step=Step.AWAITING_PUBLICATION, step_labels=STEP_LABELS, step_decisions={},
    facts_model=CalendarReminderFacts, rules=CALENDAR, activities=activities,
    helper_workflows=(HolidayCalendarCheckWorkflow, CalendarRecountWorkflow), router="api.routes.calendar:router",
)
