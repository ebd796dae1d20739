"""After a database restore: move each case-id counter past the ids Temporal already holds.

A case id ``<kind>-<key>-<yyyymmdd>-<n>`` takes ``n`` from a counter in our database. Restored
from a backup while Temporal kept running, the counters of the current days fall behind the
workflows Temporal holds. Only the current city days matter (a new id is dated today), so the
worker lists the workflows started since the start of yesterday and raises each counter to the
highest number it finds. The start path's own check (``api.start_identity``) remains the guard.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client

from db.repositories import cases as cases_repo
from domain.calendar import CITY_TZ

CASE_NUMBER = re.compile(r"^(?P<prefix>.+-\d{8})-(?P<n>\d+)$")
LIST_LIMIT = 200_000  # workflows read at most: two days of a busy city, far below it


def since_yesterday(now: datetime) -> datetime:
    """The start of yesterday in city time: the oldest day whose ids a new start could still collide with."""
    yesterday = now.astimezone(CITY_TZ).date() - timedelta(days=1)
    return datetime.combine(yesterday, time.min, tzinfo=CITY_TZ)


async def highest_case_numbers(client: Client, since: datetime) -> dict[str, int]:
    """The highest running number per case-id prefix among the workflows Temporal lists as started since ``since``."""
    query = f'StartTime >= "{since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}"'
    highest: dict[str, int] = {}
    async for execution in client.list_workflows(query, limit=LIST_LIMIT):
        match = CASE_NUMBER.match(execution.id)
        if match is not None:
            prefix, number = match["prefix"], int(match["n"])
            highest[prefix] = max(highest.get(prefix, 0), number)
    return highest


async def move_counters_past_temporal(
    client: Client, sessions: async_sessionmaker[AsyncSession], *, now: datetime | None = None,
) -> dict[str, int]:
    """Raise every current case counter to the highest id Temporal holds; returns the counters moved."""
    highest = await highest_case_numbers(client, since_yesterday(now or datetime.now(UTC)))
    moved: dict[str, int] = {}
    async with sessions() as session, session.begin():
        for prefix, number in sorted(highest.items()):
            if await cases_repo.raise_case_counter(session, prefix, number):
                moved[prefix] = number
    return moved
