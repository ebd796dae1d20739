"""A company's credit timeline: the bureau's record puts it on the blacklist, the bureau's revocation takes it off.

Both acts are on the company's credit chain in the audit log; the company reads its own timeline,
another company cannot; a company the credit system held nothing on reads itself as C (缺失).
"""

from __future__ import annotations

import uuid

from api.auth import issue_token
from domain.access import Level, Role
from tests.factories import make_actor
from tests.factories_credit import create_company
from tests.fixture_types import AsyncClient, Sessions, Settings


def auth(settings: Settings, role: Role, level: Level, jid: str | None = None, key: str | None = None) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {issue_token(settings, make_actor(role, level, jid))}"}
    return {**headers, "Idempotency-Key": key} if key else headers


async def test_blacklist_entry_and_exit_by_the_bureau_are_on_the_timeline_and_the_audit_chain(
    api: AsyncClient, sessions: Sessions, settings: Settings,
) -> None:
    company, other = await create_company(sessions, grade=None), await create_company(sessions)
    own = auth(settings, Role.PROPERTY_COMPANY, Level.COMPANY, company)
    bureau = auth(settings, Role.HOUSING_BUREAU, Level.CITY)
    path = f"/credit/companies/{company}/timeline"

    empty = (await api.get(path, headers=own)).json()
    assert (empty["standing"]["grade_label"], empty["standing"]["basis"], empty["events"]) == ("C（缺失）", "missing", [])
    assert empty["chain"] == {"chain_id": f"credit-file:{company}", "entries": 0, "intact": True}
    assert (await api.get(path, headers=auth(settings, Role.PROPERTY_COMPANY, Level.COMPANY, other))).status_code == 403
    assert (await api.get("/credit/companies/co-nobody/timeline", headers=bureau)).status_code == 404

    key = f"timeline-{uuid.uuid4().hex[:8]}"
    body = {"company_id": company, "type": "serious_dishonesty", "reason": "伪造业主大会表决结果", "evidence": "青住建罚〔2026〕3号"}
    record = (await api.post("/credit/records", json=body, headers={**bureau, "Idempotency-Key": key})).json()
    await api.post("/credit/records", json=body, headers={**bureau, "Idempotency-Key": key})  # a retry: one record, one entry
    on = (await api.get(path, headers=own)).json()
    kinds = {e["kind"]: e for e in on["events"]}
    assert set(kinds) == {"record", "blacklist_entry"} and on["chain"]["entries"] == 1
    entry = kinds["blacklist_entry"]
    assert (entry["source"], entry["source_label"], entry["record_ids"]) == ("bureau", "住建局决定", [record["id"]])
    assert "伪造业主大会表决结果" in entry["reason"] and entry["at"] == record["recorded_at"]
    assert kinds["record"]["audit_seq"] == 1 and on["standing"]["blacklist"] is not None and not on["standing"]["missing"]

    revocation = {"reason": "行政处罚决定已被复议机关撤销", "evidence": "青政复决〔2026〕8号"}
    assert (await api.post(f"/credit/records/{record['id']}/revocation", json=revocation,
                           headers=auth(settings, Role.STREET_OFFICE, Level.STREET, "yidu"))).status_code == 403
    r = await api.post(f"/credit/records/{record['id']}/revocation", json=revocation, headers=bureau)
    assert r.status_code == 200 and r.json()["state"] == "revoked", r.text
    again = await api.post(f"/credit/records/{record['id']}/revocation", json={**revocation, "reason": "再次撤销"}, headers=bureau)
    assert again.json()["revoked_reason"] == r.json()["revoked_reason"]  # once, with its first reason
    off = (await api.get(path, headers=auth(settings, Role.AUDITOR, Level.CITY))).json()
    # Same moment, newest first: the exit follows from the revocation.
    assert [e["kind"] for e in off["events"]] == ["blacklist_exit", "record_revoked", "blacklist_entry", "record"]
    exit_ = next(e for e in off["events"] if e["kind"] == "blacklist_exit")
    assert (exit_["source"], exit_["record_ids"]) == ("bureau", [record["id"]]) and "第四十条" in exit_["reason"]
    assert next(e for e in off["events"] if e["kind"] == "record_revoked")["audit_seq"] == 2
    assert off["standing"]["blacklist"] is None
    assert off["chain"] == {"chain_id": f"credit-file:{company}", "entries": 2, "intact": True}
