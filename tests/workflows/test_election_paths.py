"""Failed attempts, the acting residents' committee, the Party-member warning and the acting body's handover."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from db.models import CommitteeRegistry, Estate
from db.repositories import committee as committee_repo
from domain.calendar import WorkingCalendar, party_deadline, period_end
from domain.rules import ELECTION
from tests.clock import skip_past, skip_to, wait_until
from tests.driver import Json
from tests.factories import create_test_estate
from tests.factories_election import ElectionDriver
from tests.fixture_types import AsyncClient, Sessions, Settings, WorkflowEnvironment
from tests.golden_recorder import keep_golden


async def test_two_failed_attempts_make_the_residents_committee_the_acting_body(api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings)
    drv = ElectionDriver(api, cast, sessions)
    await drv.start()
    ids = await drv.to_voting(env, candidates=5)
    # 10 of 24 units vote: far from the 2/3 quorum.
    await drv.paper([{"household_id": h, "choices": ids} for h in cast.households[:10]])
    case = await drv.close_voting(env, then="nomination")
    first = case["facts"]["attempts"][0]
    assert first["outcome"] == "quorum_not_met" and first["outcome_label"] == "参与表决未达三分之二"
    assert first["tally"]["participating_headcount"] == 10 and not first["tally"]["quorum_headcount"]
    assert case["facts"]["failed_attempts"] == 1 and case["facts"]["attempt"] == 2
    assert (await drv.recount(1))["identical"]

    # The second attempt keeps the qualified candidates; nobody votes this time.
    await drv.close_nominations(env)
    await drv.review()
    await drv.end_notice(env)
    # 潍坊 Arts. 42–43: the street forms the 物业管理委员会; the residents' committee acts meanwhile.
    case = await drv.close_voting(env, then="acting_formation")
    assert case["status"]["code"] == "active" and case["step"]["label"] == "组建物业管理委员会"
    task = await drv.open_task("acting_formation")
    assert [r["code"] for r in task["candidate_roles"]] == ["street_office"]
    rc = {"name": "居委会主任", "role": "residents_committee", "chair": True}
    vice = {"name": "业主甲", "role": "owner", "household_id": cast.households[0], "vice_chair": True}
    occupant = {"name": "使用人乙", "role": "occupant"}
    owner = {"name": "业主丙", "role": "owner", "household_id": cast.households[1]}
    notice = "小区公告栏公示成员名单"
    # Owners' representatives at least half (Art. 43): 1 of 4 is refused, 2 of 4 (exactly half) passes.
    r = await drv.decide("street", "acting_formation", "submit", {"members": [rc, vice, occupant, occupant], "notice": notice}, expect=422)
    assert "half" in r.text
    # The chair is the residents' committee's representative, the vice-chair an owners' representative.
    r = await drv.decide("street", "acting_formation", "submit",
                         {"members": [{**rc, "chair": False}, {**vice, "chair": True}, owner, occupant], "notice": notice}, expect=422)
    assert "chair" in r.text
    await drv.decide("street", "acting_formation", "submit", {"members": [rc, vice, owner, occupant], "notice": notice})
    case = await drv.wait_for(step="acting_committee")
    assert case["status"]["code"] == "completed" and case["step"]["label"] == "物业管理委员会代行"
    assert case["facts"]["failed_attempts"] == 2 and case["facts"]["acting_body"]["chair"] == "yidu-c1"
    assert len(case["facts"]["acting_body"]["members"]) == 4 and case["facts"]["acting_body"]["notice"] == notice
    r = await api.get(f"/owners-committees/{cast.estate_id}", headers=cast.headers("street"))
    assert r.json()["body"]["code"] == "management_committee" and r.json()["failed_attempts"] == 2
    assert r.json()["acting_chair"] == "yidu-c1"
    await keep_golden(env.client, drv.case_id, "owners-election-acting-body")
    async with sessions() as s:
        assert not (await s.get(Estate, cast.estate_id)).has_owners_committee


async def test_few_party_members_need_a_justification_and_the_acting_body_hands_over(api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings, committee=False)
    async with sessions() as s:
        await committee_repo.appoint_acting_body(s, estate_id=cast.estate_id, community_id="yidu-c1", at=datetime.now(UTC))
        await s.commit()
    drv = ElectionDriver(api, cast, sessions)
    await drv.start(kind="first", delivered_area_percent=80, delivered_owners_percent=75, months_since_first_delivery=30)
    await drv.form_group(seats=5)
    ids = await drv.nominate(5, party=1)
    await drv.close_nominations(env)
    r = await drv.review(expect=422)
    assert "Party" in r.json()["detail"] and r.json()["errors"][0]["loc"] == ["data", "party_member_justification"]
    await drv.review(party_member_justification="本小区党员业主仅一人报名，已多次动员")
    await drv.end_notice(env)
    await drv.paper([{"household_id": h, "choices": ids} for h in cast.households])
    case = await drv.close_voting(env, then="first_meeting")
    assert case["facts"]["attempts"][0]["tally"]["party_members_elected"] == 1
    # The committee exists from the day it is elected: its term, its first meeting (7 days, 山东 Art. 30),
    # its filing (30 days, Art. 31) and the acting body's handover (7 days, 潍坊 Art. 44) count from that
    # day, while the street office writes its Party-member justification alongside.
    elected_at = datetime.fromisoformat(case["facts"]["elected_at"])
    assert datetime.fromisoformat(case["facts"]["term_start"]) == elected_at
    assert sorted(t["step"]["code"] for t in case["open_tasks"]) == ["filing", "first_meeting", "handover", "party_member_acknowledgement"]
    due = {t["step"]["code"]: datetime.fromisoformat(t["due_at"]) for t in case["open_tasks"]}
    for step, period in (("first_meeting", ELECTION.first_meeting_period), ("filing", ELECTION.filing_period),
                         ("handover", ELECTION.acting_handover_period)):
        assert due[step] == party_deadline(period_end(elected_at, period), calendar=WorkingCalendar.official()), step
    handover = next(t for t in case["open_tasks"] if t["step"]["code"] == "handover")
    assert [c["code"] for c in handover["candidate_roles"]] == ["community"]
    async with sessions() as s:
        row = await s.get(CommitteeRegistry, cast.estate_id)
        assert row.body == "owners_committee" and row.acting_since is not None

    # The street acknowledges four days later: the committee's periods do not move.
    await skip_to(env, elected_at + timedelta(days=4))
    await drv.decide("street", "party_member_acknowledgement", "confirm", {"justification": "短"}, expect=422)
    r = await drv.decide("street", "party_member_acknowledgement", "confirm", {"justification": "党员业主少，经街道研究同意"})
    assert r.json()["facts"]["party_member_justification"] == "党员业主少，经街道研究同意"
    assert {t["step"]["code"]: datetime.fromisoformat(t["due_at"]) for t in r.json()["open_tasks"]} == {
        step: due[step] for step in ("first_meeting", "filing", "handover")}

    # At the last instant of its period the meeting is not late; past it, the card is red.
    async def meeting() -> Json:
        return await drv.open_task("first_meeting")

    await skip_to(env, due["first_meeting"] - timedelta(seconds=1))
    assert (await meeting())["card"]["code"] == "yellow"
    await skip_past(env, due["first_meeting"])
    assert (await wait_until(lambda: _red(meeting)))["overdue_at"]
    await drv.decide("community", "handover", "confirm", comment="资料财物已移交")
    async with sessions() as s:
        row = await s.get(CommitteeRegistry, cast.estate_id)
        await s.refresh(row)
        assert row.acting_since is None and (await s.get(Estate, cast.estate_id)).has_owners_committee


async def _red(read: Callable[[], Awaitable[Json]]) -> Json | None:
    task = await read()
    return task if task["card"]["code"] == "red" else None
