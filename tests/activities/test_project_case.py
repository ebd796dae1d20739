"""The projection writes what the workflow says: a failed task's write is replaced, never stuck on."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from temporalio.testing import ActivityEnvironment

from activities.cases import CaseActivities
from db.models import CaseRecord, InboxEntry
from db.repositories import audit as audit_repo
from domain.access import Level, Role, Scope
from domain.audit import AuditEvent, live_workflow_entries
from domain.cases import CaseSnapshot, CaseStatus, Projection
from domain.tasks import HumanTask, TaskStatus
from tests.factories import make_actor
from tests.fixture_types import Sessions

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
SCOPE = Scope(street_id="yidu", community_id="yidu-c1", estate_id="yidu-jinxiu")
AGENCY = make_actor(Role.PRICING_AGENCY, Level.COMPANY, "pa-qzzj")


class Case:
    """One case's workflow as the projection sees it: numbered events, versions, workflow tasks."""

    def __init__(self, sessions: Sessions) -> None:
        self.id = f"fund-emergency-proj-{uuid.uuid4().hex[:8]}"
        self.acts = CaseActivities(sessions)
        self.sessions = sessions

    def event(self, n: int, kind: str, decision: str | None = None, at: datetime = T0, update_id: str | None = None) -> AuditEvent:
        return AuditEvent(key=f"{self.id}:{n}", at=at, kind=kind, step="price_review", task_id="t3",
                          actor_subject=AGENCY.subject if decision else "system", decision=decision, update_id=update_id)

    def projection(
        self, *, version: int, previous: int, events: list[AuditEvent], through: int, length: int, at: datetime,
        task_open: bool = True,
    ) -> Projection:
        task = HumanTask(id="t3", step="price_review", step_label="预算核价", candidate_roles=[Role.PRICING_AGENCY],
                         scope=SCOPE.with_company("pa-qzzj"), decisions=["approve", "return"], created_at=T0,
                         status=TaskStatus.OPEN if task_open else TaskStatus.DONE)
        snap = CaseSnapshot(
            case_id=self.id, kind="fund-emergency", title="测试", status=CaseStatus.ACTIVE,
            step="price_review" if task_open else "bureau_review", step_label="", scope=SCOPE, company_ids=["pa-qzzj"],
            initiator=make_actor(Role.CLERK, Level.STREET, "yidu"), created_at=T0, updated_at=at, tasks=[task], version=version,
        )
        return Projection(snapshot=snap, events=events, events_through=through, previous_version=previous, history_length=length)

    async def project(self, projection: Projection, attempt: int = 1) -> None:
        env = ActivityEnvironment()
        env.info = dataclasses.replace(env.info, attempt=attempt)
        await env.run(self.acts.project_case, projection)

    async def state(self) -> tuple[int, str, list[str], list[str | None], int, bool]:
        """Stored version and step, the inbox's roles, the live workflow entries' decisions, all entries, chain intact."""
        async with self.sessions() as s:
            record = await s.get(CaseRecord, self.id)
            roles = list((await s.scalars(select(InboxEntry.role).where(InboxEntry.case_id == self.id))).all())
            entries = await audit_repo.stored_entries(s, self.id)
            _, broken = await audit_repo.check_chain(s, self.id)
        assert record is not None
        live = live_workflow_entries(self.id, entries)
        return record.version, record.step, roles, [live[n].event.decision for n in sorted(live)], len(entries), broken is None


async def test_a_failed_tasks_decision_is_withdrawn_by_the_re_run_and_the_next_decision_projects(sessions: Sessions) -> None:
    case = Case(sessions)
    await case.project(case.projection(version=1, previous=-1, events=[case.event(1, "step")], through=1, length=3, at=T0))
    # A workflow task accepts the agency's approval and projects it, then fails (payload too large).
    phantom = case.projection(
        version=3, previous=1, events=[case.event(2, "decision", "approve", T0 + timedelta(seconds=5)), case.event(3, "step")],
        through=3, length=9, at=T0 + timedelta(seconds=5), task_open=False,
    )
    await case.project(phantom)
    assert await case.state() == (3, "bureau_review", [], [None, "approve", None], 3, True)

    # Temporal re-runs the task on the same history without the approval: an SLA timer fired instead.
    rerun = case.projection(version=2, previous=1, events=[case.event(2, "timer", "reminder")], through=2, length=12,
                            at=T0 + timedelta(seconds=15))
    await case.project(rerun)
    version, step, roles, live, count, intact = await case.state()
    assert (version, step, roles, live, intact) == (2, "price_review", ["pricing_agency"], [None, "reminder"], True)
    async with sessions() as s:
        entries = await audit_repo.stored_entries(s, case.id)
    correction = next(e for e in entries if e.event.kind == "correction")
    assert correction.event.data["withdrawn"] == [2, 3] and correction.seq == 4 and count == 5

    # The failed attempt's worker commits late (it hung past the task timeout): refused, nothing changes.
    await case.project(phantom)
    assert await case.state() == (2, "price_review", ["pricing_agency"], [None, "reminder"], 5, True)

    # The next decision projects, although the withdrawn entry still holds the key of event 3.
    nxt = case.projection(version=4, previous=2, events=[case.event(3, "decision", "approve", T0 + timedelta(seconds=20), "k-2")],
                          through=3, length=15, at=T0 + timedelta(seconds=20), task_open=False)
    await case.project(nxt)
    assert await case.state() == (4, "bureau_review", [], [None, "reminder", "approve"], 6, True)
    after = case.projection(version=5, previous=4, events=[case.event(4, "step")], through=4, length=18, at=T0 + timedelta(seconds=21), task_open=False)
    await case.project(after)
    assert (await case.state())[3:] == ([None, "reminder", "approve", None], 7, True)


async def test_a_re_run_that_says_the_same_writes_nothing_twice(sessions: Sessions) -> None:
    case = Case(sessions)
    await case.project(case.projection(version=1, previous=-1, events=[case.event(1, "step")], through=1, length=3, at=T0))
    decided = [case.event(2, "decision", "approve", T0 + timedelta(seconds=5), "k-1")]
    await case.project(case.projection(version=3, previous=1, events=decided, through=2, length=9, at=T0 + timedelta(seconds=5), task_open=False))
    # The worker died before the task completed; the next attempt re-runs the same update 10 s later.
    again = [case.event(2, "decision", "approve", T0 + timedelta(seconds=15), "k-1")]
    rerun = case.projection(version=3, previous=1, events=again, through=2, length=12, at=T0 + timedelta(seconds=15), task_open=False)
    await case.project(rerun)
    await case.project(rerun, attempt=2)  # and its local activity is retried after a lost answer
    assert await case.state() == (3, "bureau_review", [], [None, "approve"], 2, True)


async def test_a_retried_activity_after_a_taken_key_does_not_retry_forever(sessions: Sessions) -> None:
    case = Case(sessions)
    await case.project(case.projection(version=1, previous=-1, events=[case.event(1, "step")], through=1, length=3, at=T0))
    # Rows from before the projection kept its place: the stored row knows nothing of event 2 ...
    async with sessions() as s, s.begin():
        await audit_repo.append_events(s, case.id, [case.event(2, "decision", "approve")], maybe_stored=False)
    nxt = case.projection(version=2, previous=1, events=[case.event(2, "timer", "reminder")], through=2, length=6, at=T0 + timedelta(seconds=5))
    with pytest.raises(Exception):  # noqa: B017 - whichever error the engine raises for the unique key
        await case.project(nxt)  # ... so the first attempt appends blindly and meets the key
    await case.project(nxt, attempt=2)  # the retry checks and withdraws the stray entry
    assert await case.state() == (2, "price_review", ["pricing_agency"], [None, "reminder"], 4, True)
