"""The 物业管理委员会 after two failed attempts: the street forms it and publishes its list (潍坊 Arts. 41–43).

The residents' committee acts for the owners from the second failure (the registry says so at once);
the street then forms the committee of residents' committee, owners' and occupants' representatives,
owners at least half, chaired by the residents' committee (``check_acting_body``).
"""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.access import Role
    from domain.election import ActingBodyData, Step
    from domain.election_facts import ActingBody
    from domain.rules import ElectionRules
    from domain.tasks import Decision
    from workflows.human_tasks import CaseWorkflow

# Patch id: the street forms the 物业管理委员会 as a task with its composition checked; cases before it
# recorded the residents' committee as the acting body and closed.
ACTING_FORMATION = "election-acting-body-formation"


async def form_acting_body(case: CaseWorkflow, rules: ElectionRules, body: ActingBody) -> None:
    """The street's formation task; its members and notice go into ``body`` (nothing for a case before the patch)."""
    if not workflow.patched(ACTING_FORMATION):
        return
    case.enter_step(Step.ACTING_FORMATION)
    task = await case.open_task(
        Step.ACTING_FORMATION, [Role.STREET_OFFICE], decisions=[Decision.SUBMIT],
        sla_working_days=rules.acting_formation_working_days, escalate_to=[Role.HOUSING_BUREAU],
        note="组建物业管理委员会：居委会代表任主任，业主代表不少于二分之一，并公示成员名单",
    )
    await case.wait_for([task])
    data = case.data_of(task, ActingBodyData)
    body.members, body.notice = list(data.members), data.notice
