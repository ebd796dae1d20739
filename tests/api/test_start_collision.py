"""A fresh start never attaches to a workflow it did not start, even when the database forgot the id.

After the database is restored from an older backup (or recreated) while Temporal keeps its
histories, the case-id counter falls behind and hands out an id a workflow already holds.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select, update

from db.models import CaseRecord, CaseSequence, InboxEntry, LedgerEntry, StartRequest
from domain.cases import CaseSnapshot
from tests.factories import create_test_estate
from tests.factories_fund import FundCaseDriver
from tests.fixture_types import AsyncClient, Sessions, Settings, WorkflowEnvironment

NEW_REPORT = "3号楼屋面防水层破损，顶层住户漏水"


async def forget_case(sessions: Sessions, case_id: str) -> None:
    """What a restore from a backup taken before ``case_id`` started leaves: no row, no key, the counter behind it."""
    prefix = case_id.rsplit("-", 1)[0]
    async with sessions() as s, s.begin():
        await s.execute(delete(InboxEntry).where(InboxEntry.case_id == case_id))
        await s.execute(delete(CaseRecord).where(CaseRecord.id == case_id))
        await s.execute(delete(StartRequest).where(StartRequest.case_id == case_id))
        await s.execute(update(CaseSequence).where(CaseSequence.prefix == prefix).values(last=CaseSequence.last - 1))


async def debits(sessions: Sessions, case_id: str) -> list[tuple[str, int]]:
    async with sessions() as s:
        rows = await s.execute(
            select(LedgerEntry.household_id, LedgerEntry.amount_fen).where(LedgerEntry.case_id == case_id).order_by(LedgerEntry.id)
        )
        return [(row[0], row[1]) for row in rows]


def new_report(cast_estate: str) -> dict[str, Any]:
    return {"estate_id": cast_estate, "category": "roof_waterproofing", "scope": "estate", "description": NEW_REPORT}


async def test_a_start_after_a_restore_gets_a_new_id_and_leaves_the_old_case_alone(
    api: AsyncClient, sessions: Sessions, settings: Settings, env: WorkflowEnvironment,
) -> None:
    cast = await create_test_estate(sessions, settings)
    old = FundCaseDriver(api, cast)
    await old.start(key="report-before-the-backup")
    await old.through_approval()  # the old case's first payment is made
    old_debits = await debits(sessions, old.case_id)
    old_handle = env.client.get_workflow_handle(old.case_id)
    old_state = await old_handle.query("snapshot", result_type=CaseSnapshot)
    assert old_debits and old_state.step != "onsite_verification"
    await forget_case(sessions, old.case_id)

    new = FundCaseDriver(api, cast)
    r = await new.start_through_api("/cases/fund-emergency", new_report(cast.estate_id), key="report-after-the-restore")
    assert new.case_id != old.case_id and r.status_code == 201
    assert r.json()["facts"]["description"] == NEW_REPORT and r.json()["step"]["code"] == "onsite_verification"
    new_state = await env.client.get_workflow_handle(new.case_id).query("snapshot", result_type=CaseSnapshot)
    assert new_state.facts["description"] == NEW_REPORT

    # The new report is decided on its own: its approval debits its own line, the old case is as it was.
    await new.through_approval(requested=3_000_000, approved=2_400_000)
    assert sum(amount for _, amount in await debits(sessions, new.case_id)) == -1_200_000
    assert await debits(sessions, old.case_id) == old_debits
    after = await old_handle.query("snapshot", result_type=CaseSnapshot)
    assert (after.version, after.step, after.facts) == (old_state.version, old_state.step, old_state.facts)

    # The same start again is still our own retry: the same case, 200.
    again = await api.post("/cases/fund-emergency", json=new_report(cast.estate_id), headers=cast.headers("clerk", "report-after-the-restore"))
    assert again.status_code == 200 and again.json()["id"] == new.case_id


async def test_a_start_never_lands_on_a_closed_workflow_with_its_id(
    api: AsyncClient, sessions: Sessions, settings: Settings, env: WorkflowEnvironment,
) -> None:
    cast = await create_test_estate(sessions, settings)
    old = FundCaseDriver(api, cast)
    await old.start()
    r = await api.post(f"/cases/{old.case_id}/withdraw", json={"reason": "误报"}, headers=cast.headers("clerk"))
    assert r.json()["status"]["code"] == "withdrawn", r.text
    await forget_case(sessions, old.case_id)

    new = FundCaseDriver(api, cast)
    r = await new.start_through_api("/cases/fund-emergency", new_report(cast.estate_id))  # no Idempotency-Key at all
    assert r.status_code == 201 and new.case_id != old.case_id
    assert r.json()["status"]["code"] == "active" and r.json()["facts"]["description"] == NEW_REPORT
    async with sessions() as s:
        stored = await s.scalar(select(func.count()).select_from(CaseRecord).where(CaseRecord.estate_id == cast.estate_id))
    assert stored == 1  # the new case only: no row was left under the old case's id
