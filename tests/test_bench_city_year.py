"""The city year's generated inputs, without a stack: ``make bench`` runs the year, the suite only checks its plan.

The year's end check compares the monthly report with counts made from these inputs, so the
plan must be reproducible from its seed and carry the rhythm the issue asks for.
"""

from __future__ import annotations

import random
from datetime import date

from bench.city_year_people import PACES, choose
from bench.city_year_plan import YEAR_FUNDS, YEAR_TICKETS, day_weight, make_plan
from db.seed import STREETS
from domain.access import Role

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
