"""The ticket's own calls: a fresh estate's cast, the intake, the ledger."""

from __future__ import annotations

import uuid
from typing import Any

from httpx import Response

from core.settings import Settings
from tests.driver import CaseDriver, Json
from tests.factories import Cast, create_test_estate
from tests.fixture_types import Sessions

PHONE = "13912345678"


async def create_ticket_cast(sessions: Sessions, settings: Settings) -> Cast:
    """A fresh one-unit estate in 益都街道 (community yidu-c1, company co-yuejia) and its cast."""
    return await create_test_estate(sessions, settings, buildings=1, units=1, floors=1, rooms=1)


class TicketDriver(CaseDriver):
    """A 矛盾纠纷 ticket, taken in by the hotline centre, which reads it."""

    reader = "dispatcher"

    def body(self, category: str, ref: str | None = None, channel: str = "hotline_12345") -> dict[str, Any]:
        return {
            "channel": channel, "external_ref": ref or f"12345-{uuid.uuid4().hex[:10]}", "category": category,
            "estate_id": self.cast.estate_id, "description": "投诉内容", "contact": {"name": "张女士", "phone": PHONE},
        }

    async def start(self, category: str, ref: str | None = None, who: str = "dispatcher", expect: int = 201) -> Response:
        return await self.start_through_api("/tickets", self.body(category, ref), who=who, expect=expect)

    async def ledger(self, who: str = "dispatcher", **params: Any) -> Json:
        """The estate's ticket ledger (台账) as ``who`` reads it, filtered by ``params``."""
        r = await self.api.get("/tickets", params={"estate_id": self.cast.estate_id, **params}, headers=self.headers(who))
        assert r.status_code == 200, r.text
        page: Json = r.json()
        return page
