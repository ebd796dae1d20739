"""The deactivated-subjects cache reads the users table once per expiry, however many requests arrive."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from api import auth
from db.repositories import users as users_repo
from tests.fixture_types import Sessions


async def test_a_burst_after_the_cache_expired_reads_the_users_table_once(sessions: Sessions, monkeypatch: pytest.MonkeyPatch) -> None:
    reads = 0
    real = users_repo.deactivated_subjects

    async def counted(*args: Any, **kwargs: Any) -> frozenset[str]:
        nonlocal reads
        reads += 1
        await asyncio.sleep(0.05)  # the table read takes a while, as under load
        return await real(*args, **kwargs)

    monkeypatch.setattr(users_repo, "deactivated_subjects", counted)
    cache = auth.DeactivatedSubjects(sessions, ttl=60)
    answers = await asyncio.gather(*(cache.contains(f"subject-{n}") for n in range(50)))
    assert answers == [False] * 50
    assert reads == 1
    cache.forget()
    await asyncio.gather(*(cache.contains("subject-x") for _ in range(10)))
    assert reads == 2
