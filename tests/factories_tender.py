"""Builders for tender and handover tests: a fresh estate, the callers with their tokens, a driver."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from httpx import AsyncClient, Response
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.auth import issue_token
from core.settings import Settings
from db.models import Estate
from db.seed import EstatePlan, create_estate
from domain.access import Actor, Level, Role
from tests.factories import eventually, make_actor

BIDDERS = ("co-huacheng", "co-lvyuan", "co-xinda")


async def create_tender_estate(
    sessions: async_sessionmaker[AsyncSession], *, company_id: str | None = "co-yuejia", resettlement: bool = False,
) -> str:
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


class TenderDriver:
    """Drives tender and handover cases through the HTTP API, as their users would."""

    def __init__(self, api: AsyncClient, env: Any, settings: Settings, estate_id: str) -> None:
        self.api, self.env, self.settings, self.estate_id = api, env, settings, estate_id
        self.case_id = ""
        self.actors: dict[str, Actor] = {
            "clerk": make_actor(Role.CLERK, Level.STREET, "yidu"),
            "other_clerk": make_actor(Role.CLERK, Level.STREET, "wangfu"),
            "bureau": make_actor(Role.HOUSING_BUREAU, Level.CITY),
            "street": make_actor(Role.STREET_OFFICE, Level.STREET, "yidu"),
            "committee": make_actor(Role.OWNERS_COMMITTEE, Level.ESTATE, estate_id),
            "owner": make_actor(Role.OWNER, Level.ESTATE, estate_id),
            "auditor": make_actor(Role.AUDITOR, Level.CITY),
        }

    def actor(self, who: str) -> Actor:
        if who in self.actors:
            return self.actors[who]
        if who.startswith("expert-"):
            return make_actor(Role.EXPERT, Level.CITY, subject=who)
        # Anything else names a company: a property-company user of it.
        return make_actor(Role.PROPERTY_COMPANY, Level.COMPANY, who, subject=f"user-{who}")

    def headers(self, who: str, key: str | None = None) -> dict[str, str]:
        h = {"Authorization": f"Bearer {issue_token(self.settings, self.actor(who))}"}
        if key:
            h["Idempotency-Key"] = key
        return h

    async def now(self) -> datetime:
        return await self.env.get_current_time()

    async def skip(self, delta: timedelta) -> None:
        await self.env.sleep(delta)

    async def skip_to(self, moment: datetime) -> None:
        now = await self.now()
        if moment > now:
            await self.env.sleep(moment - now + timedelta(minutes=1))

    async def start(self, *, days: float = 21, selection: str = "reselection", method: str = "comprehensive",
                    outgoing: dict[str, Any] | None = None, expect: int = 201) -> Response:
        body: dict[str, Any] = {
            "estate_id": self.estate_id, "selection": selection, "method": method, "summary": "物业服务招标：服务期三年",
            "bid_deadline": ((await self.now()) + timedelta(days=days)).isoformat(),
        }
        if selection == "reselection":
            body["outgoing"] = outgoing or {"reason": "dismissal"}
        r = await self.api.post("/cases/tender", json=body, headers=self.headers("clerk", uuid.uuid4().hex))
        assert r.status_code == expect, r.text
        if expect == 201:
            self.case_id = r.json()["id"]
        return r

    async def bid(self, company: str, price: int = 120, expect: int = 200) -> Response:
        r = await self.api.post(f"/cases/tender/{self.case_id}/bids", json={"price_fen_per_m2": price, "plan": "标准化服务方案"},
                                headers=self.headers(company))
        assert r.status_code == expect, r.text
        return r

    async def case(self, who: str = "bureau", case_id: str | None = None) -> dict[str, Any]:
        r = await self.api.get(f"/cases/{case_id or self.case_id}", headers=self.headers(who))
        assert r.status_code == 200, r.text
        return r.json()

    async def at_step(self, step: str, case_id: str | None = None) -> dict[str, Any]:
        async def check():  # type: ignore[no-untyped-def]
            r = await self.api.get(f"/cases/{case_id or self.case_id}", headers=self.headers("bureau"))
            return r.json() if r.status_code == 200 and r.json()["step"]["code"] == step else None

        return await eventually(check, attempts=200)

    async def tasks(self, step: str, case_id: str | None = None) -> list[dict[str, Any]]:
        return [t for t in (await self.case(case_id=case_id))["open_tasks"] if t["step"]["code"] == step]

    async def decide(self, who: str, task_id: str, decision: str, data: dict[str, Any] | None = None, comment: str | None = None,
                     expect: int = 200, case_id: str | None = None) -> Response:
        r = await self.api.post(
            f"/cases/{case_id or self.case_id}/tasks/{task_id}/decisions",
            json={"decision": decision, "data": data or {}, "comment": comment}, headers=self.headers(who, uuid.uuid4().hex),
        )
        assert r.status_code == expect, r.text
        return r

    async def to_evaluation(self, bidders: tuple[str, ...] = BIDDERS) -> dict[str, Any]:
        """Start, let ``bidders`` bid, pass the deadline: the committee is drawn and scoring opens."""
        await self.start()
        for i, company in enumerate(bidders):
            await self.bid(company, price=110 + i * 5)
        facts = (await self.case())["facts"]
        await self.skip_to(datetime.fromisoformat(facts["bid_deadline"]))
        return await self.at_step("evaluation")

    async def score_all(self, scores: dict[str, int] | None = None) -> None:
        """Every open scoring task is scored: experts by their assignee, the representative by the committee."""
        for task in await self.tasks("evaluation"):
            who = task["assignee"] or "committee"
            await self.decide(who, task["id"], "submit", {"scores": scores or {c: 80 + i for i, c in enumerate(BIDDERS)}})
