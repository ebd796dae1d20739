"""The Temporal Schedules the worker keeps: created once, and brought in line with the code at every worker start.

A schedule's definition (its calendar, its rules, its task queue) is the code's; a worker started
with new code or settings updates the running schedule instead of leaving the old one firing.
"""

from __future__ import annotations

from temporalio.client import Client, Schedule, ScheduleAlreadyRunningError, ScheduleUpdate, ScheduleUpdateInput


async def ensure_schedule(client: Client, schedule_id: str, schedule: Schedule) -> bool:
    """Create the schedule, or update the existing one to ``schedule``; True when it was created."""
    try:
        await client.create_schedule(schedule_id, schedule)
    except ScheduleAlreadyRunningError:
        def update(_: ScheduleUpdateInput) -> ScheduleUpdate:
            return ScheduleUpdate(schedule=schedule)

        await client.get_schedule_handle(schedule_id).update(update)
        return False
    return True
