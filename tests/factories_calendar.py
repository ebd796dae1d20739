"""Builders for holiday-calendar tests: a made-up year to publish, undoing a publication, a test server on a chosen date."""

from __future__ import annotations

import glob
import shutil
import stat
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.testing import WorkflowEnvironment

from core.temporal import DATA_CONVERTER
from db.models import AuditEntry, AuditHead, HolidayCalendarYear
from db.repositories.holiday_calendar import audit_chain_id
from tests.tamper import tamper


def year_body(year: int, notice: str = "测试用通知（非国务院办公厅通知）", **changes: Any) -> dict[str, Any]:
    """A made-up year for tests, shaped like a notice: 元旦 1–3 January, 春节 a week in February, one 调休 Saturday."""
    body: dict[str, Any] = {
        "notice": notice,
        "holidays": [{"name": "元旦", "first": f"{year}-01-01", "last": f"{year}-01-03"},
                     {"name": "春节", "first": f"{year}-02-06", "last": f"{year}-02-12"}],
        "makeup_workdays": [],
    }
    body.update(changes)
    return body


async def unpublish(sessions: async_sessionmaker[AsyncSession], year: int) -> None:
    """Remove a year a test published, and its audit chain, so later tests count on the seeded years only."""
    async with sessions() as session, session.begin():
        await session.execute(delete(HolidayCalendarYear).where(HolidayCalendarYear.year == year))
        await session.execute(delete(AuditHead).where(AuditHead.chain_id == audit_chain_id(year)))
    await tamper(sessions, delete(AuditEntry).where(AuditEntry.case_id == audit_chain_id(year)))


def libfaketime() -> str:
    """Debian's libfaketime (package faketime; `make test` installs it)."""
    for pattern in ("/usr/lib/*/faketime/libfaketime.so.1", "/usr/lib/faketime/libfaketime.so.1", "/usr/local/lib/faketime/libfaketime.so.1"):
        found = sorted(glob.glob(pattern))
        if found:
            return found[0]
    raise RuntimeError("libfaketime is not installed: `make test` installs it (apt-get install faketime)")


@asynccontextmanager
async def server_starting_at(moment: datetime, server: str) -> AsyncIterator[WorkflowEnvironment]:
    """The time-skipping test server with its clock starting at ``moment`` (libfaketime), whatever day the suite runs.

    The suite's shared server starts at today's date and only ever moves forward; a test about a
    date (New Year 2027) needs a server that starts on it. The library is preloaded into the
    server itself (the ``faketime`` command would run it as a child the SDK cannot stop).
    """
    folder = Path(tempfile.mkdtemp(prefix="wuyeflow-faketime-"))
    wrapper = folder / "temporal-test-server"
    start = moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    wrapper.write_text(
        f'#!/bin/sh\nexec env TZ=UTC LD_PRELOAD="{libfaketime()}" FAKETIME="@{start}" "{server}" "$@"\n', encoding="utf-8",
    )
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    env = await WorkflowEnvironment.start_time_skipping(data_converter=DATA_CONVERTER, test_server_existing_path=str(wrapper))
    try:
        yield env
    finally:
        await env.shutdown()
        shutil.rmtree(folder, ignore_errors=True)
