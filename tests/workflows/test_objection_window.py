"""The objection window with the election's settings: kinds and notes, a cap, no early end, the passed period.

The fund and the tender run the window with its defaults (their tests drive it through the API);
this probe process runs it the way the candidate notice (山东 Art. 22) needs it: objections carry
a kind, the street answers in working days and escalates to the bureau, an upheld objection is
recorded but does not end the notice, and the timeline says when the period ran out while
answers were outstanding.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any, ClassVar

import pytest
from pydantic import BaseModel
from temporalio import activity, workflow
from temporalio.client import WorkflowUpdateFailedError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from activities.cases import CaseActivities
from domain.access import Actor, Level, Role, Scope
from domain.calendar import period_end
from domain.cases import CaseAck, CaseSnapshot, CaseStatus, Projection
from domain.objections import NoticePeriod
from domain.tasks import DecisionInput
from tests.clock import skip_to, wait_until
from tests.factories import make_actor
from tests.fixture_types import Sessions
from workflows.human_tasks import CaseWorkflow
from workflows.objection_window import AnswerPolicy, ObjectionWindow

PASSED = "公告期满，异议答复后开始投票"
KIND_LABELS = {"identity": "业主身份异议", "candidate": "候选人资格异议"}


class ProbeInput(BaseModel):
    case_id: str
    initiator: Actor


class ProbeObjection(BaseModel):
    text: str
    kind: str
    household_id: str
    actor: Actor


@workflow.defn(name="ObjectionWindowProbe")
class ObjectionWindowProbe(CaseWorkflow):
    """A notice of 15 days whose objections the street answers; nothing else."""

    kind = "window-probe"
    kind_label = "异议窗口"
    step_labels: ClassVar[dict[str, str]] = {"notice": "公告", "objection": "异议答复", "closed": "结束"}

    @workflow.init
    def __init__(self, inp: ProbeInput) -> None:
        self.init_case(case_id=inp.case_id, title="probe", scope=Scope(street_id="yidu", estate_id="probe"),
                       initiator=inp.initiator, first_step="notice")
        self._period: NoticePeriod | None = None
        self._window = ObjectionWindow(
            self, notice_step="notice", outside="objections are taken only during the notice", max_objections=2,
            full="too many objections on this notice", upheld_ends_notice=False, passed_comment=PASSED,
        )

    @workflow.run
    async def run(self, inp: ProbeInput) -> CaseSnapshot:
        return await self.run_process(self._process)

    async def _process(self) -> None:
        start = workflow.now()
        self._period = NoticePeriod(start=start, end=period_end(start, timedelta(days=15)))
        answers = AnswerPolicy(step="objection", roles=(Role.STREET_OFFICE,), working_days=3, escalate_to=(Role.HOUSING_BUREAU,))
        assert await self._window.run(self._period, answers) is None
        self.finish(CaseStatus.COMPLETED, "closed")

    @workflow.update
    async def object(self, inp: ProbeObjection) -> CaseAck:
        self._window.accept(inp.actor, Role.OWNER, inp.text, kind=inp.kind, kind_label=KIND_LABELS[inp.kind],
                            household_id=inp.household_id, data={"kind": inp.kind})
        return await self.answer()

    @object.validator
    def _validate_object(self, inp: ProbeObjection) -> None:
        self._window.check_open()

    def facts(self) -> dict[str, object]:
        return {"notice": self._period.model_dump(mode="json") if self._period else None,
                "objections": [o.model_dump(mode="json") for o in self._window.objections]}


class KeptProjections:
    """Stands in for the read model: keeps what the probe projects."""

    def __init__(self) -> None:
        self.seen: list[Projection] = []

    @activity.defn(name="project_case")
    async def project_case(self, projection: Projection) -> None:
        self.seen.append(projection)


async def test_the_election_settings_cap_record_upheld_and_note_the_passed_period(env: WorkflowEnvironment, sessions: Sessions) -> None:
    kept, queue = KeptProjections(), f"probe-{uuid.uuid4().hex[:8]}"
    owner = make_actor(Role.OWNER, Level.ESTATE, "probe")
    street = make_actor(Role.STREET_OFFICE, Level.STREET, "yidu")
    async with Worker(env.client, task_queue=queue, workflows=[ObjectionWindowProbe],
                      activities=[kept.project_case, CaseActivities(sessions).compute_sla], workflow_runner=UnsandboxedWorkflowRunner()):
        handle = await env.client.start_workflow(ObjectionWindowProbe.run, ProbeInput(case_id=f"probe-{queue}", initiator=street),
                                                 id=f"probe-{queue}", task_queue=queue)
        await handle.execute_update("ready", result_type=CaseAck)

        async def object_(kind: str, text: str) -> CaseAck:
            return await handle.execute_update(
                "object", ProbeObjection(text=text, kind=kind, household_id="probe-b1-101", actor=owner), result_type=CaseAck)

        async def snapshot() -> CaseSnapshot:
            return await handle.query("snapshot", result_type=CaseSnapshot)

        async def decide(task_id: str, decision: str) -> None:
            await handle.execute_update("decide", DecisionInput(task_id=task_id, decision=decision, comment="已复核", actor=street),
                                        result_type=CaseAck)

        await object_("identity", "101室业主身份有误")
        await object_("candidate", "c3 欠缴物业费")
        # A cap of two objections on this notice: the third is refused before it reaches the history.
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await object_("identity", "第三条异议")
        assert refused.value.cause.type == "Refused.conflict"  # type: ignore[union-attr]
        first, second = (await snapshot()).open_tasks
        assert (first.note, first.escalate_to, first.due_at is not None) == ("业主身份异议：101室业主身份有误", [Role.HOUSING_BUREAU], True)

        # Upheld, yet the notice runs on: the election re-checks and answers, it does not restart.
        await decide(first.id, "uphold")
        assert (await snapshot()).step == "notice" and second.id in [t.id for t in (await snapshot()).open_tasks]

        # The period runs out with one answer outstanding: the timeline says so, and no objection is taken.
        end = (await snapshot()).facts["notice"]["end"]
        await skip_to(env, await env.get_current_time() + timedelta(days=16))

        async def passed() -> dict[str, Any] | None:
            notice: dict[str, Any] = (await snapshot()).facts["notice"]
            return notice if notice["passed_at"] else None

        notice = await wait_until(passed)
        assert notice["closed"] is None and notice["end"] == end
        with pytest.raises(WorkflowUpdateFailedError):
            await object_("identity", "期满后的异议")

        await decide(second.id, "answer")
        # Waiting for the result would let the shared test server skip time for every other case.
        with env.auto_time_skipping_disabled():
            final = await handle.result()
    assert final.status == CaseStatus.COMPLETED
    assert [(o["kind_label"], o["outcome"]) for o in final.facts["objections"]] == [("业主身份异议", "uphold"), ("候选人资格异议", "answer")]
    assert final.facts["notice"]["closed"] >= final.facts["notice"]["passed_at"]
    events = [e for p in kept.seen for e in p.events]
    assert [e.data.get("open_objections") for e in events if e.kind == "step" and e.comment == PASSED] == [1]
    assert [e.data for e in events if e.decision == "object"] == [{"kind": "identity"}, {"kind": "candidate"}]


def test_a_calendar_day_answer_period_takes_its_yellow_card_from_the_rules() -> None:
    with pytest.raises(ValueError, match="remind_before"):
        AnswerPolicy(step="objection", roles=(Role.CLERK,), period=timedelta(days=3))
    policy = AnswerPolicy(step="objection", roles=(Role.CLERK,), period=timedelta(days=3), remind_before=timedelta(days=1))
    assert policy.remind_before == timedelta(days=1)
