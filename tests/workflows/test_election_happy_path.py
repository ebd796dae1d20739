"""A re-election from start to certificate through the API: group, nominations, review, notice with an
objection, paper and electronic ballots, tally, registry, first meeting, filing, certificate."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from db.models import Ballot, CommitteeRegistry, Estate
from tests.factories import create_test_estate
from tests.factories_election import PATH, ElectionDriver, auth, owner_of
from tests.fixture_types import AsyncClient, Sessions, Settings, WorkflowEnvironment
from tests.golden_recorder import keep_golden


async def test_a_re_election_elects_registers_and_files_the_committee(api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings)
    drv = ElectionDriver(api, cast, sessions)
    r = await drv.start()
    case = r.json()
    assert case["kind"]["label"] == "业委会选举换届" and case["step"]["label"] == "组建筹备组（换届小组）"
    assert [t["candidate_roles"][0]["code"] for t in case["open_tasks"]] == ["street_office"]
    # A second election for the same estate while this one runs is refused.
    await drv.start(expect=409)

    await drv.form_group(seats=5)
    ids = await drv.nominate(6, party=3)
    assert ids == ["c1", "c2", "c3", "c4", "c5", "c6"]
    await drv.close_nominations(env)
    await drv.review()

    # An owner objects to a vote weight during the notice; voting waits for the answer.
    owner = owner_of(cast, cast.households[7])
    r = await api.post(f"{PATH}/{drv.case_id}/objections", headers=auth(cast, owner),
                       json={"kind": "vote_weight", "household_id": cast.households[7], "text": "我户面积登记有误"})
    assert r.status_code == 200, r.text
    # The 换届小组's 90 days (潍坊 Art. 40) run alongside as a task of their own.
    assert [t["step"]["code"] for t in r.json()["open_tasks"]] == ["group_deadline", "objection"]
    await drv.decide("street", "objection", "answer", comment="已核对不动产登记簿，面积无误")
    await drv.end_notice(env)

    households = cast.households
    r = await drv.paper([{"household_id": h, "choices": ids[:5]} for h in households[:20]])
    assert r.json()["accepted"] == 20 and len(r.json()["receipts"]) == 20
    for h in households[20:]:
        r = await api.post(f"{PATH}/{drv.case_id}/ballots/electronic", headers=auth(cast, owner_of(cast, h)), json={"choices": ids[:5]})
        assert r.status_code == 201, r.text
    # The owner sees their ballot was recorded, with their choices.
    r = await api.get(f"{PATH}/{drv.case_id}/ballots/{households[21]}", headers=auth(cast, owner_of(cast, households[21])))
    assert r.status_code == 200 and r.json()["recorded"] and r.json()["channel"]["code"] == "electronic"
    assert r.json()["choices"] == sorted(ids[:5])

    case = await drv.close_voting(env, then="first_meeting")
    # The valid result holds the election within the 换届小组's 90 days: their task closes as met.
    deadline = next(t for t in case["tasks"] if t["step"]["code"] == "group_deadline")
    assert deadline["status"]["code"] == "done" and deadline["outcome"] == {"code": "held", "label": "按期完成"}
    assert deadline["overdue_at"] is None
    assert case["facts"]["election_due_met"] is True
    attempt = case["facts"]["attempts"][0]
    assert attempt["outcome"] == "elected" and attempt["tally"]["ballots"] == 24
    assert [m["candidate_id"] for m in case["facts"]["elected"]] == ids[:5]
    recount = await drv.recount(1)
    assert recount["identical"] and recount["stored"]["participating_headcount"] == 24

    r = await api.get(f"/owners-committees/{cast.estate_id}", headers=cast.headers("street"))
    registry = r.json()
    assert registry["body"]["code"] == "owners_committee" and registry["seats"] == 5
    assert registry["elected_case_id"] == drv.case_id
    term_end = datetime.fromisoformat(registry["term_end"])
    assert term_end.year - datetime.fromisoformat(case["facts"]["term_start"]).year == 5

    chair = case["facts"]["elected"][0]["name"]
    await drv.decide("committee", "first_meeting", "submit", {"held_on": "2026-12-01", "chair": "不是成员"}, expect=422)
    await drv.decide("committee", "first_meeting", "submit", {"held_on": "2026-12-01", "chair": chair})
    await drv.decide("committee", "filing", "submit", {"documents": ["业主大会决议", "议事规则", "管理规约", "成员名单"]})
    r = await drv.decide("bureau", "certificate", "approve", {"certificate_no": "QZ-YWH-2026-007"})
    assert r.json()["status"]["code"] == "completed" and r.json()["step"]["code"] == "closed"
    await keep_golden(env.client, drv.case_id, "owners-election-happy-path")
    async with sessions() as s:
        row = await s.get(CommitteeRegistry, cast.estate_id)
        assert row is not None and row.certificate_no == "QZ-YWH-2026-007"
        assert (await s.get(Estate, cast.estate_id)).has_owners_committee
        assert len((await s.scalars(select(Ballot.id).where(Ballot.election_id == f"{drv.case_id}:1"))).all()) == 24
