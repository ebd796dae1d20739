"""The worker's side of the actor seal: refuse any update or start whose actor the API did not seal.

An interceptor, so every update of every process is covered without each validator repeating
the check. A refused update never enters the history (validators do not run on replay, and a
refusal writes nothing); a start whose initiator is not sealed fails before the process runs.
"""

from __future__ import annotations

from typing import Any

from temporalio import workflow
from temporalio.exceptions import ApplicationError
from temporalio.worker import (
    ExecuteWorkflowInput,
    HandleUpdateInput,
    Interceptor,
    WorkflowInboundInterceptor,
    WorkflowInterceptorClassInput,
)

with workflow.unsafe.imports_passed_through():
    from domain.access import Actor
    from domain.actor_seal import seal_problem


def _actor_of(arg: Any) -> Actor | None:
    actor = getattr(arg, "actor", None)
    return actor if isinstance(actor, Actor) else None


class ActorSealInterceptor(Interceptor):
    """Checks the seal on the actor of every update (and on a case's initiator at its start)."""

    def __init__(self, key: str, *, check_expiry: bool = True) -> None:
        self._key = key
        self._check_expiry = check_expiry

    def workflow_interceptor_class(self, input: WorkflowInterceptorClassInput) -> type[WorkflowInboundInterceptor]:
        key, expiry = self._key, self._check_expiry

        class SealChecking(WorkflowInboundInterceptor):
            def handle_update_validator(self, input: HandleUpdateInput) -> None:
                for arg in input.args:
                    actor = _actor_of(arg)
                    problem = seal_problem(actor, key, workflow.now() if expiry else None) if actor is not None else None
                    if problem is not None:
                        raise ApplicationError(problem, {"errors": []}, type="Refused.forbidden", non_retryable=True)
                super().handle_update_validator(input)

            async def execute_workflow(self, input: ExecuteWorkflowInput) -> Any:
                # Only a start from outside is checked: our own workflows start children (the
                # re-election, the handover) with the initiator they were given.
                initiator = getattr(input.args[0], "initiator", None) if input.args else None
                fresh = not workflow.unsafe.is_replaying() and workflow.info().parent is None
                if fresh and isinstance(initiator, Actor):
                    # Valid when the server accepted the start, however long the first task waited for a worker.
                    problem = seal_problem(initiator, key, workflow.info().start_time if expiry else None)
                    if problem is not None:
                        raise ApplicationError(f"the case was not started through the API: {problem}", type="UnsealedInitiator",
                                               non_retryable=True)
                return await super().execute_workflow(input)

        return SealChecking
