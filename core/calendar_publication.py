"""Publishing a year of the holiday calendar: the one path of ``PUT /calendar/{year}`` and the import command.

1. ``store_year``: check the year (``domain.holiday_calendar.check_calendar_year``), store it as a
   new revision and chain the publication into the audit log, in the caller's transaction (the
   same content again is no new revision: a retried publication changes nothing);
2. once that has committed, ``start_recount``: the recount of the running cases
   (``CalendarRecountWorkflow``, one per revision).

New deadlines count on the year as soon as step 1 commits. If Temporal cannot be reached at step
2, the year stays published and the same publication again starts the recount.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import Client
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from db.repositories import holiday_calendar as calendar_repo
from domain.access import Actor
from domain.holiday_calendar import CalendarYear, CalendarYearWrite, check_calendar_year
from workflows.holiday_calendar import CalendarRecountWorkflow, recount_workflow_id


class CalendarRejected(ValueError):
    """The year's data is not valid; ``errors`` names each field (``loc`` inside the body)."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__("; ".join(f"{'.'.join(e['loc'])}: {e['msg']}" for e in errors))
        self.errors = errors


async def store_year(
    session: AsyncSession, year: int, body: CalendarYearWrite, *, actor: Actor, at: datetime, source: str,
) -> tuple[CalendarYear, bool]:
    """Check and store the year, with its audit entry, in the session's transaction (the caller commits)."""
    errors = check_calendar_year(year, body)
    if errors:
        raise CalendarRejected(errors)
    return await calendar_repo.publish(session, year, body, actor=actor, at=at, source=source)


async def start_recount(client: Client, task_queue: str, published: CalendarYear) -> str:
    """Start the recount of the running cases for this revision (once: a second start finds it started)."""
    publication = published.publication()
    workflow_id = recount_workflow_id(publication)
    with suppress(WorkflowAlreadyStartedError):
        await client.start_workflow(
            CalendarRecountWorkflow.run, publication, id=workflow_id, task_queue=task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
        )
    return workflow_id
