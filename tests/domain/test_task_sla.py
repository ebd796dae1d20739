"""SLA events of a human task: yellow card, red card, escalation, each once and in order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from domain.access import Role, Scope
from domain.tasks import HumanTask, TaskStatus, fire_sla, next_sla_moment

T0 = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)


def a_task(**kw: Any) -> HumanTask:
    return HumanTask(
        id="t1", step="bureau_review", step_label="住建局审核", candidate_roles=[Role.HOUSING_BUREAU], scope=Scope(),
        decisions=["approve"], created_at=T0, remind_at=T0 + timedelta(days=1), due_at=T0 + timedelta(days=2),
        escalate_at=T0 + timedelta(days=3), escalate_to=[Role.BUREAU_SUPERVISOR], **kw,
    )


def test_events_fire_once_each_in_order() -> None:
    task = a_task()
    assert next_sla_moment([task]) == task.remind_at
    assert fire_sla(task, T0 + timedelta(hours=1)) == []
    assert [c for c, _ in fire_sla(task, task.remind_at)] == ["reminder"]
    assert task.card.value == "yellow" and next_sla_moment([task]) == task.due_at
    assert [c for c, _ in fire_sla(task, task.due_at)] == ["overdue"]
    assert task.card.value == "red" and Role.BUREAU_SUPERVISOR not in task.deciding_roles()
    assert [c for c, _ in fire_sla(task, task.escalate_at)] == ["escalation"]
    assert Role.BUREAU_SUPERVISOR in task.deciding_roles()
    assert fire_sla(task, task.escalate_at + timedelta(days=9)) == [] and next_sla_moment([task]) is None


def test_a_late_wake_up_shows_every_card_and_closed_tasks_stay_quiet() -> None:
    task = a_task()
    assert [c for c, _ in fire_sla(task, T0 + timedelta(days=10))] == ["reminder", "overdue", "escalation"]
    done = a_task(status=TaskStatus.DONE)
    assert fire_sla(done, T0 + timedelta(days=10)) == [] and next_sla_moment([done], until=T0) == T0
