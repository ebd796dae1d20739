"""Small builders for test data and callers: a fresh estate per test, actors, auth headers."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from httpx import AsyncClient, Response
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.auth import issue_token
from core.settings import Settings
from db.seed import EstatePlan, create_estate
from domain.access import Actor, Jurisdiction, Level, Role
from domain.calendar import CITY_TZ


def make_actor(role: Role, level: Level, jid: str | None = None, subject: str | None = None) -> Actor:
    return Actor(
        subject=subject or f"{role.value}-{uuid.uuid4().hex[:6]}", name=f"测试{role.label}", roles=(role,),
        jurisdiction=Jurisdiction(level=level, id=jid), organisation=f"测试{role.label}单位",
    )


@dataclass
class Cast:
    """Everyone who acts on one estate's cases, with their tokens."""

    settings: Settings
    estate_id: str
    households: list[str]
    street_id: str = "yidu"
    community_id: str = "yidu-c1"
    company_id: str = "co-yuejia"
    agency_id: str = "pa-qzzj"
    actors: dict[str, Actor] = field(default_factory=dict)

    def __post_init__(self) -> None:
        e = self.estate_id
        self.actors = {
            "clerk": make_actor(Role.CLERK, Level.STREET, self.street_id),
            "owner_rep": make_actor(Role.OWNER_REP, Level.ESTATE, e),
            "committee": make_actor(Role.OWNERS_COMMITTEE, Level.ESTATE, e),
            "community": make_actor(Role.COMMUNITY, Level.COMMUNITY, self.community_id),
            "company": make_actor(Role.PROPERTY_COMPANY, Level.COMPANY, self.company_id),
            "agency": make_actor(Role.PRICING_AGENCY, Level.COMPANY, self.agency_id),
            "bureau": make_actor(Role.HOUSING_BUREAU, Level.CITY),
            "supervisor": make_actor(Role.BUREAU_SUPERVISOR, Level.CITY),
            "street": make_actor(Role.STREET_OFFICE, Level.STREET, self.street_id),
            "owner": make_actor(Role.OWNER, Level.ESTATE, e),
            "other_street": make_actor(Role.STREET_OFFICE, Level.STREET, "wangfu"),
            "other_bureau_role": make_actor(Role.COMMUNITY, Level.CITY),
        }

    def headers(self, who: str, key: str | None = None) -> dict[str, str]:
        h = {"Authorization": f"Bearer {issue_token(self.settings, self.actors[who])}"}
        if key:
            h["Idempotency-Key"] = key
        return h


async def create_test_estate(
    sessions: async_sessionmaker[AsyncSession], settings: Settings, *, committee: bool = True,
    balance_percent: int = 70, buildings: int = 2, units: int = 2, floors: int = 3, rooms: int = 2,
) -> Cast:
    """A fresh estate in 益都街道 with its own households and fund accounts."""
    estate_id = f"t-{uuid.uuid4().hex[:8]}"
    async with sessions() as session:
        households = await create_estate(session, EstatePlan(
            id=estate_id, name=f"测试小区{estate_id[-4:]}", street_id="yidu", community_id="yidu-c1",
            property_company_id="co-yuejia", pricing_agency_id="pa-qzzj", has_owners_committee=committee,
            buildings=buildings, units=units, floors=floors, rooms=rooms, balance_percent=balance_percent,
        ))
        await session.commit()
    return Cast(settings=settings, estate_id=estate_id, households=households)


class FundCaseDriver:
    """Drives one fund-emergency case through the HTTP API, as its users would."""

    def __init__(self, api: AsyncClient, cast: Cast) -> None:
        self.api = api
        self.cast = cast
        self.case_id = ""

    async def start(self, scope: str = "estate", scope_id: str | None = None, who: str = "clerk", key: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "estate_id": self.cast.estate_id, "category": "elevator_failure", "scope": scope,
            "description": "2号楼电梯钢丝绳断股，已停运", "attachments": ["photo://lift-2.jpg"],
        }
        if scope_id:
            body["scope_id"] = scope_id
        r = await self.api.post("/cases/fund-emergency", json=body, headers=self.cast.headers(who, key))
        assert r.status_code in (200, 201), r.text
        self.case_id = r.json()["id"]
        return r.json()

    async def case(self, who: str = "bureau") -> dict[str, Any]:
        r = await self.api.get(f"/cases/{self.case_id}", headers=self.cast.headers(who))
        assert r.status_code == 200, r.text
        return r.json()

    async def open_task(self, step: str) -> dict[str, Any]:
        case = await self.case()
        tasks = [t for t in case["open_tasks"] if t["step"]["code"] == step]
        assert tasks, f"no open {step} task; case is at {case['step']['code']} with {[t['step']['code'] for t in case['open_tasks']]}"
        return tasks[0]

    async def decide(
        self, who: str, step: str, decision: str, data: dict[str, Any] | None = None, comment: str | None = None,
        key: str | None = None, expect: int = 200,
    ) -> Response:
        task = await self.open_task(step)
        r = await self.api.post(
            f"/cases/{self.case_id}/tasks/{task['id']}/decisions",
            json={"decision": decision, "data": data or {}, "comment": comment}, headers=self.cast.headers(who, key),
        )
        assert r.status_code == expect, r.text
        return r

    async def verify(self, parties: tuple[str, ...] = ("owner_rep", "committee", "company")) -> None:
        for who in parties:
            await self.decide(who, "onsite_verification", "confirm", comment="现场属实")

    async def through_approval(self, requested: int = 5_000_000, approved: int = 4_200_000) -> None:
        await self.verify()
        await self.decide("company", "budget_submission", "submit", {"amount_fen": requested, "contractor": "青州建安维修工程有限公司"})
        await self.decide("agency", "price_review", "approve", {"approved_amount_fen": approved, "reasons": "钢丝绳单价按信息价核减"})
        await self.decide("bureau", "bureau_review", "approve", comment="同意")


async def skip_to(env, moment: datetime) -> None:  # type: ignore[no-untyped-def]
    """Skip the test server's clock to ``moment`` (no-op when it is already past)."""
    now = await env.get_current_time()
    if moment > now:
        await env.sleep(moment - now)


async def next_city_time(env, at: time) -> datetime:  # type: ignore[no-untyped-def]
    """The next moment the city's clock (Asia/Shanghai) shows ``at``, at least a minute away."""
    now = (await env.get_current_time()).astimezone(CITY_TZ)
    moment = datetime.combine(now.date(), at, tzinfo=CITY_TZ)
    while moment < now + timedelta(minutes=1):
        moment += timedelta(days=1)
    return moment


async def eventually(check, attempts: int = 100, delay: float = 0.05):  # type: ignore[no-untyped-def]
    """Poll ``check`` (an async callable returning a truthy value) while a timer's effects land."""
    import asyncio

    last = None
    for _ in range(attempts):
        last = await check()
        if last:
            return last
        await asyncio.sleep(delay)
    raise AssertionError(f"condition not met; last value: {last!r}")
