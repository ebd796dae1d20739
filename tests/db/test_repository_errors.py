"""Repositories answer a violated key or a missing reference with the data layer's errors, never IntegrityError."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.settings import Settings
from db.errors import AlreadyExists, ConflictingWrite, NotFound
from db.repositories import audit as audit_repo
from db.repositories import election as election_repo
from db.repositories import fund as fund_repo
from db.session import transaction
from domain.audit import AuditEvent
from tests.factories import create_test_estate
from tests.fixture_types import Sessions


def _ballot(election_id: str, household_id: str) -> dict[str, object]:
    return {
        "election_id": election_id, "household_id": household_id, "owner_key": household_id, "choices": ["c1"],
        "channel": "paper", "entered_by": "test", "batch_id": "b", "cast_at": datetime.now(UTC), "receipt": "r",
    }


async def test_a_second_ballot_for_a_unit_is_already_exists_and_nothing_of_the_batch_is_kept(sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings)
    election_id = f"{cast.estate_id}-case:1"
    h = cast.households
    async with transaction(sessions) as s:
        await election_repo.open_election(
            s, election_id=election_id, case_id=f"{cast.estate_id}-case", estate_id=cast.estate_id, attempt=1, seats=5,
            candidates=[{"id": "c1"}], at=datetime.now(UTC),
        )
        await election_repo.insert_ballots(s, [_ballot(election_id, h[0])])

    with pytest.raises(AlreadyExists, match="recorded meanwhile"):
        async with transaction(sessions) as s:
            await election_repo.insert_ballots(s, [_ballot(election_id, h[1]), _ballot(election_id, h[0])])
    async with sessions() as s:
        assert await election_repo.ballot_count(s, election_id) == 1


async def test_a_deposit_for_an_unknown_household_is_not_found(sessions: Sessions) -> None:
    with pytest.raises(NotFound, match="no household nope"):
        async with transaction(sessions) as s:
            await fund_repo.deposit(s, household_id="nope", amount_fen=100, at=datetime.now(UTC), memo=None)


async def test_an_audit_entry_racing_another_is_a_conflicting_write(sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings)
    case_id = f"{cast.estate_id}-audit"
    event = AuditEvent(key=f"{case_id}:1", at=datetime.now(UTC), kind="step")
    async with transaction(sessions) as s:
        assert await audit_repo.append_events(s, case_id, [event], maybe_stored=False) == 1
    # A first attempt skips the look-up of stored keys; the unique key still refuses the copy.
    with pytest.raises(ConflictingWrite, match="grew meanwhile"):
        async with transaction(sessions) as s:
            await audit_repo.append_events(s, case_id, [event], maybe_stored=False)
    async with sessions() as s:
        assert len(await audit_repo.timeline(s, case_id)) == 1


async def test_a_retried_opening_writes_nothing_and_an_unknown_attempt_is_not_found(sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings)
    election_id = f"{cast.estate_id}-case:1"

    async def open_it() -> None:
        async with transaction(sessions) as s:
            await election_repo.open_election(
                s, election_id=election_id, case_id=f"{cast.estate_id}-case", estate_id=cast.estate_id, attempt=1, seats=5,
                candidates=[], at=datetime.now(UTC),
            )

    await open_it()
    await open_it()  # a retried activity finds the attempt and writes nothing
    with pytest.raises(NotFound, match="no election"):
        async with sessions() as s:
            await election_repo.recount(s, f"{cast.estate_id}-case:2")
