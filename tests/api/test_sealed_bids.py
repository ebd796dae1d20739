"""Sealed bids (招标投标法 Arts. 22, 28, 36): before the opening nobody but the bidder sees a bid, not even how many
there are; after it the tenderer's side and the drawn experts read them, the public the count and the ranking."""

from __future__ import annotations

import re
from datetime import datetime

from tests.clock import skip_past
from tests.factories_tender import BIDDERS, TenderDriver, create_tender_estate
from tests.fixture_types import AsyncClient, Sessions, Settings, WorkflowEnvironment

PRICES = {"co-huacheng": 137, "co-lvyuan": 149, "co-xinda": 163}
OFFICIALS = ("clerk", "street", "community", "bureau", "supervisor", "auditor", "admin")
PUBLIC = ("owner", "owner_rep", "co-yuejia")


def bids_in(text: str) -> set[str]:
    """Which bidders a body reveals, by company id or by the price of their bid."""
    prices = {int(p) for p in re.findall(r'"price_fen_per_m2":\s*(\d+)', text)}
    return {c for c in BIDDERS if c in text} | {c for c, p in PRICES.items() if p in prices}


async def test_bids_stay_sealed_until_the_opening_then_only_the_tenderers_side_and_the_committee_read_them(
    api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings,
) -> None:
    drv = TenderDriver(api, env, settings, await create_tender_estate(sessions))
    await drv.start()
    for company, price in PRICES.items():
        r = await drv.bid(company, price=price)
        assert bids_in(r.text) == {company}, company  # a bidder's answer shows its own bid only
    paths = (f"/cases/{drv.case_id}", f"/cases/tender/{drv.case_id}", f"/cases/{drv.case_id}/timeline")

    # Before the opening: no official, auditor, owner or other company reads who bid or at what price.
    for who in (*OFFICIALS, "committee", *PUBLIC):
        for path in paths:
            r = await api.get(path, headers=drv.headers(who))
            assert r.status_code == 200 and bids_in(r.text) == set(), (who, path, bids_in(r.text))
    audit = await api.get(f"/audit/cases/{drv.case_id}/timeline", headers=drv.headers("auditor"))
    assert audit.status_code == 200 and bids_in(audit.text) == set()
    # The raw history holds the bids' payloads: not exported while they are sealed.
    r = await api.get(f"/audit/cases/{drv.case_id}/history", headers=drv.headers("auditor"))
    assert r.status_code == 403 and "sealed" in r.json()["detail"]
    # A bidder reads its own bid, and not how many others there are; an expert reads nothing yet.
    for company in BIDDERS:
        for path in paths:
            r = await api.get(path, headers=drv.headers(company))
            assert r.status_code == 200 and bids_in(r.text) == {company}, (company, path)
        facts = (await api.get(f"/cases/tender/{drv.case_id}", headers=drv.headers(company))).json()["facts"]
        assert facts["bid_count"] is None and [b["company_id"] for b in facts["bids"]] == [company]
    assert (await api.get(f"/cases/tender/{drv.case_id}", headers=drv.headers("co-yuejia"))).json()["facts"]["bid_count"] is None
    assert (await api.get(paths[0], headers=drv.headers("expert-003"))).status_code == 404

    # The opening: the tenderer's side and the drawn experts read every bid; the public their number only.
    await skip_past(env, datetime.fromisoformat((await drv.case())["facts"]["bid_deadline"]))
    case = await drv.wait_for(step="evaluation")
    for who in (*OFFICIALS, "committee"):
        r = await api.get(paths[0], headers=drv.headers(who))
        assert bids_in(r.text) == set(BIDDERS), who
        timeline = (await api.get(paths[2], headers=drv.headers(who))).json()
        assert sum(1 for e in timeline if e["decision"] and e["decision"]["code"] == "bid") == 3, who
    drawn = case["facts"]["expert_draw"]["draws"][0]["chosen"][0]
    assert bids_in((await api.get(paths[0], headers=drv.headers(drawn))).text) == set(BIDDERS)
    excluded = {x["expert_id"] for x in case["facts"]["expert_draw"]["exclusions"]}
    idle = next(e["expert_id"] for e in case["facts"]["expert_draw"]["expert_pool"]
                if e["expert_id"] not in excluded and all(e["expert_id"] not in d["chosen"] for d in case["facts"]["expert_draw"]["draws"]))
    assert (await api.get(paths[0], headers=drv.headers(idle))).status_code == 404  # an expert not drawn reads nothing
    for who in PUBLIC:
        r = await api.get(paths[1], headers=drv.headers(who))
        assert bids_in(r.text) == set() and r.json()["facts"]["bid_count"] == 3, who
        assert bids_in((await api.get(paths[2], headers=drv.headers(who))).text) == set(), who
    r = await api.get(paths[1], headers=drv.headers("co-lvyuan"))
    assert bids_in(r.text) == {"co-lvyuan"} and r.json()["facts"]["bid_count"] == 3
    assert (await api.get(f"/audit/cases/{drv.case_id}/history", headers=drv.headers("auditor"))).status_code == 200


async def test_a_round_with_too_few_bids_is_never_opened(api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings) -> None:
    drv = TenderDriver(api, env, settings, await create_tender_estate(sessions))
    await drv.start()
    await drv.bid("co-huacheng", price=PRICES["co-huacheng"])
    await drv.bid("co-lvyuan", price=PRICES["co-lvyuan"])
    await skip_past(env, datetime.fromisoformat((await drv.case())["facts"]["bid_deadline"]))
    case = await drv.wait_for(step="tender_failed")
    assert case["facts"]["rounds"][0]["valid_bids"] == 2
    # 招标投标法 Art. 28: fewer than three bids are returned unopened; they stay sealed after the round.
    for who in ("bureau", "clerk", "auditor", "committee"):
        for path in (f"/cases/{drv.case_id}", f"/cases/{drv.case_id}/timeline"):
            assert bids_in((await api.get(path, headers=drv.headers(who))).text) == set(), (who, path)
    r = await api.get(f"/audit/cases/{drv.case_id}/history", headers=drv.headers("auditor"))
    assert r.status_code == 403
    assert (await api.post(f"/audit/cases/{drv.case_id}/replay", headers=drv.headers("auditor"))).json()["consistent"]
