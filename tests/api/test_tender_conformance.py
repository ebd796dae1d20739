"""The tender's start refuses what the statutes rule out, as a problem response, never a second process.

One property-service area has one property service provider (潍坊 Art. 45: 一个物业服务区域应当选定一个物业服务人):
a second tender for an estate whose tender is still running would award it twice, so it is refused with 409
naming the running case, as a second election is. A retried start (same Idempotency-Key) still answers its case.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from tests.factories_tender import TenderDriver, create_tender_estate
from tests.fixture_types import AsyncClient, Sessions, Settings, WorkflowEnvironment


async def test_a_second_tender_for_an_estate_with_a_running_tender_is_refused(
    api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings,
) -> None:
    estate_id = await create_tender_estate(sessions)
    drv = TenderDriver(api, env, settings, estate_id)
    key = uuid.uuid4().hex
    body = {
        "estate_id": estate_id, "selection": "first", "method": "comprehensive", "summary": "物业服务招标：服务期三年",
        "bid_deadline": ((await env.get_current_time()) + timedelta(days=21)).isoformat(),
    }
    first = await drv.start_through_api("/cases/tender", body, key=key)
    running = first.json()["id"]
    # The retry of the same start answers the same case.
    again = await api.post("/cases/tender", json=body, headers=drv.headers("clerk", key))
    assert again.status_code in (200, 201) and again.json()["id"] == running
    second = await api.post("/cases/tender", json=body, headers=drv.headers("clerk", uuid.uuid4().hex))
    assert second.status_code == 409, second.text
    problem = second.json()
    assert problem["type"] == "/problems/conflict" and running in problem["detail"]
    # Another estate's tender is not affected.
    other = TenderDriver(api, env, settings, await create_tender_estate(sessions))
    await other.start(selection="first")
