"""Bad inputs on the fund-emergency and ticket processes that the process must refuse, not take.

Money is integer fen and a count of working days is an integer: JSON ``true`` or ``"1"`` is neither,
and a lax reading would have paid 1 fen or granted 1 working day. A satisfaction call that did not
reach the caller is no caller's satisfaction (潍坊12345条例 Art. 25): it cannot close the ticket (销号).
"""

from __future__ import annotations

from tests.factories import create_test_estate
from tests.factories_fund import FundCaseDriver
from tests.factories_tickets import TicketDriver, create_ticket_cast
from tests.fixture_types import AsyncClient, Sessions, Settings


async def test_money_in_fund_decisions_must_be_an_integer_of_fen(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    drv = FundCaseDriver(api, await create_test_estate(sessions, settings))
    await drv.start()
    await drv.verify()
    for amount in (True, "100", 100.0):
        r = await drv.decide("company", "budget_submission", "submit", {"amount_fen": amount, "contractor": "建安"}, expect=422)
        assert r.json()["errors"][0]["loc"] == ["data", "amount_fen"]
    await drv.decide("company", "budget_submission", "submit", {"amount_fen": 100, "contractor": "建安"})
    await drv.decide("agency", "price_review", "approve", {"approved_amount_fen": True, "reasons": "核减"}, expect=422)
    r = await drv.decide("agency", "price_review", "approve", {"approved_amount_fen": 100})
    assert r.json()["facts"]["approved_fen"] == 100


async def test_extension_days_must_be_an_integer(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    drv = TicketDriver(api, await create_ticket_cast(sessions, settings))
    await drv.start("service_quality")
    await drv.decide("company", "acceptance", "sign")
    for days in (True, "2", 2.0):
        r = await drv.decide("company", "handling", "extend", {"working_days": days, "reason": "需采购配件"}, expect=422)
        assert r.json()["errors"][0]["loc"] == ["data", "working_days"]
    r = await drv.decide("company", "handling", "extend", {"working_days": 2, "reason": "需采购配件"})
    assert r.json()["step"]["code"] == "extension"


async def test_a_call_that_did_not_reach_the_caller_cannot_close_the_ticket(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    drv = TicketDriver(api, await create_ticket_cast(sessions, settings))
    await drv.start("service_quality")
    await drv.decide("company", "acceptance", "sign")
    await drv.decide("company", "handling", "answer", comment="已维修")
    r = await drv.decide("dispatcher", "callback", "satisfied", {"reached": False}, expect=422)
    assert r.json()["errors"][0]["loc"] == ["data", "reached"]
    await drv.decide("dispatcher", "callback", "satisfied", {"reached": "no"}, expect=422)  # not a boolean
    case = await drv.case()
    assert case["status"]["code"] == "active" and case["step"]["code"] == "callback"
    r = await drv.decide("dispatcher", "callback", "satisfied", {"reached": True})
    assert r.json()["facts"]["closure"] == "satisfied"


async def test_a_resubmission_names_a_rejected_case_of_the_same_estate(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings)
    running = FundCaseDriver(api, cast)
    await running.start()
    other = FundCaseDriver(api, await create_test_estate(sessions, settings))
    await other.start()
    await other.decide("owner_rep", "onsite_verification", "reject", comment="不属应急情形")
    body = {"estate_id": cast.estate_id, "category": "elevator_failure", "scope": "estate", "description": "补充材料后重新申请"}
    for named in ("no-such-case", running.case_id, other.case_id):  # unknown, not rejected, another estate's
        r = await api.post("/cases/fund-emergency", json={**body, "resubmission_of": named}, headers=cast.headers("clerk"))
        assert r.status_code == 422, r.text
        assert r.json()["errors"][0]["loc"] == ["body", "resubmission_of"]


async def test_the_centre_may_designate_the_unit_that_returned_the_ticket_which_then_cannot_return_it(
    api: AsyncClient, sessions: Sessions, settings: Settings,
) -> None:
    # 潍坊12345条例 Art. 22 para. 2: a disputed duty is the centre's to decide; the unit it designates may not return it.
    drv = TicketDriver(api, await create_ticket_cast(sessions, settings))
    await drv.start("service_quality")
    await drv.decide("company", "acceptance", "return", comment="系业主之间的邻里纠纷")
    r = await drv.decide("dispatcher", "reassignment", "assign", {"lead_unit_id": "co-yuejia"})
    acceptance = next(t for t in r.json()["open_tasks"] if t["step"]["code"] == "acceptance")
    assert [d["code"] for d in acceptance["decisions"]] == ["sign"]
    assert r.json()["facts"]["lead_unit"]["id"] == "co-yuejia" and r.json()["facts"]["returnable"] is False
    await drv.decide("company", "acceptance", "return", comment="仍不属本企业", expect=422)
    r = await drv.decide("company", "acceptance", "sign")
    assert r.json()["step"]["code"] == "handling"
