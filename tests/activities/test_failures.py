"""Activity failures reach Temporal short and informative: the activity, the case, the cause's class and its start."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio import workflow
from temporalio.client import WorkflowFailureError
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from activities.failures import ShortFailureInterceptor
from activities.fund_emergency import FundEmergencyActivities, PaymentRequest
from core.settings import Settings
from db.session import make_engine, make_session_factory
from tests.fixture_types import WorkflowEnvironment
from worker import worker_interceptors


@workflow.defn(name="PaymentProbe")
class PaymentProbe:
    """Pays once, with no retry, so the test reads the activity's failure as the workflow sees it."""

    @workflow.run
    async def run(self, request: PaymentRequest) -> None:
        await workflow.execute_activity(
            "fund_emergency_pay", request, start_to_close_timeout=timedelta(seconds=30),
            retry_policy=RetryPolicy(maximum_attempts=1),
        )


async def test_a_failed_payment_attempt_reports_a_short_message(env: WorkflowEnvironment, settings: Settings, tmp_path: Path) -> None:
    # The database cannot be opened (the path is a directory): every attempt fails in the driver.
    broken = settings.model_copy(update={"database_url": f"sqlite+aiosqlite:///{tmp_path}"})
    engine = make_engine(broken)
    case_id = f"fund-emergency-probe-{uuid.uuid4().hex[:6]}"
    request = PaymentRequest(case_id=case_id, kind="first", amount_fen=100, estate_id="e" * 5_000, scope="estate")
    # The worker the project runs keeps activity failures short; this test's worker does as it does.
    assert any(isinstance(i, ShortFailureInterceptor) for i in worker_interceptors(settings))
    worker_queue = f"failures-{uuid.uuid4().hex[:6]}"
    try:
        async with Worker(env.client, task_queue=worker_queue, workflows=[PaymentProbe], workflow_runner=UnsandboxedWorkflowRunner(),
                          activities=[FundEmergencyActivities(make_session_factory(engine)).pay],
                          interceptors=[ShortFailureInterceptor()]):
            with pytest.raises(WorkflowFailureError) as failed:
                await env.client.execute_workflow(PaymentProbe.run, request, id=case_id, task_queue=worker_queue)
    finally:
        await engine.dispose()
    activity_error = failed.value.cause
    assert isinstance(activity_error, ActivityError)
    cause = activity_error.cause
    assert isinstance(cause, ApplicationError) and cause.type == "OperationalError"
    assert cause.message.startswith(f"fund_emergency_pay for {case_id} failed: OperationalError: ")
    assert len(cause.message.encode()) < 1024 and cause.cause is None
    assert cause.failure is not None and cause.failure.ByteSize() < 4096
