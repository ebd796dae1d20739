"""The request's session is its unit of work: stored only when the answer says so.

The probe routes below are mounted on a real app over the real database; they write through the
repositories as any route does and then fail in the ways a route can fail.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest_asyncio
from fastapi import APIRouter
from httpx import ASGITransport, AsyncClient
from sqlalchemy import event, func, insert, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import SessionDep
from api.errors import Invalid
from api.main import create_app
from core.settings import Settings
from db.models import Ballot, LedgerEntry
from db.repositories import election as election_repo
from db.repositories import fund as fund_repo
from db.session import after_commit
from tests.factories import create_test_estate
from tests.fixture_types import Sessions

probe = APIRouter(prefix="/probe")
# What the after-commit callbacks of the probes saw (they must not run when the commit failed).
ran_after_commit: list[str] = []


async def _deposit(session: AsyncSession, household_id: str, memo: str) -> None:
    await fund_repo.deposit(session, household_id=household_id, amount_fen=777, at=datetime.now(UTC), memo=memo)


@probe.post("/{household_id}/fails-after-writing")
async def fails_after_writing(household_id: str, session: SessionDep) -> None:
    await _deposit(session, household_id, "fails-after-writing")
    raise Invalid("refused after the deposit was written")


@probe.post("/{household_id}/commit-violates-a-key")
async def commit_violates_a_key(household_id: str, session: SessionDep) -> dict[str, str]:
    """The handler succeeds; the deferred constraint fails only at the commit."""
    await _deposit(session, household_id, "commit-violates-a-key")
    if session.bind.dialect.name == "sqlite":
        await session.execute(text("PRAGMA defer_foreign_keys = ON"))
        await session.execute(insert(LedgerEntry).values(
            household_id="no-such-household", at=datetime.now(UTC), kind="deposit", amount_fen=1, balance_after_fen=1,
        ))
    else:
        await session.execute(text(
            "CREATE TEMP TABLE uow_probe (k int, CONSTRAINT uow_probe_k UNIQUE (k) DEFERRABLE INITIALLY DEFERRED) ON COMMIT DROP"
        ))
        await session.execute(text("INSERT INTO uow_probe VALUES (1), (1)"))

    async def remember() -> None:
        ran_after_commit.append(household_id)

    after_commit(session, remember)
    return {"status": "handler finished"}


@probe.post("/{household_id}/commit-loses-the-connection")
async def commit_loses_the_connection(household_id: str, session: SessionDep) -> dict[str, str]:
    await _deposit(session, household_id, "commit-loses-the-connection")

    def connection_lost(_session: AsyncSession) -> None:
        raise OperationalError("COMMIT", {}, ConnectionResetError("server closed the connection"))

    event.listen(session.sync_session, "before_commit", connection_lost, once=True)
    return {"status": "handler finished"}


@probe.post("/{household_id}/stores")
async def stores(household_id: str, session: SessionDep) -> dict[str, str]:
    await _deposit(session, household_id, "stores")

    async def remember() -> None:
        ran_after_commit.append(household_id)

    after_commit(session, remember)
    return {"status": "stored"}


@probe.post("/elections/{election_id}/ballots/{household_id}")
async def duplicate_ballot(election_id: str, household_id: str, session: SessionDep) -> dict[str, str]:
    await election_repo.insert_ballots(session, [_ballot_row(election_id, household_id)])
    return {"status": "stored"}


def _ballot_row(election_id: str, household_id: str) -> dict[str, object]:
    return {
        "election_id": election_id, "household_id": household_id, "owner_key": household_id, "choices": ["c1"],
        "channel": "paper", "entered_by": "probe", "batch_id": "probe", "cast_at": datetime.now(UTC), "receipt": "r",
    }


@pytest_asyncio.fixture(scope="module")
async def probe_api(settings: Settings, sessions: Sessions) -> AsyncIterator[AsyncClient]:
    app = create_app(settings)
    app.include_router(probe)
    async with app.router.lifespan_context(app), AsyncClient(transport=ASGITransport(app=app), base_url="http://test", timeout=60) as client:
        yield client


async def _deposits(sessions: Sessions, household_id: str, memo: str) -> int:
    async with sessions() as s:
        stmt = select(func.count()).select_from(LedgerEntry).where(LedgerEntry.household_id == household_id, LedgerEntry.memo == memo)
        return int(await s.scalar(stmt) or 0)


async def test_a_route_that_fails_after_writing_leaves_nothing_stored(probe_api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings)
    household = cast.households[0]
    r = await probe_api.post(f"/probe/{household}/fails-after-writing")
    assert r.status_code == 422 and r.json()["type"] == "/problems/validation-error"
    assert await _deposits(sessions, household, "fails-after-writing") == 0

    r = await probe_api.post(f"/probe/{household}/stores")
    assert r.status_code == 200
    assert await _deposits(sessions, household, "stores") == 1
    assert household in ran_after_commit


async def test_a_failed_commit_answers_with_a_problem_never_2xx(probe_api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    """FastAPI would run a default-scope dependency's commit after sending 2xx; ours runs before the response."""
    cast = await create_test_estate(sessions, settings)
    household = cast.households[1]
    r = await probe_api.post(f"/probe/{household}/commit-violates-a-key")
    assert r.status_code == 409, r.text
    assert r.headers["content-type"] == "application/problem+json" and r.json()["type"] == "/problems/conflict"
    assert "nothing was stored" in r.json()["detail"]
    assert await _deposits(sessions, household, "commit-violates-a-key") == 0
    assert household not in ran_after_commit  # no Temporal call for rows that were never stored

    r = await probe_api.post(f"/probe/{household}/commit-loses-the-connection")
    assert r.status_code == 503 and r.json()["type"] == "/problems/unavailable"
    assert await _deposits(sessions, household, "commit-loses-the-connection") == 0


async def test_a_unique_violation_is_a_409_problem_not_a_500(probe_api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings)
    election_id = f"{cast.estate_id}-case:1"
    async with sessions() as s:
        await election_repo.open_election(
            s, election_id=election_id, case_id=f"{cast.estate_id}-case", estate_id=cast.estate_id, attempt=1, seats=5,
            candidates=[{"id": "c1"}], at=datetime.now(UTC),
        )
        await election_repo.insert_ballots(s, [_ballot_row(election_id, cast.households[0])])
        await s.commit()

    r = await probe_api.post(f"/probe/elections/{election_id}/ballots/{cast.households[0]}")
    assert r.status_code == 409 and r.json()["type"] == "/problems/conflict"
    assert r.json()["detail"] == "a ballot for one of these units was recorded meanwhile; nothing was stored"
    r = await probe_api.post(f"/probe/elections/{election_id}/ballots/{cast.households[1]}")
    assert r.status_code == 200
    async with sessions() as s:
        stored = await s.scalars(select(Ballot.household_id).where(Ballot.election_id == election_id).order_by(Ballot.household_id))
        assert list(stored) == sorted(cast.households[:2])
