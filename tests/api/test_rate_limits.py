"""Rate limits per token and per address (429 + Retry-After), and no request queues for seconds behind 200 others."""

from __future__ import annotations

import asyncio
import secrets
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from httpx import ASGITransport

from api.auth import issue_token
from api.main import create_app
from api.routes import inbox as inbox_route
from db.repositories import rate_limits
from db.session import transaction
from domain.access import Level, Role
from tests.factories import create_test_estate, make_actor
from tests.fixture_types import AsyncClient, Sessions, Settings, WorkflowEnvironment


def an_address() -> str:
    """A client address of its own: the buckets are rows of the shared database and outlive a test."""
    return f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}"


@asynccontextmanager
async def limited_api(
    settings: Settings, env: WorkflowEnvironment, address: str | None = None, **overrides: Any,
) -> AsyncIterator[tuple[AsyncClient, Any]]:
    """One API process with the rate limits on (its own app: its own pools, caches and limits) over ASGI from ``address``."""
    # An hour's period: nothing refills while a test runs, however slowly.
    local = settings.model_copy(update={"rate_limit_enabled": True, "rate_limit_period_seconds": 3600, **overrides})
    app = create_app(local, client=env.client)
    transport = ASGITransport(app=app, client=(address or an_address(), 40000))
    async with app.router.lifespan_context(app), AsyncClient(transport=transport, base_url="http://test", timeout=60) as client:
        yield client, app


async def test_a_bucket_refills_at_its_rate(sessions: Sessions) -> None:
    key = f"test:{uuid.uuid4().hex}"

    async def take(now: float) -> float:
        async with transaction(sessions) as session:
            return await rate_limits.take(session, key, capacity=2, period=60, now=now)

    assert await take(0) == 0 and await take(0) == 0
    assert await take(0) == 30.0  # one request every 30 s
    assert await take(29) > 0 and await take(31) == 0
    assert await take(10) > 0  # a clock behind the stored one refills nothing
    async with transaction(sessions) as session:
        assert await rate_limits.take(session, f"{key}:other", capacity=2, period=60, now=0) == 0
        assert await rate_limits.forget_full(session, now=31 + 60.5, period=60) >= 1  # full again: forgotten
        assert await rate_limits.take(session, key, capacity=2, period=60, now=31 + 60.5) == 0


async def test_decisions_are_limited_per_token_and_per_address(
    env: WorkflowEnvironment, sessions: Sessions, settings: Settings, worker: None,
) -> None:
    cast = await create_test_estate(sessions, settings)
    url = "/cases/fund-emergency-nope-20200101-1/tasks/t1/decisions"
    async with limited_api(settings, env, rate_limits={**settings.rate_limits, "decision": (3, 5)}) as (api, _):
        for _ in range(3):
            assert (await api.post(url, json={"decision": "confirm"}, headers=cast.headers("owner_rep"))).status_code == 404
        r = await api.post(url, json={"decision": "confirm"}, headers=cast.headers("owner_rep"))
        assert r.status_code == 429 and r.headers["content-type"] == "application/problem+json"
        assert r.json()["type"] == "/problems/rate-limited" and 1100 < int(r.headers["retry-after"]) <= 1200
        # Another token from the same address still decides, until the address's own rate is spent.
        assert (await api.post(url, json={"decision": "confirm"}, headers=cast.headers("committee"))).status_code == 404
        assert (await api.post(url, json={"decision": "confirm"}, headers=cast.headers("company"))).status_code == 404
        r = await api.post(url, json={"decision": "confirm"}, headers=cast.headers("agency"))
        assert r.status_code == 429 and "retry-after" in r.headers
        # Reads are not rate limited.
        assert (await api.get("/inbox", headers=cast.headers("owner_rep"))).status_code == 200


async def test_intake_exports_and_replays_are_limited(env: WorkflowEnvironment, sessions: Sessions, settings: Settings, worker: None) -> None:
    cast = await create_test_estate(sessions, settings)
    one = {"intake": (1, 100), "export": (1, 100), "replay": (1, 100), "decision": (100, 100)}
    async with limited_api(settings, env, rate_limits=one) as (api, _):
        calls = [
            ("POST", "/tickets", "dispatcher", {"json": {}}),
            ("GET", "/tickets/export.csv", "dispatcher", {}),
            ("GET", "/audit/cases/nope/history", "auditor", {}),
            ("POST", "/audit/cases/nope/replay", "auditor", {}),
        ]
        for method, path, who, kwargs in calls:
            first = await api.request(method, path, headers=cast.headers(who), **kwargs)
            again = await api.request(method, path, headers=cast.headers(who), **kwargs)
            assert first.status_code != 429 and again.status_code == 429, (path, first.status_code, again.status_code)
            assert 3500 < int(again.headers["retry-after"]) <= 3600


async def test_two_hundred_concurrent_inbox_reads_are_answered_or_shed_quickly(
    env: WorkflowEnvironment, sessions: Sessions, settings: Settings, worker: None, monkeypatch: pytest.MonkeyPatch,
) -> None:
    cast = await create_test_estate(sessions, settings)
    tokens = [issue_token(settings, make_actor(Role.OWNER_REP, Level.ESTATE, cast.estate_id)) for _ in range(20)]
    in_flight, most = 0, 0
    read_inbox = inbox_route.cases_repo.inbox

    async def counted(*args: Any, **kwargs: Any) -> Any:
        nonlocal in_flight, most
        in_flight += 1
        most = max(most, in_flight)
        try:
            return await read_inbox(*args, **kwargs)
        finally:
            in_flight -= 1

    monkeypatch.setattr(inbox_route.cases_repo, "inbox", counted)
    async with limited_api(settings, env, max_concurrent_requests=16, queue_wait_seconds=0.2) as (api, _):

        async def read(n: int) -> tuple[int, float, str | None]:
            started = time.perf_counter()
            r = await api.get("/inbox", headers={"Authorization": f"Bearer {tokens[n % len(tokens)]}"})
            return r.status_code, time.perf_counter() - started, r.headers.get("retry-after")

        answers = await asyncio.gather(*(read(n) for n in range(200)))
    statuses = [status for status, _, _ in answers]
    assert set(statuses) == {200, 503}, set(statuses)  # some are shed rather than queued
    assert all(retry == "1" for status, _, retry in answers if status == 503)
    assert most <= 16 and statuses.count(200) >= 16
    # How fast they are answered is measured in bench/ (the inbox benchmark), not asserted on a shared machine.
