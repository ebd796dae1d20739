"""Builders for ticket tests: everyone who acts on one estate's tickets, and a driver over the HTTP API."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from httpx import AsyncClient, Response
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.auth import issue_token
from core.settings import Settings
from db.seed_tickets import DEPARTMENTS
from domain.access import Actor, Level, Role
from tests.factories import create_test_estate, make_actor

PHONE = "13912345678"


@dataclass
class TicketCast:
    """The hotline centre, the estate's street, community and company, every department, the joint meeting."""

    settings: Settings
    estate_id: str
    street_id: str = "yidu"
    community_id: str = "yidu-c1"
    company_id: str = "co-yuejia"
    actors: dict[str, Actor] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.actors = {
            "dispatcher": make_actor(Role.DISPATCHER, Level.CITY),
            "clerk": make_actor(Role.CLERK, Level.STREET, self.street_id),
            "street": make_actor(Role.STREET_OFFICE, Level.STREET, self.street_id),
            "community": make_actor(Role.COMMUNITY, Level.COMMUNITY, self.community_id),
            "company": make_actor(Role.PROPERTY_COMPANY, Level.COMPANY, self.company_id),
            "joint": make_actor(Role.JOINT_MEETING, Level.CITY),
            "admin": make_actor(Role.ADMIN, Level.CITY),
            "bureau": make_actor(Role.HOUSING_BUREAU, Level.CITY),
            "other_street": make_actor(Role.STREET_OFFICE, Level.STREET, "wangfu"),
            "other_community": make_actor(Role.COMMUNITY, Level.COMMUNITY, "wangfu-c1"),
            "other_company": make_actor(Role.PROPERTY_COMPANY, Level.COMPANY, "co-huacheng"),
        }
        for dept_id, _name, _duty in DEPARTMENTS:
            self.actors[dept_id] = make_actor(Role.DEPARTMENT, Level.DEPARTMENT, dept_id)

    def headers(self, who: str, key: str | None = None) -> dict[str, str]:
        h = {"Authorization": f"Bearer {issue_token(self.settings, self.actors[who])}"}
        if key:
            h["Idempotency-Key"] = key
        return h


async def create_ticket_cast(sessions: async_sessionmaker[AsyncSession], settings: Settings) -> TicketCast:
    """A fresh estate in 益都街道 (community yidu-c1, company co-yuejia) and its cast."""
    estate = await create_test_estate(sessions, settings, buildings=1, units=1, floors=1, rooms=1)
    return TicketCast(settings=settings, estate_id=estate.estate_id)


class TicketDriver:
    """Drives one ticket through the HTTP API, as its users would."""

    def __init__(self, api: AsyncClient, cast: TicketCast) -> None:
        self.api = api
        self.cast = cast
        self.case_id = ""

    def body(self, category: str, ref: str | None = None, channel: str = "hotline_12345") -> dict[str, Any]:
        return {
            "channel": channel, "external_ref": ref or f"12345-{uuid.uuid4().hex[:10]}", "category": category,
            "estate_id": self.cast.estate_id, "description": "投诉内容", "contact": {"name": "张女士", "phone": PHONE},
        }

    async def start(self, category: str, ref: str | None = None, who: str = "dispatcher", expect: int = 201) -> dict[str, Any]:
        r = await self.api.post("/tickets", json=self.body(category, ref), headers=self.cast.headers(who))
        assert r.status_code == expect, r.text
        self.case_id = r.json()["id"]
        return r.json()

    async def case(self, who: str = "dispatcher") -> dict[str, Any]:
        r = await self.api.get(f"/cases/{self.case_id}", headers=self.cast.headers(who))
        assert r.status_code == 200, r.text
        return r.json()

    async def open_task(self, step: str, note: str | None = None) -> dict[str, Any]:
        case = await self.case()
        tasks = [t for t in case["open_tasks"] if t["step"]["code"] == step and (note is None or note in (t["note"] or ""))]
        assert tasks, f"no open {step} task; case is at {case['step']['code']} with {[t['step']['code'] for t in case['open_tasks']]}"
        return tasks[0]

    async def decide(
        self, who: str, step: str, decision: str, data: dict[str, Any] | None = None, comment: str | None = None,
        expect: int = 200, note: str | None = None,
    ) -> Response:
        task = await self.open_task(step, note)
        r = await self.api.post(
            f"/cases/{self.case_id}/tasks/{task['id']}/decisions",
            json={"decision": decision, "data": data or {}, "comment": comment}, headers=self.cast.headers(who),
        )
        assert r.status_code == expect, r.text
        return r

    async def ledger(self, who: str = "dispatcher", **params: Any) -> dict[str, Any]:
        r = await self.api.get("/tickets", params={"estate_id": self.cast.estate_id, **params}, headers=self.cast.headers(who))
        assert r.status_code == 200, r.text
        return r.json()
