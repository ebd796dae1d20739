"""On the full dev server (schedules): the daily check runs every day of November and December at 09:00 city time."""

from __future__ import annotations

import itertools
import uuid

from temporalio.client import ScheduleActionStartWorkflow
from temporalio.testing import WorkflowEnvironment

from domain.calendar import CITY_TZ
from workflows.holiday_calendar import SCHEDULE_ID, ensure_calendar_schedule


async def test_the_daily_check_is_scheduled_once_from_1_november(dev_env: WorkflowEnvironment) -> None:
    queue = f"dev-{uuid.uuid4().hex[:6]}"
    assert await ensure_calendar_schedule(dev_env.client, queue) is True
    assert await ensure_calendar_schedule(dev_env.client, queue) is False
    handle = dev_env.client.get_schedule_handle(SCHEDULE_ID)
    described = await handle.describe()
    spec = described.schedule.spec
    assert spec.time_zone_name == "Asia/Shanghai"
    [calendar] = spec.calendars
    assert [(r.start, r.end) for r in calendar.month] == [(11, 12)] and [r.start for r in calendar.hour] == [9]
    upcoming = [t.astimezone(CITY_TZ) for t in described.info.next_action_times]
    assert upcoming and all(t.month in (11, 12) and (t.hour, t.minute) == (9, 0) for t in upcoming)
    days = sorted({t.date() for t in upcoming})
    assert all((b - a).days == 1 for a, b in itertools.pairwise(days) if a.month == b.month)  # every day
    await handle.delete()


async def test_a_worker_started_with_another_task_queue_moves_the_running_schedule_to_it(dev_env: WorkflowEnvironment) -> None:
    """The schedule is the code's: a new worker's definition replaces the one a former worker created."""
    old, new = (f"dev-{uuid.uuid4().hex[:6]}" for _ in range(2))
    handle = dev_env.client.get_schedule_handle(SCHEDULE_ID)
    try:
        assert await ensure_calendar_schedule(dev_env.client, old) is True
        assert await ensure_calendar_schedule(dev_env.client, new) is False
        action = (await handle.describe()).schedule.action
        assert isinstance(action, ScheduleActionStartWorkflow) and action.task_queue == new
    finally:
        await handle.delete()
