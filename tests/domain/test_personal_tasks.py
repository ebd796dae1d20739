"""Personal tasks: only the assignee (or the addressed organisation) decides; escalation shows, never hands over."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.access import Actor, Jurisdiction, Level, Role, Scope
from domain.tasks import DecisionRefused, HumanTask, ReassignInput, RefusalKind, acting_role, check_reassign, fire_sla

T0 = datetime(2027, 1, 4, 1, 0, tzinfo=UTC)
SCOPE = Scope(street_id="yidu", community_id="yidu-c1", estate_id="e1")


def actor(role: Role, level: Level, jid: str | None = None, subject: str | None = None) -> Actor:
    return Actor(subject=subject or f"{role.value}-1", name="测试", roles=(role,), jurisdiction=Jurisdiction(level=level, id=jid))


def escalated(task: HumanTask) -> HumanTask:
    fire_sla(task, task.escalate_at or T0)
    assert task.escalation_roles and task.escalation_roles[0] in task.deciding_roles()
    return task


def expert_task(personal: bool = True) -> HumanTask:
    return HumanTask(
        id="t1", step="evaluation", step_label="评标", candidate_roles=[Role.EXPERT], scope=SCOPE, decisions=["submit"],
        created_at=T0, due_at=T0 + timedelta(days=2), escalate_at=T0 + timedelta(days=3), escalate_to=[Role.HOUSING_BUREAU],
        assignee="expert-003", personal=personal,
    )


def refused(task: HumanTask, who: Actor) -> RefusalKind:
    with pytest.raises(DecisionRefused) as exc:
        acting_role(task, who)
    return exc.value.kind


def test_an_escalated_personal_task_is_still_only_the_assignees() -> None:
    task = escalated(expert_task())
    assert acting_role(task, actor(Role.EXPERT, Level.CITY, subject="expert-003")) == Role.EXPERT
    assert refused(task, actor(Role.HOUSING_BUREAU, Level.CITY)) == RefusalKind.FORBIDDEN
    assert refused(task, actor(Role.EXPERT, Level.CITY, subject="expert-004")) == RefusalKind.FORBIDDEN


def test_the_supervisor_still_decides_an_ordinary_escalated_task() -> None:
    task = escalated(expert_task(personal=False))
    assert acting_role(task, actor(Role.HOUSING_BUREAU, Level.CITY)) == Role.HOUSING_BUREAU


def test_a_personal_task_cannot_be_reassigned() -> None:
    bureau = actor(Role.HOUSING_BUREAU, Level.CITY)
    request = ReassignInput(task_id="t1", assignee="expert-001", reason="换人", actor=bureau)
    with pytest.raises(DecisionRefused) as exc:
        check_reassign(expert_task(), request)
    assert exc.value.kind == RefusalKind.FORBIDDEN
    check_reassign(expert_task(personal=False), request)


def test_an_organisations_personal_task_escalated_to_the_street_stays_the_organisations() -> None:
    task = escalated(HumanTask(
        id="t2", step="item_check", step_label="逐项确认", candidate_roles=[Role.PROPERTY_COMPANY], scope=SCOPE.with_company("co-new"),
        decisions=["confirm"], created_at=T0, escalate_at=T0 + timedelta(days=3), escalate_to=[Role.STREET_OFFICE], personal=True,
    ))
    assert acting_role(task, actor(Role.PROPERTY_COMPANY, Level.COMPANY, "co-new")) == Role.PROPERTY_COMPANY
    assert refused(task, actor(Role.STREET_OFFICE, Level.STREET, "yidu")) == RefusalKind.FORBIDDEN
    assert refused(task, actor(Role.PROPERTY_COMPANY, Level.COMPANY, "co-old")) == RefusalKind.FORBIDDEN
