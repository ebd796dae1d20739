"""潍坊 Art. 40 by time skipping: the dates a re-election must be held by are tasks with cards and escalation.

The term's date (the vote closes by 90 days before the term ends): a vote closing at 24:00 of that
day is in time, one closing a day later is late. The 换届小组's 90 days: a period the street must
meet, so a last day on a rest day moves to the next working day (民法典 Art. 203 para. 1).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from db.repositories import committee as committee_repo
from domain.calendar import CITY_TZ, WorkingCalendar, party_deadline, period_end
from domain.election_checks import reelection_vote_by
from domain.rules import ELECTION
from tests.clock import next_city_time, skip_past, skip_to, wait_until
from tests.driver import Json
from tests.factories import Cast, create_test_estate
from tests.factories_election import ElectionDriver
from tests.fixture_types import AsyncClient, Sessions, Settings, WorkflowEnvironment

OFFICIAL = WorkingCalendar.official()


def end_of(day: date) -> datetime:
    """24:00 city time of ``day``."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=CITY_TZ)


async def register_term(sessions: Sessions, cast: Cast, term_end: datetime) -> None:
    """A sitting committee in the registry, without its timer: the clerk starts the re-election."""
    async with sessions() as s:
        members = [{"name": f"委员{i}", "household_id": cast.households[i]} for i in range(5)]
        await committee_repo.record_committee(s, estate_id=cast.estate_id, members=members, seats=5, term_start=term_end - timedelta(days=1826),
                                             term_end=term_end, case_id=None, at=term_end - timedelta(days=1826))
        await s.commit()


async def elect_promptly(drv: ElectionDriver, env: WorkflowEnvironment) -> Json:
    """Everyone acts at once: nominations 14 days, notice 15, voting 7, every unit votes; the counted case."""
    ids = await drv.to_voting(env)
    await drv.paper([{"household_id": h, "choices": ids[:5]} for h in drv.cast.households])
    return await drv.close_voting(env, then="first_meeting")


async def test_a_vote_closing_on_the_statutory_date_is_in_time_a_day_later_is_late(
    api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings,
) -> None:
    for days_late in (0, 1):
        # Started at noon on day 0 and run promptly, the vote closes at 24:00 of day 38 (14 + 15 + 7 days,
        # each from the day after the step before ends). The term ends 90 days after the date the vote must
        # close by: on day 128, or a day earlier, so that the date is day 37 and the vote a day late.
        start = await next_city_time(env, time(12))
        await skip_to(env, start)
        day0 = start.date()
        closes = end_of(day0 + timedelta(days=38))
        term_end = datetime.combine(day0 + timedelta(days=128 - days_late), time(12), tzinfo=CITY_TZ)
        vote_by = reelection_vote_by(term_end, ELECTION)
        assert vote_by == closes - timedelta(days=days_late)

        cast = await create_test_estate(sessions, settings)
        await register_term(sessions, cast, term_end)
        drv = ElectionDriver(api, cast, sessions)
        case = (await drv.start()).json()
        date_task = next(t for t in case["open_tasks"] if t["step"]["code"] == "statutory_date")
        assert [r["code"] for r in date_task["candidate_roles"]] == ["owners_committee"] and date_task["decisions"] == []
        assert datetime.fromisoformat(date_task["due_at"]) == vote_by
        assert datetime.fromisoformat(date_task["remind_at"]) == vote_by - ELECTION.statutory_remind_before
        assert datetime.fromisoformat(date_task["escalate_at"]) == vote_by + ELECTION.escalate_after
        assert case["facts"]["statutory_vote_by"] and datetime.fromisoformat(case["facts"]["statutory_vote_by"]) == vote_by

        case = await elect_promptly(drv, env)
        assert datetime.fromisoformat(case["facts"]["voting_end"]) == closes
        done = next(t for t in case["tasks"] if t["step"]["code"] == "statutory_date")
        assert done["status"]["code"] == "done"
        if days_late == 0:
            # At the exact limit: held in time, and no red card in the instant the vote closed.
            assert done["outcome"]["code"] == "held" and done["overdue_at"] is None and done["card"]["code"] == "yellow"
            assert case["facts"]["statutory_vote_by_met"] is True
        else:
            assert done["outcome"]["code"] == "held_late" and done["card"]["code"] == "red"
            assert datetime.fromisoformat(done["overdue_at"]) >= vote_by and done["escalated_at"] is None
            assert case["facts"]["statutory_vote_by_met"] is False
        timeline = await drv.timeline()
        assert [e["decision"]["code"] for e in timeline if e["step"]["code"] == "statutory_date" and e["kind"] == "system"] == [done["outcome"]["code"]]


async def test_the_groups_ninety_days_move_off_a_rest_day_turn_yellow_red_and_escalate_to_the_bureau(
    api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings,
) -> None:
    # Form the 换届小组 on a day whose 90th day after is not a working day, so the street's period moves.
    start = await next_city_time(env, time(10))
    while OFFICIAL.is_working_day(start.date() + timedelta(days=90)):
        start += timedelta(days=1)
    await skip_to(env, start)
    cast = await create_test_estate(sessions, settings)
    drv = ElectionDriver(api, cast, sessions)
    await drv.start()
    await drv.form_group()
    case = await drv.case()
    formed = datetime.fromisoformat(case["facts"]["group_formed_at"])
    counted = period_end(formed, ELECTION.reelection_election_period)
    due = party_deadline(counted, calendar=OFFICIAL)
    assert counted == end_of(formed.astimezone(CITY_TZ).date() + timedelta(days=90)) and due > counted
    assert due == end_of(OFFICIAL.next_working_day(counted.astimezone(CITY_TZ).date() - timedelta(days=1)))
    task = await drv.open_task("group_deadline")
    assert datetime.fromisoformat(task["due_at"]) == due == datetime.fromisoformat(case["facts"]["election_due_at"])
    assert [r["code"] for r in task["candidate_roles"]] == ["street_office"]

    async def card(code: str) -> Json | None:
        t = await drv.open_task("group_deadline")
        return t if t["card"]["code"] == code else None

    await skip_past(env, due - ELECTION.statutory_remind_before)
    await wait_until(lambda: card("yellow"))
    # 24:00 of the 90th day, a rest day: not late yet; at 24:00 of the next working day it is.
    await skip_to(env, counted + timedelta(minutes=1))
    assert await card("yellow")
    await skip_past(env, due)
    await wait_until(lambda: card("red"))
    await skip_past(env, due + ELECTION.escalate_after)
    t = await wait_until(lambda: _escalated(drv))
    assert [r["code"] for r in t["escalated_to"]] == ["housing_bureau"]
    inbox = await drv.inbox("bureau")
    assert any(i["case_id"] == drv.case_id and i["step"]["code"] == "group_deadline" and i["escalated"] for i in inbox)


async def _escalated(drv: ElectionDriver) -> Json | None:
    t = await drv.open_task("group_deadline")
    return t if t["escalated_at"] else None


async def test_a_first_elections_preparatory_group_holds_the_assembly_within_ninety_days_of_its_formation(
    api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings,
) -> None:
    # 山东 Art. 22 para. 3: 筹备组应当自成立之日起九十日内组织召开首次业主大会会议. A period the group
    # (led by the street office) must meet: 24:00 of the 90th day, moved off a rest day (民法典 Art. 203).
    start = await next_city_time(env, time(10))
    await skip_to(env, start)
    cast = await create_test_estate(sessions, settings)
    drv = ElectionDriver(api, cast, sessions)
    await drv.start(kind="first", delivered_area_percent=80, delivered_owners_percent=75, months_since_first_delivery=30)
    await drv.form_group()
    case = await drv.case()
    formed = datetime.fromisoformat(case["facts"]["group_formed_at"])
    due = party_deadline(period_end(formed, ELECTION.first_assembly_period), calendar=OFFICIAL)
    task = await drv.open_task("assembly_deadline")
    assert datetime.fromisoformat(task["due_at"]) == due == datetime.fromisoformat(case["facts"]["election_due_at"])
    assert [r["code"] for r in task["candidate_roles"]] == ["street_office"] and task["decisions"] == []
    assert [r["code"] for r in task["supervisors"]] == ["housing_bureau"]
    assert not any(t["step"]["code"] in ("statutory_date", "group_deadline") for t in case["open_tasks"])

    # Run promptly, the vote closes well within the 90 days: the date's task is closed as held.
    ids = await drv.nominate(6)
    await drv.close_nominations(env)
    await drv.review()
    await drv.end_notice(env)
    await drv.paper([{"household_id": h, "choices": ids[:5]} for h in drv.cast.households])
    case = await drv.close_voting(env, then="first_meeting")
    done = next(t for t in case["tasks"] if t["step"]["code"] == "assembly_deadline")
    assert done["status"]["code"] == "done" and done["outcome"]["code"] == "held"
    assert case["facts"]["election_due_met"] is True
