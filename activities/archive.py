"""The periodic sweep that archives every closed history the close-time path missed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import structlog
from pydantic import BaseModel
from temporalio import activity
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from core.history_archive import NOT_ARCHIVED_TYPES, HistoryArchive, NotClosed, NotHeld
from db.repositories import archive as archive_repo

log = structlog.get_logger("archive")


class SweepRequest(BaseModel):
    """Archive every closed run Temporal still holds that the archive lacks, closed within ``lookback_days``."""

    lookback_days: int = 30
    page: int = 200


class SweepResult(BaseModel):
    examined: int = 0
    archived: int = 0
    still_open: int = 0
    # Closed cases whose history Temporal no longer holds: archiving came too late (logged). The
    # first ones by name, all of them by count (the result is kept in the sweep's history).
    unavailable: list[str] = []
    unavailable_count: int = 0
    # Runs whose archiving failed for another reason (logged); the next sweep tries them again.
    failed: int = 0
    # False where the server has no visibility listing (the time-skipping test server): only the
    # cases table was swept, not the helper workflows.
    visibility: bool = True


class _Progress(BaseModel):
    """Heartbeat details: a retried sweep goes on after the last case it had finished."""

    after_closed_at: datetime | None = None
    after_id: str | None = None
    result: SweepResult = SweepResult()


class ArchiveActivities:
    """Built once by the worker with the archive (database sessions and object store)."""

    def __init__(self, archive: HistoryArchive) -> None:
        self._archive = archive

    @activity.defn(name="sweep_history_archive")
    async def sweep(self, request: SweepRequest) -> SweepResult:
        """Archive closed cases and closed helper workflows that are not archived yet."""
        details = activity.info().heartbeat_details
        progress = _Progress.model_validate(details[0]) if details else _Progress()
        result = progress.result
        since = datetime.now(UTC) - timedelta(days=request.lookback_days)
        client = activity.client()
        # 1. The cases table: every case that closed and has no archived run. It works on any
        #    server, and a case whose history is gone is passed over, not retried forever here.
        while True:
            async with self._archive.sessions() as session:
                page = await archive_repo.closed_cases_after(
                    session, closed_since=since, after=_cursor(progress), limit=request.page,
                )
            if not page:
                break
            for case_id, closed_at in page:
                await self._one(client, case_id, None, result)
                progress.after_closed_at, progress.after_id = closed_at, case_id
                activity.heartbeat(progress.model_dump(mode="json"))
        # 2. Temporal's visibility: every closed run, helper workflows and continued runs included.
        try:
            runs = [(wf.id, wf.run_id, wf.workflow_type) async for wf in client.list_workflows(
                f"ExecutionStatus != 'Running' AND CloseTime > '{since.isoformat()}'", page_size=1000,
            )]
        except RPCError as exc:
            if exc.status != RPCStatusCode.UNIMPLEMENTED:
                raise
            result.visibility = False
            runs = []
        wanted = [(w, r) for w, r, t in runs if t not in NOT_ARCHIVED_TYPES]
        async with self._archive.sessions() as session:
            archived = await archive_repo.archived_runs(session, wanted)
        for workflow_id, run_id in wanted:
            if (workflow_id, run_id) not in archived:
                await self._one(client, workflow_id, run_id, result)
                activity.heartbeat(progress.model_dump(mode="json"))
        if result.unavailable_count:
            log.warning("closed cases no longer held by Temporal were never archived", cases=result.unavailable[:20],
                        count=result.unavailable_count)
        return result

    async def _one(self, client: Client, workflow_id: str, run_id: str | None, result: SweepResult) -> None:
        result.examined += 1
        try:
            done = await self._archive.archive_run(client, workflow_id, run_id)
        except NotClosed:
            result.still_open += 1  # a case closing right now: its close-time archiving has it
            return
        except NotHeld:
            result.unavailable_count += 1
            if len(result.unavailable) < 50:
                result.unavailable.append(workflow_id)
            return
        except Exception as exc:  # one run that cannot be archived must not hold up the others
            result.failed += 1
            log.error("archiving a run failed", workflow_id=workflow_id, run_id=run_id, error=f"{type(exc).__name__}: {exc}")
            return
        if done.new:
            result.archived += 1


def _cursor(progress: _Progress) -> tuple[datetime, str] | None:
    if progress.after_closed_at is None or progress.after_id is None:
        return None
    return progress.after_closed_at, progress.after_id
