"""Replay verification: run a recorded history against the current workflow code.

Used by the auditors' API and by the command-line tool; the Replayer is Temporal's own, with the
same workflows and data converter as the worker.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Sequence
from typing import Literal

from pydantic import BaseModel
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from core.temporal import DATA_CONVERTER

_EVENT_ID = re.compile(r"event(?:\s+id)?\s*[#:]?\s*(\d+)", re.IGNORECASE)


class ReplayReport(BaseModel):
    """``consistent``, or the exact nondeterminism (message and the event it diverged at).

    ``source`` says where the history came from: Temporal while it holds it, else our archive.
    An archived history that no longer matches the sha256 in the audit chain is ``tampered``
    and is not replayed.
    """

    workflow_id: str
    consistent: bool
    events: int
    error_type: str | None = None
    error: str | None = None
    event_id: int | None = None
    event_type: str | None = None
    source: Literal["temporal", "archive"] | None = None
    run_id: str | None = None
    sha256: str | None = None
    tampered: bool = False


def _default_workflows() -> Sequence[type]:
    from core.registry import workflow_types  # the registered processes are the current code

    return workflow_types()


def make_replayer(workflows: Sequence[type] | None = None) -> Replayer:
    """A Replayer for the current workflow code (or the given classes, e.g. in a test)."""
    return Replayer(workflows=list(workflows or _default_workflows()), data_converter=DATA_CONVERTER)


def _report(history: WorkflowHistory, failure: Exception | None) -> ReplayReport:
    events = len(history.events)
    if failure is None:
        return ReplayReport(workflow_id=history.workflow_id, consistent=True, events=events)
    message = str(failure)
    match = _EVENT_ID.search(message)
    return ReplayReport(
        workflow_id=history.workflow_id, consistent=False, events=events, error_type=type(failure).__name__,
        error=message, event_id=int(match.group(1)) if match else None,
    )


async def verify_history(history: WorkflowHistory, workflows: Sequence[type] | None = None) -> ReplayReport:
    """Replay one history; never raises for a replay failure, it reports it with the diverging event."""
    replayer = make_replayer(workflows)
    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    report = _report(history, result.replay_failure)
    if not report.consistent:
        await _locate_divergence(replayer, history, report)
    return report


async def _locate_divergence(replayer: Replayer, history: WorkflowHistory, report: ReplayReport) -> None:
    """Find the first recorded event the current code no longer produces.

    The SDK's message does not always name an event. A prefix of a history that ends at a
    workflow-task start checks every command before it, and a prefix fails once it includes the
    diverging task, so a binary search over those prefixes finds the task whose recorded commands
    the code no longer matches; its first command event is where the histories part.
    """
    starts = [i for i, e in enumerate(history.events) if e.HasField("workflow_task_started_event_attributes")]
    lo, hi = 0, len(starts)  # prefixes ending before starts[lo] pass; the full history fails
    while lo < hi:
        mid = (lo + hi) // 2
        prefix = WorkflowHistory(history.workflow_id, history.events[: starts[mid] + 1])
        result = await replayer.replay_workflow(prefix, raise_on_replay_failure=False)
        if result.replay_failure is None:
            lo = mid + 1
        else:
            hi = mid
    # The failing task is the one started at starts[lo - 1]; its commands follow its completion.
    begin = starts[lo - 1] if lo > 0 else 0
    for event in history.events[begin:]:
        if (
            not event.HasField("workflow_task_started_event_attributes")
            and not event.HasField("workflow_task_completed_event_attributes")
            and event.event_id > history.events[begin].event_id
        ):
            report.event_id = report.event_id or event.event_id
            report.event_type = _event_type_name(event)
            return


def _event_type_name(event: HistoryEvent) -> str:
    from temporalio.api.enums.v1 import EventType

    return EventType.Name(event.event_type)


async def verify_histories(
    histories: Iterable[WorkflowHistory] | AsyncIterable[WorkflowHistory], workflows: Sequence[type] | None = None,
) -> AsyncIterator[ReplayReport]:
    """Replay many histories on one replayer, yielding a report per history as it finishes.

    An async iterable is read as the replayer goes, so a year of archived histories is never
    all in memory at once.
    """
    async def source() -> AsyncIterator[WorkflowHistory]:
        if isinstance(histories, AsyncIterable):
            async for history in histories:
                yield history
        else:
            for history in histories:
                yield history

    async with make_replayer(workflows).workflow_replay_iterator(source()) as results:
        async for result in results:
            yield _report(result.history, result.replay_failure)
