"""A parent that starts a child it abandons, and the child that outlives it by a day (as a committee term outlives its election)."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.workflow import ParentClosePolicy


@workflow.defn(name="TestOutlivingChild")
class OutlivingChild:
    @workflow.run
    async def run(self) -> str:
        await workflow.sleep(timedelta(days=1))
        return "done"


@workflow.defn(name="TestAbandoningParent")
class AbandoningParent:
    @workflow.run
    async def run(self, child_id: str) -> None:
        await workflow.start_child_workflow(OutlivingChild.run, id=child_id, parent_close_policy=ParentClosePolicy.ABANDON)
