"""An election of 2,000 households through the real ballot path: every ballot stored and counted once,
the workflow's history a few hundred events whatever the number of ballots."""

from __future__ import annotations

from datetime import UTC, datetime

from db.repositories import election as election_repo
from tests.factories import create_test_estate
from tests.factories_election import ElectionDriver
from tests.fixture_types import AsyncClient, Sessions, Settings, WorkflowEnvironment

BATCH = 500


async def test_two_thousand_households_vote_through_the_api_and_the_tally_is_exact(api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings, buildings=10, units=4, floors=25, rooms=2)
    h = cast.households
    assert len(h) == 2000
    # 100 owners hold two units each: 1,900 owners in headcount (山东 Art. 25).
    async with sessions() as s:
        for i in range(100):
            for unit in (h[1000 + 2 * i], h[1001 + 2 * i]):
                await election_repo.set_owner(s, household_id=unit, owner_key=f"pair-{i}", at=datetime.now(UTC))
        await s.commit()
    drv = ElectionDriver(api, cast, sessions)
    await drv.start()
    ids = await drv.to_voting(env, candidates=7, seats=5)
    case = await drv.case()
    assert case["facts"]["owners"] == 1900

    voters = h[:1800]
    lines = [{"household_id": u, "choices": ids[:5] if n % 10 else ids[2:7]} for n, u in enumerate(voters)]
    # Ballots per second are measured in bench/ (the election benchmark), not asserted here.
    for i in range(0, len(lines), BATCH):
        r = await drv.paper(lines[i : i + BATCH])
        assert r.json()["accepted"] == len(lines[i : i + BATCH])
    r = await drv.paper(lines[:BATCH], expect=409)
    assert len(r.json()["errors"]) == BATCH

    case = await drv.close_voting(env, then="first_meeting")
    result = case["facts"]["attempts"][0]["tally"]
    assert result["ballots"] == 1800 and result["voters"] == 2000 and result["total_headcount"] == 1900
    assert result["participating_headcount"] == 1800 - 100  # the 100 two-unit owners all voted
    assert result["outcome"] == "elected" and result["elected"] == ["c3", "c4", "c5", "c1", "c2"]
    counts = {c["id"]: c for c in result["candidates"]}
    assert counts["c3"]["headcount"] == 1700 and counts["c1"]["headcount"] < 1700
    recount = await drv.recount(1)
    assert recount["identical"] and recount["recounted"]["ballots_digest"] == result["ballots_digest"]

    history = await env.client.get_workflow_handle(drv.case_id).fetch_history()
    assert len(history.events) < 600
