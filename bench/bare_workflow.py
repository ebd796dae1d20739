"""The baseline: a bare Temporal workflow with a given number of updates, activities and local activities.

Nothing of wuyeflow is imported here: no pydantic converter, no read model, no task mechanism.
It repeats a :class:`bench.shape.Shape` plan: after the i-th update (the first comes with the
start) it runs that update's activities in order, then the update answers; after the last one
it waits on a long timer, as a fund case waits in its public notice.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import activity, workflow
from temporalio.exceptions import ApplicationError

TIMEOUT = timedelta(seconds=60)
WORKFLOW_NAME = "BenchBare"


@activity.defn(name="bench_bare_activity")
async def bare_activity(step: int) -> int:
    """A regular activity that does nothing."""
    return step


@activity.defn(name="bench_bare_local")
async def bare_local(step: int) -> int:
    """A local activity that does nothing."""
    return step


@workflow.defn(name=WORKFLOW_NAME)
class BareWorkflow:
    """Runs the plan it is started with, one update at a time."""

    @workflow.init
    def __init__(self, plan: list[list[str]]) -> None:
        self._arrived = 0
        self._done = 0

    @workflow.run
    async def run(self, plan: list[list[str]]) -> int:
        for i, ops in enumerate(plan):
            await workflow.wait_condition(lambda i=i: self._arrived > i)
            for op in ops:
                if op == "activity":
                    await workflow.execute_activity(bare_activity, i, start_to_close_timeout=TIMEOUT)
                else:
                    await workflow.execute_local_activity(bare_local, i, start_to_close_timeout=TIMEOUT)
            self._done = i + 1
        await workflow.sleep(timedelta(days=5))
        return self._done

    @workflow.update
    async def step(self, n: int) -> int:
        """The n-th decision: answers once the workflow has run that step's activities."""
        self._arrived += 1
        await workflow.wait_condition(lambda: self._done > n)
        return self._done

    @step.validator
    def _validate_step(self, n: int) -> None:
        if n != self._arrived:
            raise ApplicationError(f"expected step {self._arrived}, got {n}", non_retryable=True)
