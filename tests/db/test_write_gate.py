"""On SQLite the writers of one process take turns; on PostgreSQL they run side by side."""

from __future__ import annotations

import asyncio

from db.session import transaction
from tests.fixture_types import Sessions


async def test_sqlite_writers_of_one_process_take_turns(sessions: Sessions) -> None:
    inside: list[str] = []
    overlapped = False

    async def writer(name: str) -> None:
        nonlocal overlapped
        async with transaction(sessions):
            overlapped = overlapped or bool(inside)
            inside.append(name)
            await asyncio.sleep(0.02)
            inside.remove(name)

    await asyncio.gather(*(writer(f"w{i}") for i in range(4)))
    sqlite = sessions.kw["bind"].dialect.name == "sqlite"
    assert overlapped is not sqlite
