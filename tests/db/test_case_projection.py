"""The case read model: newer versions win, inbox rows follow the open tasks, a closed case has none."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from db.models import CaseRecord, InboxEntry
from db.repositories import cases as cases_repo
from domain.access import Level, Role, Scope
from domain.cases import CaseSnapshot, CaseStatus
from domain.tasks import HumanTask, SignOff, TaskStatus
from tests.factories import make_actor
from tests.fixture_types import Sessions

AT = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
SCOPE = Scope(street_id="yidu", community_id="yidu-c1", estate_id="yidu-jinxiu")


def _snapshot(version: int, tasks: list[HumanTask], status: CaseStatus = CaseStatus.ACTIVE, step: str = "verify") -> CaseSnapshot:
    return CaseSnapshot(
        case_id="fund-emergency-test-projection-1", kind="fund-emergency", title="测试", status=status, step=step,
        step_label=step, scope=SCOPE, initiator=make_actor(Role.CLERK, Level.STREET, "yidu"), created_at=AT,
        updated_at=AT + timedelta(minutes=version), tasks=tasks, version=version,
    )


def _countersign() -> HumanTask:
    roles = [Role.OWNER_REP, Role.OWNERS_COMMITTEE]
    return HumanTask(id="t1", step="verify", step_label="核实", candidate_roles=roles, scope=SCOPE,
                     decisions=["confirm"], countersign=roles, created_at=AT)


async def _state(sessions: Sessions) -> tuple[int | None, list[str]]:
    async with sessions() as s:
        version = await s.scalar(select(CaseRecord.version).where(CaseRecord.id == "fund-emergency-test-projection-1"))
        roles = (await s.scalars(select(InboxEntry.role).where(InboxEntry.case_id == "fund-emergency-test-projection-1"))).all()
    return version, sorted(roles)


async def test_versions_only_move_forward_and_the_inbox_follows_the_open_tasks(sessions: Sessions) -> None:
    task = _countersign()
    async with sessions() as s, s.begin():
        assert await cases_repo.save_snapshot(s, _snapshot(1, [task]))
    assert await _state(sessions) == (1, ["owner_rep", "owners_committee"])

    # One party signed: the workflow says the inbox changed, and the signed party's row goes.
    task.signed.append(SignOff(role=Role.OWNER_REP, subject="rep", name="代表", at=AT))
    async with sessions() as s, s.begin():
        assert await cases_repo.save_snapshot(s, _snapshot(3, [task]))
    assert await _state(sessions) == (3, ["owners_committee"])

    # A late, older write changes nothing: neither the summary nor the inbox.
    async with sessions() as s, s.begin():
        assert not await cases_repo.save_snapshot(s, _snapshot(2, [_countersign()]))
    assert await _state(sessions) == (3, ["owners_committee"])

    # Unchanged open tasks: the summary moves on, the rows are not rewritten.
    async with sessions() as s, s.begin():
        assert await cases_repo.save_snapshot(s, _snapshot(4, [task], step="verify"), inbox_changed=False)
    assert await _state(sessions) == (4, ["owners_committee"])

    # Closed: no inbox rows, whatever the tasks say.
    task.status = TaskStatus.DONE
    async with sessions() as s, s.begin():
        assert await cases_repo.save_snapshot(s, _snapshot(5, [task], CaseStatus.REJECTED, "rejected"))
    assert await _state(sessions) == (5, [])
    async with sessions() as s:
        record = await s.get(CaseRecord, "fund-emergency-test-projection-1")
    assert record is not None and record.status == "rejected" and record.snapshot["version"] == 5


def test_the_inbox_key_changes_with_what_the_rows_show() -> None:
    task = _countersign()
    before = _snapshot(1, [task]).inbox_key()
    assert _snapshot(2, [task], step="other").inbox_key() == before  # the case's step is not on the rows
    task.signed.append(SignOff(role=Role.OWNER_REP, subject="rep", name="代表", at=AT))
    signed = _snapshot(2, [task]).inbox_key()
    assert signed != before
    task.reminded_at = AT  # yellow card
    assert _snapshot(3, [task]).inbox_key() != signed
    task.assignee = "clerk-7"
    assert _snapshot(4, [task]).inbox_key() != _snapshot(3, [task.model_copy(update={"assignee": None})]).inbox_key()
