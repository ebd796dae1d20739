"""The auditors' consistency check: does the audit log and the read model say what the history holds?

The history is the truth. Replayed, it makes the projections its workflow tasks completed (the
snapshot and the numbered timeline events of each, see ``domain.projection``); its accepted
Workflow Updates are the decisions Temporal took. This module compares those with what the
database holds: every entry of the workflow that stands (not withdrawn by a correction) must be
an event of the history, every event (and so every accepted decision) must have its entry, and
the case's stored snapshot must be the last one the history projected.

Entries are compared on what identifies them (kind, step, task, actor, decision, the update that
recorded them), not on every byte: the current code replays an old history, and a later release
may word a comment or shape a data field differently without the past having changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from pydantic import BaseModel

from domain.audit import CORRECTION, AuditEvent, StoredEntry, event_number, live_workflow_entries, withdrawals


class IssueKind(StrEnum):
    ENTRY_WITHOUT_HISTORY = "entry-without-history"  # an entry no completed workflow task recorded
    DECISION_WITHOUT_ENTRY = "decision-without-entry"  # an update Temporal accepted, whose entry is missing
    EVENT_WITHOUT_ENTRY = "event-without-entry"  # a step, timer or system event of the history, missing
    ENTRY_DIFFERS = "entry-differs"  # the entry at that number says something else than the history
    READ_MODEL = "read-model"  # the case's stored snapshot is not the history's last projection


class Issue(BaseModel):
    kind: IssueKind
    detail: str
    event: int | None = None  # the workflow's event number
    seq: int | None = None  # the entry's position in the case's chain
    update_id: str | None = None


class AcceptedUpdate(BaseModel):
    """A Workflow Update the history accepted: its id (the request's Idempotency-Key) and name."""

    update_id: str
    name: str
    task_id: str | None = None
    decision: str | None = None
    actor: str | None = None


def identity(event: AuditEvent, *, with_update: bool) -> tuple[Any, ...]:
    """What an entry is, for the check: kind, step, task, actor, decision (and its update when both know it)."""
    base = (event.kind, event.step, event.task_id, event.actor_subject, event.decision)
    return (*base, event.update_id) if with_update else base


def compare_entries(
    case_id: str, expected: Sequence[AuditEvent], entries: Sequence[StoredEntry], accepted: Sequence[AcceptedUpdate],
) -> list[Issue]:
    """Issues between the history's events (in order) and the stored entries of the case."""
    issues: list[Issue] = []
    live = live_workflow_entries(case_id, entries)
    by_update = {u.update_id: u for u in accepted}
    numbered: dict[int, AuditEvent] = {}
    for event in expected:
        number = event_number(case_id, event.key)
        if number is not None:
            numbered[number] = event
    for number, event in sorted(numbered.items()):
        entry = live.get(number)
        if entry is None:
            update = by_update.get(event.update_id or "")
            if update is not None:
                issues.append(Issue(
                    kind=IssueKind.DECISION_WITHOUT_ENTRY, event=number, update_id=update.update_id,
                    detail=f"accepted update {update.name} ({_what(event)}) has no entry in the audit log",
                ))
            else:
                issues.append(Issue(kind=IssueKind.EVENT_WITHOUT_ENTRY, event=number, detail=f"{_what(event)} has no entry"))
            continue
        with_update = entry.event.update_id is not None  # entries from before update ids carry none
        if identity(entry.event, with_update=with_update) != identity(event, with_update=with_update):
            issues.append(Issue(
                kind=IssueKind.ENTRY_DIFFERS, event=number, seq=entry.seq, update_id=entry.event.update_id,
                detail=f"entry {entry.seq} says {_what(entry.event)}; the history says {_what(event)}",
            ))
    for number, entry in sorted(live.items()):
        if number not in numbered:
            issues.append(Issue(
                kind=IssueKind.ENTRY_WITHOUT_HISTORY, event=number, seq=entry.seq, update_id=entry.event.update_id,
                detail=f"entry {entry.seq} ({_what(entry.event)}) was recorded by no workflow task the history holds",
            ))
    return issues


def snapshot_view(snapshot: dict[str, Any]) -> dict[str, Any]:
    """What the check compares of a snapshot (as JSON): version, status, step and each task's state."""
    return {
        "version": snapshot.get("version"), "status": snapshot.get("status"), "step": snapshot.get("step"),
        "tasks": [
            (t.get("id"), t.get("status"), t.get("outcome"), t.get("assignee"), sorted(s.get("subject") for s in t.get("signed", [])))
            for t in snapshot.get("tasks", [])
        ],
    }


def compare_snapshot(
    expected: dict[str, Any] | None, stored: dict[str, Any] | None, columns: dict[str, Any] | None = None,
) -> list[Issue]:
    """An issue when the stored snapshot (its JSON, and the ``columns`` lists filter on) is not the history's last."""
    if expected is None:
        return []
    if stored is None:
        return [Issue(kind=IssueKind.READ_MODEL, detail="the case has no stored snapshot")]
    want = snapshot_view(expected)
    issues = []
    for what, have in (("stored case", snapshot_view(stored)), ("case row", {**want, **(columns or {})})):
        if want != have:
            fields = ", ".join(k for k in want if want[k] != have[k])
            issues.append(Issue(
                kind=IssueKind.READ_MODEL,
                detail=f"the {what} (version {have['version']}, {have['status']}, {have['step']}) differs from the "
                       f"history's (version {want['version']}, {want['status']}, {want['step']}) in {fields}",
            ))
    return issues


class ChainCounts(BaseModel):
    entries: int
    workflow_entries: int
    withdrawn: int
    corrections: int
    refused_attempts: int


def counts(case_id: str, entries: Sequence[StoredEntry]) -> ChainCounts:
    """How the case's chain divides: the workflow's standing entries, withdrawn ones, corrections, refusals."""
    return ChainCounts(
        entries=len(entries), workflow_entries=len(live_workflow_entries(case_id, entries)),
        withdrawn=len(withdrawals(entries)), corrections=sum(1 for e in entries if e.event.kind == CORRECTION),
        refused_attempts=sum(1 for e in entries if e.event.kind == "rejected"),
    )


def _what(event: AuditEvent) -> str:
    parts = [event.kind]
    if event.step:
        parts.append(event.step)
    if event.task_id:
        parts.append(event.task_id)
    if event.decision:
        parts.append(event.decision)
    if event.actor_subject and event.actor_subject != "system":
        parts.append(f"by {event.actor_subject}")
    return " ".join(parts)
