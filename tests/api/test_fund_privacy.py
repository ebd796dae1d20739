"""What of the fund is private: households' ledgers and balances, and who objected to a notice.

An owner reads only the units their owner record holds; the fund authority, auditors and the estate's
committee read all; companies, pricing agencies, experts, the hotline and the joint meeting none. An
objector's name is for the committee that answers it, the street office it escalates to and auditors.
"""

from __future__ import annotations

from typing import Any

from tests.factories import Cast, create_test_estate
from tests.factories_election import owner_of
from tests.factories_fund import FundCaseDriver
from tests.fixture_types import AsyncClient, Sessions, Settings

NO_LEDGERS = ("company", "agency", "expert-003", "dispatcher", "joint", "clerk", "street", "owner_rep", "other_street", "admin")


async def _to_public_notice(drv: FundCaseDriver) -> None:
    await drv.start()
    await drv.through_approval()
    await drv.decide("committee", "completion_acceptance", "confirm")
    await drv.decide("company", "completion_acceptance", "confirm")
    await drv.decide("company", "settlement_submission", "submit", {"amount_fen": 4_000_000, "acceptance_certificate": "YS-1"})
    await drv.decide("agency", "settlement_review", "approve", {"approved_amount_fen": 4_000_000})


def _objectors(case: dict[str, Any]) -> list[str | None]:
    return [o.get("by") for o in case["facts"]["objections"]]


async def test_an_objectors_name_is_for_those_who_answer_it(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings)
    drv = FundCaseDriver(api, cast)
    await _to_public_notice(drv)
    objector = owner_of(cast, cast.households[3]).model_copy(update={"name": "欧阳异议"})
    r = await api.post(f"/cases/fund-emergency/{drv.case_id}/objections", json={"text": "我户分摊面积有误"}, headers=cast.headers(objector))
    assert r.status_code == 200 and _objectors(r.json()) == [objector.subject]  # the objector sees their own

    for who in ("company", "agency", "owner_rep", "bureau", "supervisor", owner_of(cast, cast.households[4])):
        case = await drv.case(who)
        assert _objectors(case) == [None] and case["facts"]["objections"][0]["text"] == "我户分摊面积有误", who
        assert objector.name not in str(case) and cast.households[3] not in str(case["facts"]["objections"]), who
        timeline = await drv.timeline(who)
        objection = next(e for e in timeline if e["decision"] and e["decision"]["code"] == "object")
        assert objection["actor"]["subject"] == "anonymous" and objection["actor"]["name"] is None, who
    for who in ("committee", "street", "auditor"):
        assert _objectors(await drv.case(who)) == [objector.subject], who
        timeline = await drv.timeline(who)
        assert any(e["actor"]["subject"] == objector.subject for e in timeline if e["decision"] and e["decision"]["code"] == "object"), who
    # The committee's answer is public; the name stays where it was.
    r = await drv.decide("committee", "objection", "answer", comment="已核对不动产登记面积，无误")
    assert _objectors(r.json()) == [objector.subject]
    assert (await drv.case("company"))["facts"]["objections"][0]["answer"] == "已核对不动产登记面积，无误"


async def _short_case(api: AsyncClient, cast: Cast) -> FundCaseDriver:
    drv = FundCaseDriver(api, cast)
    await drv.start()
    await drv.verify()
    await drv.decide("company", "budget_submission", "submit", {"amount_fen": 400_000, "contractor": "建安"})
    await drv.decide("agency", "price_review", "approve", {"approved_amount_fen": 400_000})
    r = await drv.decide("bureau", "bureau_review", "approve")
    assert r.json()["step"]["code"] == "top_up"
    return drv


async def test_a_cases_shortfalls_are_ledger_facts(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings, balance_percent=1, buildings=1, units=1, floors=2, rooms=2)
    drv = await _short_case(api, cast)
    short = {s["household_id"] for s in (await drv.case("bureau"))["facts"]["shortfalls"]}
    assert short == set(cast.households)
    for who in ("committee", "auditor"):
        assert {s["household_id"] for s in (await drv.case(who))["facts"]["shortfalls"]} == short, who
    for who in ("company", "agency", "owner_rep", "street", "clerk"):
        case = await drv.case(who)
        assert case["facts"]["shortfalls"] == [] and case["status"]["code"] == "blocked", who
    mine = (await drv.case(owner_of(cast, cast.households[1])))["facts"]["shortfalls"]
    assert [s["household_id"] for s in mine] == [cast.households[1]]


async def test_a_households_ledger_is_for_its_owner_the_committee_the_fund_authority_and_auditors(
    api: AsyncClient, sessions: Sessions, settings: Settings,
) -> None:
    cast = await create_test_estate(sessions, settings)
    h = cast.households[0]
    url = f"/households/{h}/fund"
    for who in ("bureau", "auditor", "committee", owner_of(cast, h)):
        r = await api.get(url, headers=cast.headers(who))
        assert r.status_code == 200 and r.json()["balance_fen"] > 0, who
    for who in (*NO_LEDGERS, owner_of(cast, cast.households[1])):
        r = await api.get(url, headers=cast.headers(who))
        assert r.status_code == 403 and r.json()["type"] == "/problems/forbidden", who
    other = await create_test_estate(sessions, settings)
    assert (await api.get(url, headers=other.headers("committee"))).status_code == 403
    assert (await api.get("/households/nope/fund", headers=cast.headers("bureau"))).status_code == 404


async def test_the_household_list_shows_balances_to_the_ledgers_readers_only(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings)
    url = f"/estates/{cast.estate_id}/households"
    for who in ("bureau", "auditor", "committee"):
        rows = (await api.get(url, headers=cast.headers(who))).json()
        assert len(rows) == len(cast.households) and all(r["balance_fen"] is not None for r in rows), who
    for who in ("company", "agency", "clerk", "street", "owner_rep"):
        r = await api.get(url, headers=cast.headers(who))
        assert r.status_code == 200 and len(r.json()) == len(cast.households), who
        assert all(row["balance_fen"] is None and row["top_up_due_at"] is None for row in r.json()), who
    rows = (await api.get(url, headers=cast.headers(owner_of(cast, cast.households[2])))).json()
    assert [row["id"] for row in rows if row["balance_fen"] is not None] == [cast.households[2]]
