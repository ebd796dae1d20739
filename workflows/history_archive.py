"""The history archive's durable sweep, run by a Temporal Schedule.

When a case's final state is projected, the worker archives its run as soon as it has closed
(``core.history_archive.ArchiveOnClose``). Whatever that misses — a worker that stopped or died
between the close and the archive, a workflow that closes without a final projection (the
committee term timers and their continued runs, the monthly reports, a terminated case) — the
sweep finds: a Temporal Schedule (``history-archive-sweep``, created at worker start like the
monthly report's) runs ``HistoryArchiveSweepWorkflow`` every ``archive_sweep_minutes``, which
archives every closed case and every closed run Temporal still lists that the archive lacks.
Both paths are idempotent, so they may meet on the same run.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleIntervalSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleSpec,
)
from temporalio.common import RetryPolicy

from core.schedules import ensure_schedule

with workflow.unsafe.imports_passed_through():
    from activities.archive import ArchiveActivities, SweepRequest, SweepResult
    from core.history_archive import SWEEP_WORKFLOW_TYPE
    from core.settings import Settings

SWEEP_SCHEDULE_ID = "history-archive-sweep"


@workflow.defn(name=SWEEP_WORKFLOW_TYPE)
class HistoryArchiveSweepWorkflow:
    """One sweep: archive every closed run within the lookback window that the archive lacks."""

    @workflow.run
    async def run(self, request: SweepRequest) -> SweepResult:
        # One activity with heartbeats: a retried attempt resumes after the last case it archived.
        return await workflow.execute_activity_method(
            ArchiveActivities.sweep, request,
            start_to_close_timeout=timedelta(hours=1), heartbeat_timeout=timedelta(minutes=2),
            retry_policy=RetryPolicy(maximum_interval=timedelta(minutes=1), maximum_attempts=5),
        )


def sweep_schedule(settings: Settings) -> Schedule:
    """Every ``archive_sweep_minutes``, looking back over the retention period (what Temporal still holds)."""
    return Schedule(
        action=ScheduleActionStartWorkflow(
            HistoryArchiveSweepWorkflow.run, SweepRequest(lookback_days=settings.temporal_retention_days),
            id=SWEEP_SCHEDULE_ID, task_queue=settings.task_queue,
        ),
        spec=ScheduleSpec(intervals=[ScheduleIntervalSpec(every=timedelta(minutes=settings.archive_sweep_minutes))]),
        # A sweep still running when the next is due makes the next one pointless.
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP),
    )


async def ensure_sweep_schedule(client: Client, settings: Settings) -> bool:
    """Create the sweep's schedule, or bring an existing one in line with the settings; True when created."""
    return await ensure_schedule(client, SWEEP_SCHEDULE_ID, sweep_schedule(settings))
