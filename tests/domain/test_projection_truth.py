"""Which projection is the truth: the ranking of writes and the reconciliation of a stored tail."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.audit import AuditEvent, StoredEntry, event_digest, event_number, live_workflow_entries, plan_tail
from domain.projection import ProjectionAnchor, ProjectionKind, classify

CASE = "fund-emergency-t-1-20260302-1"
T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def _event(n: int, decision: str, at: datetime = T0, update_id: str | None = None) -> AuditEvent:
    return AuditEvent(key=f"{CASE}:{n}", at=at, kind="decision", step="price_review", task_id="t3",
                      actor_subject="agency-1", decision=decision, update_id=update_id)


def _stored(*events: AuditEvent) -> list[StoredEntry]:
    return [StoredEntry(seq=i, key=e.key, event=e) for i, e in enumerate(events, start=1)]


def test_a_failed_tasks_entries_are_withdrawn_and_the_workflows_appended() -> None:
    entries = _stored(_event(1, "submit"), _event(2, "approve"), _event(3, "approve"))  # 2, 3: a failed task's
    plan = plan_tail(CASE, entries, [_event(2, "return")], 2, at=T0 + timedelta(seconds=9))
    assert [e.seq for e in plan.withdraw] == [2, 3]
    correction, rewritten = plan.append
    assert correction.kind == "correction" and correction.key == f"{CASE}:correction:4"
    assert correction.data["withdrawn"] == [2, 3] and correction.data["withdrawn_keys"] == [f"{CASE}:2", f"{CASE}:3"]
    # The key of the withdrawn entry 2 is taken: the workflow's event 2 is re-written under a new one.
    assert rewritten.key == f"{CASE}:2@5" and event_number(CASE, rewritten.key) == 2 and rewritten.decision == "return"

    after = [*entries, *(StoredEntry(seq=5 + i - 1, key=e.key, event=e) for i, e in enumerate(plan.append))]
    live = live_workflow_entries(CASE, after)
    assert sorted(live) == [1, 2] and live[2].event.decision == "return"


def test_a_retried_task_rewrites_the_same_events_at_its_own_clock_and_nothing_changes() -> None:
    entries = _stored(_event(1, "submit"), _event(2, "approve", update_id="k-1"))
    retried = _event(2, "approve", at=T0 + timedelta(seconds=10), update_id="k-1")
    assert event_digest(retried) == event_digest(entries[1].event)
    plan = plan_tail(CASE, entries, [retried], 2, at=T0 + timedelta(seconds=10))
    assert plan.withdraw == [] and plan.append == []
    # The same decision under another request (another Idempotency-Key) is another event.
    assert plan_tail(CASE, entries, [_event(2, "approve", update_id="k-2")], 2, at=T0).withdraw == [entries[1]]


def test_entries_the_workflow_never_produced_are_withdrawn_even_without_new_events() -> None:
    entries = _stored(_event(1, "submit"), _event(2, "approve"))
    plan = plan_tail(CASE, entries, [], 1, at=T0)
    assert [e.seq for e in plan.withdraw] == [2] and [e.kind for e in plan.append] == ["correction"]
    # From the first entry that differs on, the rest goes too, even entries equal to what follows.
    entries = _stored(_event(1, "submit"), _event(2, "approve"), _event(3, "approve"))
    plan = plan_tail(CASE, entries, [_event(2, "return"), _event(3, "approve")], 3, at=T0)
    assert [e.seq for e in plan.withdraw] == [2, 3] and [e.decision for e in plan.append[1:]] == ["return", "approve"]


def test_refused_attempts_and_corrections_are_not_workflow_entries() -> None:
    assert event_number(CASE, f"{CASE}:rejected:6b1f") is None
    assert event_number(CASE, f"{CASE}:correction:7") is None
    assert event_number(CASE, f"{CASE}:12@40") == 12
    assert event_number(CASE, "other-case:12") is None


def _anchor(at_s: int, length: int, version: int, through: int, written: int | None = None) -> ProjectionAnchor:
    return ProjectionAnchor(at=T0 + timedelta(seconds=at_s), history_length=length, version=version,
                            events_through=through, events_written=through if written is None else written)


def test_a_projection_follows_its_predecessor_repairs_a_failed_tasks_write_and_refuses_a_superseded_one() -> None:
    previous = _anchor(0, 10, 3, 5)
    assert classify(previous, _anchor(5, 14, 5, 7), previous_version=3, first_event=6) is ProjectionKind.SUCCESSOR
    # A failed attempt wrote version 5 and events 6-7; the re-run (later, longer history) projects version 4.
    phantom = _anchor(5, 14, 5, 7)
    rerun = _anchor(15, 17, 4, 6)
    assert classify(phantom, rerun, previous_version=3, first_event=6) is ProjectionKind.REPAIR
    # The failed attempt's worker wakes up after the re-run wrote: its write is refused.
    assert classify(rerun, phantom, previous_version=3, first_event=6) is ProjectionKind.STALE
    # After a repair that withdrew event 7, the next projection must not reuse its key blindly.
    repaired = _anchor(15, 17, 4, 6, written=7)
    assert classify(repaired, _anchor(20, 20, 5, 7), previous_version=4, first_event=7) is ProjectionKind.REPAIR
    # Its own retried activity (same place) is not stale: it checks what the first attempt wrote.
    assert classify(phantom, phantom, previous_version=3, first_event=6) is ProjectionKind.REPAIR


def test_the_apis_first_row_ranks_below_the_workflow_whatever_the_clocks_say() -> None:
    placeholder = ProjectionAnchor(at=T0 + timedelta(hours=1), history_length=0, version=-1, events_through=0)
    first = _anchor(0, 3, 1, 2)
    assert classify(placeholder, first, previous_version=-1, first_event=1) is ProjectionKind.SUCCESSOR
    assert classify(None, first, previous_version=-1, first_event=1) is ProjectionKind.SUCCESSOR
    assert classify(None, _anchor(0, 30, 9, 12), previous_version=8, first_event=12) is ProjectionKind.REPAIR
