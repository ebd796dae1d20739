"""The blacklist tenders read is computed from the records: a serious-dishonesty record bars a bid at once."""

from __future__ import annotations

import uuid

from tests.factories_credit import create_company
from tests.factories_tender import TenderDriver, create_tender_estate
from tests.fixture_types import AsyncClient, Sessions, Settings, WorkflowEnvironment


async def test_a_company_the_bureau_records_as_seriously_dishonest_is_refused_a_bid(
    api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings,
) -> None:
    clean, dishonest = await create_company(sessions), await create_company(sessions)
    drv = TenderDriver(api, env, settings, await create_tender_estate(sessions))
    await drv.start()
    body = {"company_id": dishonest, "type": "serious_dishonesty", "reason": "投标中提供虚假业绩材料",
            "evidence": "青住建罚〔2026〕12号", "conduct_ended": "2026-10-15T00:00:00+08:00"}
    key = f"credit-{uuid.uuid4().hex[:8]}"
    r = await api.post("/credit/records", json=body, headers=drv.headers("street", key))
    assert r.status_code == 403
    r = await api.post("/credit/records", json={**body, "type": "ticket_overdue"}, headers=drv.headers("bureau", key))
    assert r.status_code == 422  # a ticket's record comes from its ticket, not by hand
    r = await api.post("/credit/records", json=body, headers=drv.headers("bureau"))
    assert r.status_code == 422  # no Idempotency-Key: a retry would record twice
    r = await api.post("/credit/records", json=body, headers=drv.headers("bureau", key))
    assert r.status_code == 201, r.text
    record = r.json()
    assert (record["kind"], record["serious"], record["state"], record["recording_role"]) == ("bad", True, "in_force", "housing_bureau")
    assert record["valid_until"].startswith("2031-10-14T16:00:00")  # Art. 38: five years from the end of the conduct
    again = await api.post("/credit/records", json=body, headers=drv.headers("bureau", key))
    assert again.json()["id"] == record["id"]

    await drv.bid(clean)
    r = await drv.bid(dishonest, expect=403)
    assert "blacklist" in r.json()["detail"]
    # The company reads the entry on its own file; another company cannot.
    file = (await api.get(f"/credit/companies/{dishonest}/file", headers=drv.headers(dishonest))).json()
    assert file["blacklist"]["record_ids"] == [record["id"]] and file["standing"]["basis"] == "imported"
    assert (await api.get(f"/credit/companies/{dishonest}/file", headers=drv.headers(clean))).status_code == 403
