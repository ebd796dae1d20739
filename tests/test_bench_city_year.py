"""The city year's generated inputs, without a stack: ``make bench`` runs the year, the suite only checks its plan.

The year's end check compares the monthly report with counts made from these inputs, so the
plan must be reproducible from its seed and carry the rhythm the issue asks for.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from bench.city_year_civic import _next_quarter_start
from bench.city_year_civic_policy import civic_choice
from bench.city_year_people import PACES, choose
from bench.city_year_plan import UNITS_PER_BUILDING, YEAR_ELECTIONS, YEAR_FUNDS, YEAR_TENDERS, YEAR_TICKETS, day_weight, make_plan
from bench.city_year_sim import TIMER_GUARD, TIMER_LATENCY, Tracked, Year
from db.seed import STREETS
from domain.access import Role
from domain.calendar import CITY_TZ
from domain.election import GroupData

START = date(2027, 1, 1)


def test_the_same_seed_gives_the_same_year_and_another_seed_another() -> None:
    a, b, c = make_plan(7, 0.05, START), make_plan(7, 0.05, START), make_plan(8, 0.05, START)
    assert a.tickets == b.tickets and a.funds == b.funds
    assert a.tickets != c.tickets


def test_a_full_year_has_the_caseload_of_the_issue_over_every_street() -> None:
    plan = make_plan(2027, 1.0, START)
    assert (plan.days, len(plan.tickets), len(plan.funds)) == (365, YEAR_TICKETS, YEAR_FUNDS)
    assert {t.estate.street for t in plan.tickets} == {s for s, _, _ in STREETS}
    by_month = plan.intake_by_month()
    assert sum(n for (_, key), n in by_month.items() if key == "city") == YEAR_TICKETS
    # the summer peak: July takes in more than March, and a weekday more than a Sunday
    assert by_month[("2027-07", "city")] > by_month[("2027-03", "city")]
    assert day_weight(date(2027, 3, 3)) > day_weight(date(2027, 3, 7))


def test_every_step_the_year_meets_has_a_decision_and_some_people_are_late() -> None:
    rnd = random.Random(1)
    case = {"facts": {"lead_unit": {"kind": "department", "id": "dept-housing"}}}
    assert choose("ticket", "reassignment", rnd, case) == ("assign", {"lead_unit_id": "dept-civil"}, "改派")
    for step in ("acceptance", "handling", "callback", "overdue_supervision", "supervision"):
        assert choose("ticket", step, rnd, case) is not None
    assert choose("owners-election", "voting", rnd, case) is None
    late = [PACES[Role.HOUSING_BUREAU].delay(rnd).days >= 3 for _ in range(2000)]
    assert 0.10 < sum(late) / len(late) < 0.20


def test_a_drawn_decision_the_task_does_not_offer_falls_back_to_the_usual_one() -> None:
    case: dict[str, object] = {"facts": {}}
    # a re-handling round offers only the answer: an extension drawn there must not be sent
    for seed in range(200):
        assert choose("ticket", "handling", random.Random(seed), case, ["answer"]) == ("answer", {}, "已现场处理并答复来电人")


def test_a_full_year_has_the_elections_and_tenders_of_the_issue() -> None:
    plan = make_plan(2027, 1.0, START)
    assert (len(plan.elections), len(plan.tenders)) == (YEAR_ELECTIONS, YEAR_TENDERS)
    sizes = [e.households for e in plan.elections]
    assert min(sizes) >= 200 and max(sizes) <= 3_000 and all(s % UNITS_PER_BUILDING == 0 for s in sizes)
    assert len({e.estate_id for e in plan.elections}) == YEAR_ELECTIONS
    # the outgoing company never bids; some tenders draw only two bidders and fail
    assert all(t.company not in t.bidders for t in plan.tenders)
    assert 0 < sum(len(t.bidders) < 3 for t in plan.tenders) < YEAR_TENDERS // 4
    # every civic case starts on a working day in the first 80% of the year, so it can finish
    assert all((START + timedelta(days=c.day)).weekday() < 5 and c.day < 0.8 * 365 for c in [*plan.elections, *plan.tenders])


def test_the_civic_decisions_carry_what_their_step_validates() -> None:
    now = datetime(2027, 3, 1, 9, tzinfo=UTC)
    rnd = random.Random(3)
    case = {"estate_id": "year-vote-001", "facts": {"elected": [{"name": "业主0001"}], "bids": [{"company_id": "co-xinda"}, {"company_id": "co-anju"}]}}
    decision, data, _ = civic_choice("owners-election", "group_formation", rnd, case, {}, now) or ("", {}, None)
    group = GroupData.model_validate(data)
    assert decision == "submit" and group.seats == 5 and sum(m.role == "owner" for m in group.members) == 4
    assert civic_choice("owners-election", "first_meeting", rnd, case, {}, now) == ("submit", {"held_on": "2027-03-01", "chair": "业主0001"}, None)
    scores = [civic_choice("tender", "evaluation", random.Random(s), case, {"assignee": None}, now) for s in range(50)]
    assert all(c is not None and c[0] == "submit" and set(c[1]["scores"]) == {"co-xinda", "co-anju"} for c in scores)
    retender = civic_choice("tender", "tender_failed", rnd, case, {}, now)
    assert retender is not None and datetime.fromisoformat(retender[1]["bid_deadline"]) - now >= timedelta(days=20)
    assert civic_choice("owners-election", "group_deadline", rnd, case, {}, now) is None


def test_each_quarter_is_assessed_on_its_first_day() -> None:
    assert [_next_quarter_start(d).date() for d in (date(2026, 12, 1), date(2027, 1, 1), date(2027, 1, 2), date(2027, 12, 31))] == [
        date(2027, 1, 1), date(2027, 1, 1), date(2027, 4, 1), date(2028, 1, 1)]


def test_a_cases_calls_wait_past_its_timer_due_just_after_their_moment() -> None:
    """The time-skipping server strands a run whose task cancels a timer that fired meanwhile:
    a call at 09:00 on a case whose deadline falls at 09:00:03 goes just after the deadline."""
    year = Year(None, None, None, make_plan(7, 0.01, START), 7, 1, print)  # type: ignore[arg-type]
    year.now = datetime(2027, 3, 3, 9, 0, tzinfo=CITY_TZ)
    soon, later = year.now + timedelta(seconds=3), year.now + TIMER_GUARD + timedelta(seconds=1)

    def case(due: datetime) -> dict[str, object]:
        return {"status": {"code": "active"}, "open_tasks": [{"remind_at": None, "due_at": due.isoformat(), "escalate_at": None}]}

    year.cases = {"near": Tracked("ticket", case(soon), "t1"), "far": Tracked("ticket", case(later), "t2")}

    async def call() -> None:
        return None

    batch = {"near": [call, call], "far": [call], "#9": [call]}
    year._defer_calls_near_timers(batch)
    assert set(batch) == {"far", "#9"} and year.deferred == 1
    moved = [(e.when, e.case) for e in year.agenda]
    assert moved == [(soon + TIMER_LATENCY, "near")] * 2
