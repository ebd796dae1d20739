"""A quarter assessed end to end: records from a ticket and a handover refusal, review, publication, objections."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest_asyncio

from db.models import CreditRecord
from db.repositories import credit as credit_repo
from domain.calendar import CITY_TZ
from domain.credit import Quarter, grade_for
from domain.rules import CREDIT
from tests.clock import skip_past, wait_until
from tests.factories_credit import CreditDriver, clear_quarter
from tests.factories_tender import TenderDriver, create_tender_estate
from tests.factories_tickets import PHONE, TicketDriver, create_ticket_cast
from tests.fixture_types import AsyncClient, Sessions, Settings, WorkflowEnvironment
from tests.golden_recorder import keep_golden
from tests.workflows.test_handover import start_handover

# The quarter the records fall in (they are written at the wall clock's time).
QUARTER = str(Quarter.of(datetime.now(CITY_TZ).date()))


@pytest_asyncio.fixture
async def quarter(sessions: Sessions) -> AsyncIterator[str]:
    yield QUARTER
    await clear_quarter(sessions, QUARTER)


async def records_of(sessions: Sessions, case_id: str) -> list[CreditRecord]:
    async with sessions() as s:
        return await credit_repo.records_of_case(s, case_id)


async def company_records(api: AsyncClient, drv: CreditDriver, company: str) -> list[dict[str, object]]:
    r = await api.get(f"/credit/companies/{company}/file", headers=drv.headers(company))
    assert r.status_code == 200, r.text
    records: list[dict[str, object]] = r.json()["records"]
    return records


async def test_a_quarter_is_assessed_reviewed_published_and_an_upheld_objection_republishes(
    api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings, quarter: str,
) -> None:
    # A ticket the estate's company returns: a bad record recorded by the 12345 centre.
    cast = await create_ticket_cast(sessions, settings)
    ticket = TicketDriver(api, cast)
    await ticket.start("service_quality")
    await ticket.decide("company", "acceptance", "return", comment="系业主之间的邻里纠纷")
    [returned] = await wait_until(lambda: records_of(sessions, ticket.case_id))
    # A handover the same company refuses: a bad record recorded by the housing bureau, other units involved.
    tender = TenderDriver(api, env, settings, await create_tender_estate(sessions))
    handover = await start_handover(tender, settings)
    await handover.decide("co-yuejia", "exit", "refuse", comment="业主欠费未结清，拒不退出")
    [refused] = await wait_until(lambda: records_of(sessions, handover.case_id))
    assert (returned.type, returned.recording_role, refused.type, refused.joint) == ("ticket_returned", "dispatcher", "handover_refused", True)

    # The bureau starts the quarter; the draft grades wait for its review.
    r = await api.post("/credit/assessments", json={"quarter": quarter}, headers=cast.headers("street"))
    assert r.status_code == 403
    r = await api.post("/credit/assessments", json={"quarter": quarter}, headers=cast.headers("bureau"))
    assert r.status_code == 200, r.text
    assert r.json()["started"] is True
    drv = CreditDriver(api, cast, r.json()["case_id"])
    again = await api.post("/credit/assessments", json={"quarter": quarter}, headers=cast.headers("bureau"))
    assert again.json() == {**r.json(), "started": False}  # one case per quarter
    case = await drv.wait_for(step="bureau_review")
    assert case["facts"]["companies"] >= 2 and sum(case["facts"]["grades"].values()) == case["facts"]["companies"]
    file = (await api.get("/credit/companies/co-yuejia/file", headers=cast.headers("bureau"))).json()
    [draft] = [q for q in file["quarters"] if q["quarter"] == quarter]
    assert draft["published_at"] is None
    # Both records flow into the grade: the score takes their points, the band follows the score.
    total = Decimal(draft["score"]["total"])
    assert Decimal(draft["score"]["bad"]) >= 11
    live_bad = [x for x in file["records"] if x["kind"] == "bad" and x["state"] == "in_force"]
    assert {returned.id, refused.id} <= {x["id"] for x in live_bad}
    assert draft["computed_grade"] == grade_for(total, has_bad_record=True).value
    # Nothing is public before the bureau approves.
    assert (await api.get(f"/credit/published/{quarter}")).status_code == 404

    # The bureau adjusts one grade with a written reason (audit-logged), then approves.
    adjust = {"company_id": "co-xinda", "grade": "AA", "reason": "本季度获市级表彰，综合评定上调"}
    r = await api.post(f"/credit/assessments/{quarter}/adjustments", json=adjust, headers=cast.headers("street"))
    assert r.status_code == 403
    r = await api.post(f"/credit/assessments/{quarter}/adjustments", json={**adjust, "company_id": "co-nobody"}, headers=cast.headers("bureau"))
    assert r.status_code == 422
    r = await api.post(f"/credit/assessments/{quarter}/adjustments", json=adjust, headers=cast.headers("bureau"))
    assert r.status_code == 200, r.text
    assert r.json()["facts"]["adjustments"] == 1
    timeline = (await api.get(f"/cases/{drv.case_id}/timeline", headers=cast.headers("auditor"))).json()
    adjusted = [e for e in timeline if e["decision"] and e["decision"]["code"] == "adjust"]
    # The refused attempt is on the timeline too (the audit log keeps every refusal); the adjustment, with its reason.
    [entry] = [e for e in adjusted if e["comment"] == adjust["reason"]]
    assert entry["data"]["grade"] == "AA" and entry["actor"]["role"]["code"] == "housing_bureau"
    await drv.decide("bureau", "bureau_review", "approve")
    case = await drv.wait_for(step="published")

    # The public list: company, grade, score and bad records in force, without a token and without personal data.
    r = await api.get(f"/credit/published/{quarter}")
    assert r.status_code == 200, r.text
    page = r.json()
    lines = {line["company_id"]: line for line in page["lines"]}
    assert lines["co-xinda"]["grade"] == "AA"
    yuejia = lines["co-yuejia"]
    assert yuejia["grade"] == draft["grade"] and Decimal(yuejia["score"]) == total
    assert {"ticket_returned", "handover_refused"} <= {b["type"] for b in yuejia["bad_records"]}
    returns_before = returns_after(yuejia)
    text = r.text
    for personal in ("张女士", PHONE, "user-", "业主欠费未结清", "系业主之间", "reason", "recorded_by", "evidence"):
        assert personal not in text, personal
    assert (await api.get("/credit/published/2026Q9")).status_code == 422
    assert (await api.get("/credit/published")).json()[0] == quarter

    # Objections (Art. 39): only the company the record names; 3 working days, 7 with other units involved.
    r = await api.post(f"/credit/records/{returned.id}/objections", json={"text": "该工单非我司职责"}, headers=cast.headers("co-xinda"))
    assert r.status_code == 404
    r = await api.post(f"/credit/records/{returned.id}/objections", json={"text": "该工单系邻里纠纷，非物业服务问题"},
                       headers=cast.headers("co-yuejia"))
    assert r.status_code == 202, r.text
    r = await api.post(f"/credit/records/{refused.id}/objections", json={"text": "已按期移交，拒绝移交不属实"},
                       headers=cast.headers("co-yuejia"))
    assert r.status_code == 202, r.text
    case = await drv.case()
    answers = {t["candidate_roles"][0]["code"]: t for t in case["open_tasks"] if t["step"]["code"] == "objection_answer"}
    assert set(answers) == {"dispatcher", "housing_bureau"}
    assert [o["working_days"] for o in case["facts"]["objections"]] == [CREDIT.objection_working_days, CREDIT.objection_joint_working_days]

    # The recording unit upholds the first: the record is revoked, the company's line republished with a note.
    await drv.decide("dispatcher", answers["dispatcher"], "uphold", comment="经核实系邻里纠纷，记录撤销")
    revoked = await wait_until(lambda: _revoked(sessions, returned.id))
    assert revoked.revoked_reason is not None and "记录撤销" in revoked.revoked_reason
    line = (await api.get(f"/credit/published/{quarter}")).json()
    yuejia = next(x for x in line["lines"] if x["company_id"] == "co-yuejia")
    assert yuejia["note"] is not None and str(returned.id) in yuejia["note"] and yuejia["republished_at"] is not None
    # Other tests may leave returns of the same company in the shared database: exactly this one is gone.
    assert returns_after(yuejia) == returns_before - 1
    assert Decimal(yuejia["score"]) == total + 1
    mine = await company_records(api, drv, "co-yuejia")
    assert next(x for x in mine if x["id"] == returned.id)["state"] == "revoked"

    # The second waits: a red card at its deadline, then escalation to the bureau's supervisor.
    await skip_past(env, datetime.fromisoformat(answers["housing_bureau"]["escalate_at"]))
    case = await drv.wait_for(step="published")
    task = next(t for t in case["open_tasks"] if t["id"] == answers["housing_bureau"]["id"])
    assert task["card"]["code"] == "red" and task["escalated_at"] is not None
    await drv.decide("bureau", task, "answer", comment="移交记录显示拒不退出属实，维持记录")
    mine = await company_records(api, drv, "co-yuejia")
    assert next(x for x in mine if x["id"] == refused.id)["state"] == "in_force"

    # The window ends: the case closes; the published grades stay.
    published_at = datetime.fromisoformat(case["facts"]["published_at"])
    await skip_past(env, published_at + CREDIT.objection_window)
    case = await drv.wait_for(status="completed")
    assert [o["outcome"] for o in case["facts"]["objections"]] == ["uphold", "answer"]
    await keep_golden(env.client, drv.case_id, "credit-assessment-objections")


def returns_after(line: dict[str, Any]) -> int:
    """How many returned-ticket records the company's published line counts."""
    return [b["type"] for b in line["bad_records"]].count("ticket_returned")


async def _revoked(sessions: Sessions, record_id: int) -> CreditRecord | None:
    async with sessions() as s:
        record = await credit_repo.get_record(s, record_id)
        return record if record.revoked_at is not None else None


def test_the_quarter_is_the_wall_clocks() -> None:
    assert Quarter.parse(QUARTER).start() <= datetime.now(UTC) < Quarter.parse(QUARTER).end() + timedelta(seconds=1)
