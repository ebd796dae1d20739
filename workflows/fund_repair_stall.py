"""聊城 Art. 51: a stalled repair is urged with a deadline (督促限期完成), then taken over.

业主委员会、物业服务人对需要应急维修的事项未及时维修…的，街道办事处…应当督促其限期完成；逾期仍未进行维修…的，
街道办事处…可以组织维修. The responsible party shows the repair under way by submitting its budget. When
none comes within ``repair_stall_after`` of the verification, the street office is tasked to urge it; its
order sets the deadline (``urge_period``, to 24:00 of its last day, off a rest day), and when that passes
with no budget the street office organises the repair and submits the budget itself. A joint verification
not countersigned within ``verification_deadline`` of the report is urged the same way (``urged``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.access import Role
    from domain.fund_emergency import Step
    from domain.fund_facts import StreetUrge
    from domain.tasks import Decision, HumanTask
    from workflows.calendar_periods import calendar_sla, statute_party_deadline

if TYPE_CHECKING:
    from workflows.fund_emergency import MaintenanceFundEmergencyWorkflow

# Patch id: the urging and takeover of a repair that stalls after its verification.
REPAIR_STALL = "fund-repair-stall-takeover"
# Patch id: a verification not countersigned in time is urged with a deadline too, before the street takes over
# (聊城 Art. 51: 应当督促其限期完成；逾期仍未进行维修的…可以组织维修); before, the street took over at once.
VERIFICATION_URGED = "fund-verification-urged"
# Patch id: the time a budget is due before the street urges it is the budget task's due time (a visible period).
STALL_DEADLINE_SHOWN = "fund-stall-deadline-shown"


async def submitted_budget(case: MaintenanceFundEmergencyWorkflow, task: HumanTask) -> HumanTask:
    """Wait for the budget ``task`` of the responsible party; urge and take over a stalled repair (the street's task then)."""
    rules = case.rules
    if case.taken_over or not workflow.patched(REPAIR_STALL):
        await case.wait_for([task])
        return task
    stall = workflow.now() + rules.repair_stall_after
    if workflow.patched(STALL_DEADLINE_SHOWN):
        task.due_at = stall  # the responsible party sees by when its budget is due before the street urges it
    if await case.wait_for([task], until=stall) is not None:
        return task
    if await urged(case, task, "no budget since the verification: the street office urges the repair (聊城 Art. 51)",
                   acted="the responsible party submitted its budget"):
        return task
    assert case.urge is not None
    await case.street_takeover(case.urge.deadline)
    case.enter_step(Step.BUDGET_SUBMISSION)
    street = await case.open_task(Step.BUDGET_SUBMISSION, [Role.STREET_OFFICE], decisions=[Decision.SUBMIT])
    await case.wait_for([street])
    return street


async def urged(case: MaintenanceFundEmergencyWorkflow, task: HumanTask, why: str, *, acted: str) -> bool:
    """督促限期完成 on ``task`` of the responsible parties: True once it is decided, False when the deadline the street
    office set passed (``task`` then cancelled: the street office takes the repair over)."""
    rules = case.rules
    case.enter_step(Step.STREET_URGE, comment=why)
    urge = await case.open_task(Step.STREET_URGE, [Role.STREET_OFFICE], decisions=[Decision.URGE],
                                sla_working_days=rules.urge_order_working_days, escalate_to=[Role.HOUSING_BUREAU],
                                note="督促责任人限期完成应急维修")
    if await case.wait_for([task, urge]) is task:
        case.cancel_task(urge, acted)
        return True
    deadline = await statute_party_deadline(workflow.now(), rules.urge_period)
    case.urge = StreetUrge(urged_at=workflow.now(), deadline=deadline)
    task.reminded_at = task.overdue_at = None  # the cards start afresh for the deadline the street set
    calendar_sla(task, deadline, remind_before=rules.urge_period / 3)
    case.enter_step(task.step, comment="督促限期完成", deadline=deadline.isoformat())
    if await case.wait_for([task], until=deadline) is not None:
        return True
    case.cancel_task(task, "the deadline the street office set passed; the street office takes over (聊城 Art. 51)")
    return False
