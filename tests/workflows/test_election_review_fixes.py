"""A retried committee registration still opens the handover, concurrent nominations of one unit,
and ballots after the end of the voting period refused before the tally has run."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, update

from activities.election import recount
from db.models import Ballot, Election
from db.repositories import committee as committee_repo
from db.repositories import election as election_repo
from tests.factories import create_test_estate
from tests.factories_election import PATH, ElectionDriver
from tests.fixture_types import AsyncClient, Sessions, Settings, WorkflowEnvironment


async def test_a_retried_committee_registration_still_asks_for_the_handover(sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings, committee=False)
    now = datetime.now(UTC)
    async with sessions() as s:
        await committee_repo.appoint_acting_body(s, estate_id=cast.estate_id, community_id="yidu-c1", at=now)
        await s.commit()
    answers = []
    for _ in range(2):  # the activity retried after its first commit
        async with sessions() as s:
            _, handover = await committee_repo.record_committee(
                s, estate_id=cast.estate_id, members=[{"name": "委员"}], seats=5, term_start=now,
                term_end=now + timedelta(days=5 * 365), case_id="owners-election-x-1", at=now,
            )
            await s.commit()
        answers.append(handover)
    assert answers == [True, True]
    async with sessions() as s:
        await committee_repo.finish_handover(s, cast.estate_id, now)
        await s.commit()
    async with sessions() as s:
        _, handover = await committee_repo.record_committee(
            s, estate_id=cast.estate_id, members=[{"name": "委员"}], seats=5, term_start=now,
            term_end=now + timedelta(days=5 * 365), case_id="owners-election-x-1", at=now,
        )
    assert handover is False


async def test_concurrent_nominations_of_one_unit_nominate_it_once(api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings)
    drv = ElectionDriver(api, cast, sessions)
    await drv.start()
    await drv.form_group()
    h = cast.households[0]
    body = {"household_id": h, "name": (await drv.names())[h], "channel": "party_org"}
    url = f"{PATH}/{drv.case_id}/nominations"
    answers = await asyncio.gather(*[api.post(url, json=body, headers=cast.headers("community")) for _ in range(4)])
    assert sorted(r.status_code for r in answers) == [200, 409, 409, 409]
    assert [c["household_id"] for c in (await drv.case())["facts"]["candidates"]] == [h]


async def test_a_ballot_after_the_voting_period_is_refused_before_the_tally_runs(api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings)
    drv = ElectionDriver(api, cast, sessions)
    await drv.start()
    ids = await drv.to_voting(env)
    h = cast.households
    election_id = f"{drv.case_id}:1"
    async with sessions() as s:
        e = await election_repo.election(s, election_id)
        assert e.closes_at is not None and e.closes_at == datetime.fromisoformat((await drv.case())["facts"]["voting_end"])
    await drv.paper([{"household_id": h[0], "choices": ids[:5]}])
    # The voting period ends now, but the workflow's timer has not fired: the attempt is still open.
    closes_at = datetime.now(UTC)
    async with sessions() as s:
        await s.execute(update(Election).where(Election.id == election_id).values(closes_at=closes_at))
        await s.commit()
    r = await drv.paper([{"household_id": h[1], "choices": ids[:5]}], expect=409)
    assert r.json()["type"] == "/problems/conflict" and "voting closed" in r.json()["detail"]
    async with sessions() as s:
        assert (await election_repo.election(s, election_id)).status == "open"
        # A ballot stored late anyway is not counted by the tally or a recount.
        await s.execute(insert(Ballot).values(
            election_id=election_id, household_id=h[2], owner_key=h[2], choices=ids[:5], channel="paper",
            entered_by="late", cast_at=closes_at + timedelta(seconds=1), receipt="late",
        ))
        await s.commit()
        assert await election_repo.ballot_count(s, election_id) == 2
        assert (await recount(s, election_id)).ballots == 1
