"""By time skipping: the re-election starts 150 days before the term ends, so that its vote can close by
the statutory date 90 days before (潍坊 Art. 40), which the case carries; the street takes over after 30
more days, and voting opens only after a notice of at least 15 days."""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.election_checks import reelection_vote_by
from domain.rules import ELECTION
from tests.clock import skip_past, skip_to, wait_until
from tests.driver import Json
from tests.factories import create_test_estate
from tests.factories_election import PATH, ElectionDriver, auth, owner_of, sitting_committee
from tests.fixture_types import AsyncClient, Sessions, Settings, WorkflowEnvironment
from tests.golden_recorder import keep_golden
from workflows.election_term import term_workflow_id


async def test_the_term_timer_starts_the_re_election_and_the_street_takes_over(api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings)
    now = await env.get_current_time()
    body = await sitting_committee(sessions, cast, term_start=(now - timedelta(days=1640)).isoformat(), term_end=(now + timedelta(days=160)).isoformat())
    r = await api.put(f"/owners-committees/{cast.estate_id}", json=body, headers=cast.headers("street"))
    assert r.status_code == 200, r.text
    term_end = datetime.fromisoformat(r.json()["term_end"])
    fire_at = datetime.fromisoformat(r.json()["reelection_starts_at"])
    vote_by = datetime.fromisoformat(r.json()["reelection_due_at"])
    assert fire_at == term_end - ELECTION.reelection_start_lead and vote_by == reelection_vote_by(term_end, ELECTION)
    assert vote_by - fire_at >= ELECTION.reelection_start_lead - ELECTION.reelection_lead - timedelta(days=1)

    async def election_case() -> list[Json]:
        r = await api.get("/cases", params={"kind": "owners-election", "estate_id": cast.estate_id}, headers=cast.headers("street"))
        items: list[Json] = r.json()["items"]
        return items

    await skip_to(env, fire_at - timedelta(hours=1))
    assert await election_case() == []
    await skip_past(env, fire_at)
    items = await wait_until(election_case)
    drv = ElectionDriver(api, cast, sessions)
    drv.case_id = items[0]["id"]
    case = await drv.wait_for(step="reelection_convene")
    assert case["facts"]["trigger"] == "term_end" and case["initiator"]["subject"] == "system"
    convene = await drv.open_task("reelection_convene")
    assert [c["code"] for c in convene["candidate_roles"]] == ["owners_committee"]
    # The statutory date is on the case from its start, a task for the committee with its cards.
    statutory = await drv.open_task("statutory_date")
    assert datetime.fromisoformat(statutory["due_at"]) == vote_by == datetime.fromisoformat(case["facts"]["statutory_vote_by"])
    assert datetime.fromisoformat(statutory["remind_at"]) == vote_by - ELECTION.statutory_remind_before
    assert datetime.fromisoformat(case["facts"]["expiring_term_end"]) == term_end
    registry = (await api.get(f"/owners-committees/{cast.estate_id}", headers=cast.headers("street"))).json()
    assert registry["reelection_case_id"] == drv.case_id
    timer = term_workflow_id(cast.estate_id, datetime.fromisoformat(registry["term_end"]))
    fired = await env.client.get_workflow_handle(timer).result()
    assert fired["case_id"] == drv.case_id
    await keep_golden(env.client, timer, "committee-term-fired")

    # Nobody on the committee convenes it within 30 days: the street office forms a 换届小组.
    await skip_past(env, datetime.fromisoformat(convene["due_at"]))
    case = await drv.wait_for(step="group_formation")
    assert case["facts"]["street_formed_group"] is True
    convene = next(t for t in case["tasks"] if t["step"]["code"] == "reelection_convene")
    assert convene["status"]["code"] == "cancelled"
    group = await drv.open_task("group_formation")
    assert group["candidate_roles"][0]["code"] == "street_office" and group["due_at"] and group["escalate_at"]
    inbox = await drv.inbox("street")
    assert any(i["case_id"] == drv.case_id and i["step"]["label"] == "组建筹备组（换届小组）" for i in inbox)


async def test_voting_opens_only_after_fifteen_days_of_notice(api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings)
    drv = ElectionDriver(api, cast, sessions)
    await drv.start()
    await drv.form_group()
    await drv.nominate(5)
    await drv.close_nominations(env)
    r = await drv.review()
    noticed_at = await env.get_current_time()
    notice_end = datetime.fromisoformat(r.json()["facts"]["notice_end"])
    assert notice_end - noticed_at >= timedelta(days=15)

    await skip_to(env, noticed_at + timedelta(days=15) - timedelta(hours=1))
    assert (await drv.case())["step"]["code"] == "candidate_notice"
    r = await drv.paper([{"household_id": cast.households[0], "choices": ["c1"]}], expect=409)
    assert "not open" in r.json()["detail"]
    owner = owner_of(cast, cast.households[3])
    r = await api.post(f"{PATH}/{drv.case_id}/objections", headers=auth(cast, owner),
                       json={"kind": "identity", "household_id": cast.households[3], "text": "3号户业主身份有误"})
    assert r.status_code == 200, r.text

    # The notice has run its 15 days, but an unanswered objection keeps the vote closed.
    await skip_past(env, notice_end)

    async def notice_passed() -> str | None:
        passed: str | None = (await drv.case())["facts"].get("notice_passed_at")
        return passed

    await wait_until(notice_passed)
    assert (await drv.case())["step"]["code"] == "candidate_notice"
    r = await api.post(f"{PATH}/{drv.case_id}/objections", headers=auth(cast, owner), json={"kind": "other", "text": "再提异议"})
    assert r.status_code == 409
    await drv.decide("street", "objection", "uphold", comment="经复核已更正业主身份")
    case = await drv.wait_for(step="voting")
    assert case["facts"]["objections"][0]["outcome"] == "uphold"
    await drv.paper([{"household_id": cast.households[0], "choices": ["c1"]}])


async def test_a_calendar_day_task_turns_yellow_red_and_escalates(api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings)
    drv = ElectionDriver(api, cast, sessions)
    task = (await drv.start()).json()["open_tasks"][0]
    created, due = datetime.fromisoformat(task["created_at"]), datetime.fromisoformat(task["due_at"])
    assert due - created >= ELECTION.group_formation_period  # 60 days, ending at 24:00 of the last day
    assert datetime.fromisoformat(task["remind_at"]) == due - ELECTION.remind_before

    async def card(field: str) -> Json | None:
        t = await drv.open_task("group_formation")
        return t if t[field] else None

    await skip_past(env, datetime.fromisoformat(task["remind_at"]))
    assert (await wait_until(lambda: card("reminded_at")))["card"]["label"] == "黄牌预警"
    await skip_past(env, due)
    assert (await wait_until(lambda: card("overdue_at")))["card"]["label"] == "红牌超期"
    await skip_past(env, datetime.fromisoformat(task["escalate_at"]))
    t = await wait_until(lambda: card("escalated_at"))
    assert [r["code"] for r in t["escalated_to"]] == ["housing_bureau"]
    inbox = await drv.inbox("bureau")
    assert any(i["case_id"] == drv.case_id and i["escalated"] for i in inbox)
