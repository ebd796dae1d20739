"""The auditors' consistency check of one case: its audit log and read model against its history.

The history is replayed with Temporal's ``Replayer`` (the current workflow code, as the replay
check does) under an interceptor that keeps the input of every ``project_case`` the workflow
makes; the first N of them, N being the projections whose results the history recorded, are what
the history's completed workflow tasks projected. ``domain.consistency`` compares them, and the
updates the history accepted, with the database. Used by ``GET /audit/cases/{id}/consistency``
and ``wuyeflow-audit consistency``.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client, WorkflowHistory
from temporalio.worker import (
    Interceptor,
    Replayer,
    StartLocalActivityInput,
    WorkflowInboundInterceptor,
    WorkflowInterceptorClassInput,
    WorkflowOutboundInterceptor,
)
from temporalio.workflow import ActivityHandle

from core.temporal import DATA_CONVERTER
from db.repositories import audit as audit_repo
from db.repositories import cases as cases_repo
from domain.cases import Projection
from domain.consistency import AcceptedUpdate, Issue, compare_entries, compare_snapshot, counts
from domain.projection import ProjectionAnchor

PROJECT_CASE = "project_case"
SETTLE_ATTEMPTS = 3  # a running case may be between a projection and its task's completion


class ConsistencyReport(BaseModel):
    """``consistent``, or every entry without a history event and every history event without an entry."""

    case_id: str
    consistent: bool
    history_events: int
    accepted_updates: int
    projections: int  # the projections the history's completed workflow tasks made
    entries: int
    workflow_entries: int  # the workflow's entries that stand (not withdrawn)
    withdrawn: int  # entries a correction withdrew (written by a task that did not complete)
    corrections: int
    refused_attempts: int  # refused requests the API logged; never in the history, by design
    read_model_version: int | None = None
    history_version: int | None = None
    issues: list[Issue] = []
    error: str | None = None  # the history could not be replayed: the replay check says why


class _ProjectionCapture(Interceptor):
    """Keeps the input of every ``project_case`` a replayed workflow makes, in order."""

    def __init__(self) -> None:
        self.projections: list[Projection] = []

    def workflow_interceptor_class(self, input: WorkflowInterceptorClassInput) -> type[WorkflowInboundInterceptor]:
        capture = self

        class _Outbound(WorkflowOutboundInterceptor):
            def start_local_activity(self, input: StartLocalActivityInput) -> ActivityHandle[Any]:
                if input.activity == PROJECT_CASE and input.args:
                    capture.projections.append(input.args[0])
                return super().start_local_activity(input)

        class _Inbound(WorkflowInboundInterceptor):
            def init(self, outbound: WorkflowOutboundInterceptor) -> None:
                super().init(_Outbound(outbound))

        return _Inbound


def recorded_projections(history: WorkflowHistory) -> int:
    """How many ``project_case`` results the history recorded (each a completed workflow task's)."""
    count = 0
    for event in history.events:
        if not event.HasField("marker_recorded_event_attributes"):
            continue
        details = event.marker_recorded_event_attributes.details
        if "data" in details and details["data"].payloads:
            try:
                count += json.loads(details["data"].payloads[0].data).get("activity_type") == PROJECT_CASE
            except ValueError:
                continue
    return count


def accepted_updates(history: WorkflowHistory) -> list[AcceptedUpdate]:
    """The Workflow Updates the history accepted, with the task, decision and actor their input names."""
    out = []
    for event in history.events:
        if not event.HasField("workflow_execution_update_accepted_event_attributes"):
            continue
        request = event.workflow_execution_update_accepted_event_attributes.accepted_request
        arg: dict[str, Any] = {}
        if request.input.args.payloads:
            try:
                loaded = json.loads(request.input.args.payloads[0].data)
                arg = loaded if isinstance(loaded, dict) else {}
            except ValueError:
                arg = {}
        actor = arg.get("actor")
        out.append(AcceptedUpdate(
            update_id=request.meta.update_id, name=request.input.name, task_id=arg.get("task_id"),
            decision=arg.get("decision"), actor=actor.get("subject") if isinstance(actor, dict) else None,
        ))
    return out


async def history_projections(history: WorkflowHistory, workflows: Sequence[type] | None = None) -> tuple[list[Projection], str | None]:
    """The projections the history's completed workflow tasks made, or the replay's failure."""
    from core.registry import workflow_types  # the registered processes are the current code

    capture = _ProjectionCapture()
    replayer = Replayer(workflows=list(workflows or workflow_types()), data_converter=DATA_CONVERTER, interceptors=[capture])
    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    if result.replay_failure is not None:
        return [], f"{type(result.replay_failure).__name__}: {result.replay_failure}"
    # A workflow task still running (or one that failed) may have asked for a projection the
    # history holds no result of: only the recorded ones are the history's.
    return capture.projections[: recorded_projections(history)], None


def _anchor(projection: Projection) -> ProjectionAnchor:
    snap = projection.snapshot
    return ProjectionAnchor(at=snap.updated_at, history_length=projection.history_length, version=snap.version,
                            events_through=projection.through())


async def compare_case(
    history: WorkflowHistory, sessions: async_sessionmaker[AsyncSession], case_id: str, workflows: Sequence[type] | None = None,
) -> tuple[ConsistencyReport, bool]:
    """The report for one history against the database now; and whether the database is ahead of it."""
    projections, error = await history_projections(history, workflows)
    accepted = accepted_updates(history)
    async with sessions() as session:
        entries = await audit_repo.stored_entries(session, case_id)
        record = await cases_repo.get_case(session, case_id)
        stored_anchor = await cases_repo.anchor_of(session, case_id)
    chain = counts(case_id, entries)
    last = projections[-1] if projections else None
    report = ConsistencyReport(
        case_id=case_id, consistent=False, history_events=len(history.events), accepted_updates=len(accepted),
        projections=len(projections), read_model_version=record.version if record is not None else None,
        history_version=last.snapshot.version if last is not None else None, error=error, **chain.model_dump(),
    )
    if error is not None:
        return report, False
    expected = [event for projection in projections for event in projection.events]
    issues = compare_entries(case_id, expected, entries, accepted)
    columns = {"version": record.version, "status": record.status, "step": record.step} if record is not None else None
    issues += compare_snapshot(last.snapshot.model_dump(mode="json") if last else None, record.snapshot if record else None, columns)
    report.issues, report.consistent = issues, not issues
    ahead = stored_anchor is not None and last is not None and stored_anchor.rank() > _anchor(last).rank()
    return report, ahead


async def check_case(
    client: Client, sessions: async_sessionmaker[AsyncSession], case_id: str, *,
    history: WorkflowHistory | None = None, workflows: Sequence[type] | None = None,
) -> ConsistencyReport:
    """Compare the case's audit log and read model with its history (raises RPCError if Temporal has none).

    A running case whose database is ahead of its history (a projection whose workflow task has
    not completed yet) is checked again with a fresh history a few times before it is reported.
    """
    handle = client.get_workflow_handle(case_id)
    for attempt in range(SETTLE_ATTEMPTS):
        if history is None or attempt > 0:
            history = await handle.fetch_history()
        report, ahead = await compare_case(history, sessions, case_id, workflows)
        if report.consistent or not ahead:
            return report
        await asyncio.sleep(0.2 * (attempt + 1))
    return report
