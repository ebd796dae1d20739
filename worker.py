"""The worker: one process that runs every workflow and activity of wuyeflow."""

from __future__ import annotations

import asyncio

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client
from temporalio.worker import Worker

from activities.cases import CaseActivities
from activities.fund_emergency import FundEmergencyActivities
from core.logging import LogContextInterceptor, configure_logging
from core.settings import Settings, get_settings
from core.temporal import connect
from db.session import make_engine, make_session_factory
from workflows.fund_emergency import MaintenanceFundEmergencyWorkflow

WORKFLOWS = [MaintenanceFundEmergencyWorkflow]


def build_activities(session_factory: async_sessionmaker[AsyncSession]) -> list[object]:
    """Every activity, bound to its dependencies."""
    cases = CaseActivities(session_factory)
    fund = FundEmergencyActivities(session_factory)
    return [cases.project_case, cases.compute_sla, fund.load_context, fund.pay]


def build_worker(client: Client, settings: Settings, session_factory: async_sessionmaker[AsyncSession]) -> Worker:
    """A worker on the configured task queue with every workflow and activity registered."""
    return Worker(
        client,
        task_queue=settings.task_queue,
        workflows=WORKFLOWS,
        activities=build_activities(session_factory),
        interceptors=[LogContextInterceptor()],
    )


async def main() -> None:
    settings = get_settings()
    configure_logging(settings)
    log = structlog.get_logger("worker")
    engine = make_engine(settings)
    client = await connect(settings)
    worker = build_worker(client, settings, make_session_factory(engine))
    log.info("worker started", task_queue=settings.task_queue, temporal=settings.temporal_address)
    try:
        await worker.run()
    finally:
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
