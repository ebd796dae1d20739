"""The toy approval's workflow: nothing but the shared mechanism."""

from __future__ import annotations

from typing import ClassVar

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.access import Role
    from domain.cases import CaseSnapshot, CaseStatus
    from domain.tasks import Decision as D
    from tests.toy_process.domain import PROCESS_KIND, PROCESS_LABEL, STEP_LABELS, CheckData, Step, ToyFacts
    from tests.toy_process.models import ToyInput
    from workflows.human_tasks import CaseWorkflow, DecisionModels


@workflow.defn(name="ToyApproval")
class ToyApprovalWorkflow(CaseWorkflow):
    kind = PROCESS_KIND
    kind_label = PROCESS_LABEL
    step_labels = STEP_LABELS
    decision_data: ClassVar[DecisionModels] = {(Step.STREET_CHECK, D.APPROVE): CheckData}

    @workflow.init
    def __init__(self, inp: ToyInput) -> None:
        self.init_case(case_id=inp.case_id, title=inp.request.subject, scope=inp.scope, initiator=inp.initiator,
                       first_step=Step.REQUESTED)
        self._inp = inp
        self._findings: str | None = None

    @workflow.run
    async def run(self, inp: ToyInput) -> CaseSnapshot:
        return await self.run_process(self._process)

    async def _process(self) -> None:
        self.enter_step(Step.STREET_CHECK)
        check = await self.open_task(Step.STREET_CHECK, [Role.STREET_OFFICE], decisions=[D.APPROVE, D.REJECT],
                                     sla_working_days=self._inp.rules.check_working_days)
        await self.wait_for([check])
        if check.outcome == D.REJECT:
            self.finish(CaseStatus.REJECTED, Step.CLOSED)
            return
        self._findings = self.data_of(check, CheckData).findings
        self.enter_step(Step.BUREAU_APPROVAL)
        approval = await self.open_task(Step.BUREAU_APPROVAL, [Role.HOUSING_BUREAU], decisions=[D.APPROVE, D.REJECT])
        await self.wait_for([approval])
        self.finish(CaseStatus.COMPLETED if approval.outcome == D.APPROVE else CaseStatus.REJECTED, Step.CLOSED)

    def facts(self) -> ToyFacts:
        return ToyFacts(subject=self._inp.request.subject, findings=self._findings)
