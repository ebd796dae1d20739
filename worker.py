"""The worker: one process that runs every workflow and activity of wuyeflow."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from datetime import timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client
from temporalio.worker import Worker

from activities.cases import CaseActivities
from activities.election import ElectionActivities
from activities.fund_emergency import FundEmergencyActivities
from activities.handover import HandoverActivities
from activities.tender import TenderActivities
from activities.ticket import TicketActivities
from activities.ticket_report import TicketReportActivities
from core.logging import LogContextInterceptor, configure_logging
from core.settings import Settings, get_settings
from core.temporal import connect
from db.session import make_engine, make_session_factory
from workflows.election import OwnersCommitteeElectionWorkflow
from workflows.election_term import CommitteeTermWorkflow
from workflows.fund_emergency import MaintenanceFundEmergencyWorkflow
from workflows.handover import PropertyHandoverWorkflow
from workflows.tender import PropertyTenderWorkflow
from workflows.ticket import ComplaintTicketWorkflow
from workflows.ticket_report import TicketMonthlyReportWorkflow, ensure_report_schedule

WORKFLOWS = [
    MaintenanceFundEmergencyWorkflow,
    PropertyTenderWorkflow,
    PropertyHandoverWorkflow,
    ComplaintTicketWorkflow,
    TicketMonthlyReportWorkflow,
    OwnersCommitteeElectionWorkflow,
    CommitteeTermWorkflow,
]


def build_activities(session_factory: async_sessionmaker[AsyncSession]) -> list[object]:
    """Every activity, bound to its dependencies."""
    cases = CaseActivities(session_factory)
    fund = FundEmergencyActivities(session_factory)
    return [
        cases.project_case, cases.compute_sla, fund.load_context, fund.pay,
        *tender_activities(session_factory),
        *ticket_activities(session_factory),
        *election_activities(session_factory),
    ]


def tender_activities(session_factory: async_sessionmaker[AsyncSession]) -> list[object]:
    """The tender's and the handover's activities."""
    tender, handover = TenderActivities(session_factory), HandoverActivities(session_factory)
    return [
        tender.load_context, tender.check_company, tender.register_bid, tender.expert_pool, tender.record_result,
        handover.add_bad_credit, handover.set_estate_company, handover.follow_up_tender_exists,
    ]


def ticket_activities(session_factory: async_sessionmaker[AsyncSession]) -> list[object]:
    """The ticket process's and its monthly report's activities."""
    tickets, report = TicketActivities(session_factory), TicketReportActivities(session_factory)
    return [tickets.load_context, tickets.save_ledger, tickets.write_credit, report.generate]


def election_activities(session_factory: async_sessionmaker[AsyncSession]) -> list[object]:
    """The committee election's activities."""
    e = ElectionActivities(session_factory)
    return [
        e.load_context, e.check_candidates, e.open_voting, e.tally, e.record_failed_attempts, e.appoint_acting_body,
        e.register_committee, e.finish_handover, e.set_certificate, e.claim_reelection,
    ]


def build_worker(client: Client, settings: Settings, session_factory: async_sessionmaker[AsyncSession]) -> Worker:
    """A worker on the configured task queue with every workflow and activity registered."""
    return Worker(
        client,
        task_queue=settings.task_queue,
        workflows=WORKFLOWS,
        activities=build_activities(session_factory),
        interceptors=[LogContextInterceptor()],
        # On a stop, running activities get this long to finish before they are cancelled.
        graceful_shutdown_timeout=timedelta(seconds=10),
    )


async def main() -> None:
    settings = get_settings()
    configure_logging(settings)
    log = structlog.get_logger("worker")
    engine = make_engine(settings)
    client = await connect(settings)
    worker = build_worker(client, settings, make_session_factory(engine))
    if await ensure_report_schedule(client, settings.task_queue):
        log.info("monthly ticket report schedule created")
    # SIGTERM (a container stop) and SIGINT (Ctrl-C) both end the worker gracefully: it stops
    # polling, lets running activities finish, and leaves the rest to the next worker.
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    log.info("worker started", task_queue=settings.task_queue, temporal=settings.temporal_address)
    try:
        async with worker:
            await stop.wait()
        log.info("worker stopped")
    finally:
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
    # The worker has shut down and the database is closed. Leave without interpreter
    # finalisation: the SDK's native runtime threads may still call into Python while it tears
    # down, which aborts the process (exit status 134) after an otherwise clean stop.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
