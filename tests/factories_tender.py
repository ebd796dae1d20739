"""The tender's own calls: a fresh estate to tender for, its start, the bids, the way to the evaluation, the scores."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from httpx import AsyncClient, Response

from core.settings import Settings
from db.models import Estate
from db.seed import EstatePlan, create_estate
from tests.clock import skip_past
from tests.driver import CaseDriver, Json
from tests.factories import Cast
from tests.fixture_types import Sessions, WorkflowEnvironment

BIDDERS = ("co-huacheng", "co-lvyuan", "co-xinda")


async def create_tender_estate(sessions: Sessions, *, company_id: str | None = "co-yuejia", resettlement: bool = False) -> str:
    """A small estate in 益都街道 served by ``company_id``."""
    estate_id = f"tt-{uuid.uuid4().hex[:8]}"
    async with sessions() as session:
        await create_estate(session, EstatePlan(
            id=estate_id, name=f"招标小区{estate_id[-4:]}", street_id="yidu", community_id="yidu-c1",
            property_company_id=company_id, pricing_agency_id=None, buildings=1, units=1, floors=1, rooms=2,
        ))
        if resettlement:
            estate = await session.get(Estate, estate_id)
            assert estate is not None
            estate.resettlement = True
        await session.commit()
    return estate_id


class TenderDriver(CaseDriver):
    """A property-service tender of one estate; companies act by their id, experts by theirs.

    Its bid deadline is counted from the test server's clock, which runs ahead of the wall clock.
    """

    def __init__(self, api: AsyncClient, env: WorkflowEnvironment, settings: Settings, estate_id: str) -> None:
        super().__init__(api, Cast(settings=settings, estate_id=estate_id))
        self.env = env

    async def start(self, *, days: float = 21, selection: str = "reselection", method: str = "comprehensive",
                    outgoing: dict[str, Any] | None = None, expect: int = 201) -> Response:
        body: dict[str, Any] = {
            "estate_id": self.cast.estate_id, "selection": selection, "method": method, "summary": "物业服务招标：服务期三年",
            "bid_deadline": ((await self.env.get_current_time()) + timedelta(days=days)).isoformat(),
        }
        if selection == "reselection":
            body["outgoing"] = outgoing or {"reason": "dismissal"}
        return await self.start_through_api("/cases/tender", body, key=uuid.uuid4().hex, expect=expect)

    async def bid(self, company: str, price: int = 120, expect: int = 200) -> Response:
        r = await self.api.post(f"/cases/tender/{self.case_id}/bids", json={"price_fen_per_m2": price, "plan": "标准化服务方案"},
                                headers=self.headers(company))
        assert r.status_code == expect, r.text
        return r

    async def to_evaluation(self, bidders: tuple[str, ...] = BIDDERS) -> Json:
        """Start, let ``bidders`` bid, pass the deadline: the committee is drawn and scoring opens."""
        await self.start()
        for i, company in enumerate(bidders):
            await self.bid(company, price=110 + i * 5)
        facts = (await self.case())["facts"]
        await skip_past(self.env, datetime.fromisoformat(facts["bid_deadline"]))
        return await self.wait_for(step="evaluation")

    async def score_all(self, scores: dict[str, int] | None = None) -> None:
        """Every open scoring task is scored: experts by their assignee, the representative by the committee."""
        for task in await self.tasks("evaluation"):
            who = task["assignee"] or "committee"
            await self.decide(who, task, "submit", {"scores": scores or {c: 80 + i for i, c in enumerate(BIDDERS)}})
