"""The worker: one process that runs every workflow and activity of wuyeflow."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client
from temporalio.service import RPCError
from temporalio.worker import Interceptor, Worker

from activities.failures import ShortFailureInterceptor
from core.archive_store import make_object_store
from core.case_counters import move_counters_past_temporal
from core.history_archive import HistoryArchive
from core.logging import LogContextInterceptor, configure_logging
from core.registry import ProcessSpec, activities, workflow_types
from core.settings import Settings, get_settings
from core.temporal import check_retention, connect
from db.session import make_engine, make_session_factory
from workflows.actor_seal import ActorSealInterceptor
from workflows.credit import ensure_credit_schedule
from workflows.credit_check import ensure_credit_month_schedule
from workflows.history_archive import ensure_sweep_schedule
from workflows.holiday_calendar import ensure_calendar_schedule
from workflows.ticket_report import ensure_report_schedule


def worker_interceptors(settings: Settings) -> list[Interceptor]:
    """Log context on every activity line, short activity failures, sealed actors on every update."""
    return [
        LogContextInterceptor(), ShortFailureInterceptor(),
        ActorSealInterceptor(settings.actor_seal_key, check_expiry=settings.actor_seal_check_expiry),
    ]


def build_worker(
    client: Client, settings: Settings, session_factory: async_sessionmaker[AsyncSession],
    specs: Sequence[ProcessSpec] | None = None,
) -> Worker:
    """A worker on the configured task queue with every registered process's workflows and activities."""
    archive = HistoryArchive(session_factory, make_object_store(settings, session_factory))
    return Worker(
        client,
        task_queue=settings.task_queue,
        workflows=workflow_types(specs),
        activities=activities(session_factory, specs, archive=archive, archive_on_close=settings.archive_on_close),
        interceptors=worker_interceptors(settings),
        # On a stop, running activities get this long to finish before they are cancelled.
        graceful_shutdown_timeout=timedelta(seconds=10),
    )


async def reconcile_case_counters(client: Client, sessions: async_sessionmaker[AsyncSession], log: Any) -> None:
    """A database restored behind Temporal hands out ids Temporal holds: move its counters past them first."""
    try:
        moved = await move_counters_past_temporal(client, sessions)
    except RPCError as exc:  # a visibility store that cannot list: the start path's own check still guards
        log.warning("case counters not reconciled with Temporal", error=exc.message)
        return
    if moved:
        log.warning("case counters were behind Temporal (a restored database?): moved on", counters=moved)


async def main() -> None:
    settings = get_settings()
    configure_logging(settings)
    log = structlog.get_logger("worker")
    engine = make_engine(settings)
    client = await connect(settings)
    sessions = make_session_factory(engine)
    worker = build_worker(client, settings, sessions)
    await reconcile_case_counters(client, sessions, log)
    if await ensure_report_schedule(client, settings.task_queue):
        log.info("monthly ticket report schedule created")
    if await ensure_sweep_schedule(client, settings):
        log.info("history archive sweep schedule created", every_minutes=settings.archive_sweep_minutes)
    await check_retention(client, settings, log)
    if await ensure_calendar_schedule(client, settings.task_queue):
        log.info("daily holiday calendar check schedule created")
    if await ensure_credit_schedule(client, settings.task_queue):
        log.info("quarterly credit assessment schedule created")
    if await ensure_credit_month_schedule(client, settings.task_queue):
        log.info("monthly credit check schedule created")
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
