"""Faults between a projection and the completion of the workflow task that ran it, for tests.

A worker interceptor lets a case's workflow task fail (or hang) right after its ``project_case``
local activity committed: what a payload over a limit, a nondeterminism error, a killed worker or
a task timeout do in production. ``python -m tests.projection_faults <task queue>`` runs a worker
whose tasks hang there, for a test to kill it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from httpx import ASGITransport, AsyncClient
from temporalio import workflow
from temporalio.client import Client
from temporalio.worker import (
    HandleUpdateInput,
    Interceptor,
    StartLocalActivityInput,
    Worker,
    WorkflowInboundInterceptor,
    WorkflowInterceptorClassInput,
    WorkflowOutboundInterceptor,
)

from api.main import create_app
from core.logging import LogContextInterceptor
from core.registry import activities, workflow_types
from core.settings import Settings
from tests.fixture_types import Sessions
from workflows.actor_seal import ActorSealInterceptor

# Case id -> how many more of its workflow tasks fail right after their projection.
FAIL_AFTER_PROJECTION: dict[str, int] = {}
# Updates (by the request's Idempotency-Key, the part of the update id before '#') whose every workflow task fails after its projection.
POISONED_UPDATES: set[str] = set()
# A worker started with hang=True blocks its workflow thread after the projection of such an update.
HANG_PREFIX = "hang-after-projection-"


class InjectedTaskFailure(RuntimeError):
    """Not a Temporal failure type: raised in workflow code it fails the workflow task, which Temporal retries."""


class ProjectionFaults(Interceptor):
    """Fails (or hangs) a workflow task after its projection committed, as the switches above say."""

    def __init__(self, *, hang: bool = False) -> None:
        self.hang = hang

    def workflow_interceptor_class(self, input: WorkflowInterceptorClassInput) -> type[WorkflowInboundInterceptor]:
        hang = self.hang

        class _Inbound(WorkflowInboundInterceptor):
            poisoned = False

            def init(self, outbound: WorkflowOutboundInterceptor) -> None:
                super().init(_Outbound(outbound, self))

            async def handle_update_handler(self, input: HandleUpdateInput) -> Any:
                if input.id.split("#")[0] in POISONED_UPDATES or input.id.startswith(HANG_PREFIX):
                    self.poisoned = True
                return await super().handle_update_handler(input)

        class _Outbound(WorkflowOutboundInterceptor):
            def __init__(self, next: WorkflowOutboundInterceptor, inbound: _Inbound) -> None:
                super().__init__(next)
                self.inbound = inbound

            def start_local_activity(self, input: StartLocalActivityInput) -> Any:
                handle = super().start_local_activity(input)
                if input.activity != "project_case":
                    return handle

                async def projected() -> Any:
                    result = await handle
                    self.after_projection()
                    return result

                return asyncio.ensure_future(projected())

            def after_projection(self) -> None:
                if workflow.unsafe.is_replaying():
                    return
                if self.inbound.poisoned and hang:
                    time.sleep(300)  # the worker is killed meanwhile
                if self.inbound.poisoned:
                    raise InjectedTaskFailure("injected: the workflow task fails after its projection")
                case_id = workflow.info().workflow_id
                if FAIL_AFTER_PROJECTION.get(case_id, 0) > 0:
                    FAIL_AFTER_PROJECTION[case_id] -= 1
                    raise InjectedTaskFailure("injected: the workflow task fails once after its projection")

        return _Inbound


def faulty_worker(client: Client, settings: Settings, sessions: Sessions, *, hang: bool = False) -> Worker:
    """The worker of ``worker.build_worker`` with the fault switches in; ``hang`` needs no deadlock detector."""
    seal = ActorSealInterceptor(settings.actor_seal_key, check_expiry=settings.actor_seal_check_expiry)
    return Worker(
        client, task_queue=settings.task_queue, workflows=workflow_types(), activities=activities(sessions),
        interceptors=[LogContextInterceptor(), seal, ProjectionFaults(hang=hang)], debug_mode=hang,
    )


@asynccontextmanager
async def faulty_api(
    client: Client, sessions: Sessions, settings: Settings, *, worker: bool = True,
) -> AsyncIterator[tuple[AsyncClient, Settings]]:
    """The API on a fresh task queue, with (or, for a worker of the test's own, without) a faulty worker."""
    local = settings.model_copy(update={"task_queue": f"faults-{uuid.uuid4().hex[:6]}"})
    app = create_app(local, client=client)
    # The SDK logs each failed activation with its traceback from inside the workflow sandbox; the
    # console renderer would import (and take seconds over) rich there: the injected ones stay quiet.
    sdk_log = logging.getLogger("temporalio.worker._workflow_instance")
    level = sdk_log.level
    sdk_log.setLevel(logging.ERROR)
    try:
        async with app.router.lifespan_context(app), AsyncClient(transport=ASGITransport(app=app), base_url="http://test", timeout=90) as api:
            if not worker:
                yield api, local
                return
            async with faulty_worker(client, local, sessions):
                yield api, local
    finally:
        sdk_log.setLevel(level)


async def _hanging_worker(target: str, task_queue: str) -> None:
    from core.settings import get_settings
    from core.temporal import DATA_CONVERTER
    from db.session import make_engine, make_session_factory

    settings = get_settings().model_copy(update={"task_queue": task_queue})
    client = await Client.connect(target, data_converter=DATA_CONVERTER)
    engine = make_engine(settings)
    async with faulty_worker(client, settings, make_session_factory(engine), hang=True):
        print("worker ready", flush=True)
        await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(_hanging_worker(sys.argv[1], sys.argv[2]))
    os._exit(0)
