"""The history archive: a closed case's history is archived with its sha256 in the audit chain, read back
checked against the chain, and the sweep archives what the close-time path missed."""

from __future__ import annotations

import gzip
import uuid

from httpx import AsyncClient
from sqlalchemy import select, update
from temporalio.testing import WorkflowEnvironment

from activities.archive import SweepRequest
from api.auth import issue_token
from core.archive_store import DatabaseStore
from core.history_archive import HistoryArchive, chain_key, history_bytes, history_json, pack, sha256_hex
from core.settings import Settings
from db.models import ArchivedHistory, AuditEntry
from db.repositories import archive as archive_repo
from db.repositories import audit as audit_repo
from domain.access import Level, Role
from tests.clock import wait_until
from tests.dev_server import dev_api
from tests.factories import Cast, create_test_estate, make_actor
from tests.factories_fund import FundCaseDriver
from tests.fixture_types import Sessions
from tests.golden_recorder import keep_golden
from tests.tamper import tamper
from workflows.history_archive import HistoryArchiveSweepWorkflow


async def withdrawn_case(api: AsyncClient, cast: Cast) -> FundCaseDriver:
    """A fund case its initiator withdrew at once: the quickest way to a closed case."""
    drv = FundCaseDriver(api, cast)
    await drv.start()
    r = await api.post(f"/cases/{drv.case_id}/withdraw", json={"reason": "误报"}, headers=cast.headers("clerk"))
    assert r.json()["status"]["code"] == "withdrawn", r.text
    return drv


async def archived_row(sessions: Sessions, case_id: str) -> ArchivedHistory | None:
    async with sessions() as s:
        return await archive_repo.latest_run(s, case_id)


def auditor_headers(settings: Settings) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(settings, make_actor(Role.AUDITOR, Level.CITY))}"}


async def test_a_closed_case_is_archived_once_with_its_sha256_in_the_audit_chain(api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings)
    drv = await withdrawn_case(api, cast)
    row = await wait_until(lambda: archived_row(sessions, drv.case_id), within=60)

    fetched = await env.client.get_workflow_handle(drv.case_id).fetch_history()
    assert row.sha256 == sha256_hex(history_bytes(fetched)) and row.size_bytes == len(history_bytes(fetched))
    assert row.events == len(fetched.events) and row.object_key.endswith(f"/{row.run_id}.pb.gz")
    assert row.kind == "fund-emergency" and row.status == "completed" and row.workflow_type == "MaintenanceFundEmergency"
    assert row.store == "database" and row.stored_bytes < row.size_bytes / 2
    async with sessions() as s:
        entry = await archive_repo.chain_entry(s, chain_key(drv.case_id, row.run_id))
        count, broken = await audit_repo.check_chain(s, drv.case_id)
    assert entry is not None and entry.data["archive"]["sha256"] == row.sha256 and broken is None
    # The auditor's timeline shows the archiving as the chain's last entry.
    timeline = (await api.get(f"/audit/cases/{drv.case_id}/timeline", headers=auditor_headers(settings))).json()
    assert timeline[-1]["kind"] == "system" and timeline[-1]["data"]["archive"]["sha256"] == row.sha256

    archive = HistoryArchive(sessions, DatabaseStore(sessions))
    again = await archive.archive_run(env.client, drv.case_id, row.run_id)
    assert again.new is False and again.sha256 == row.sha256
    async with sessions() as s:
        assert (await audit_repo.check_chain(s, drv.case_id))[0] == count  # no second entry
    read = await archive.read(drv.case_id)
    assert read is not None and read.intact and history_json(read.history()) == history_json(fetched)
    assert [e.event_id for e in read.history().events][-1] == len(fetched.events)


async def test_a_changed_byte_in_the_archived_history_is_reported_as_tampered(api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings)
    drv = await withdrawn_case(api, cast)
    row = await wait_until(lambda: archived_row(sessions, drv.case_id), within=60)
    headers = auditor_headers(settings)
    r = await api.get(f"/audit/cases/{drv.case_id}/history", params={"source": "archive"}, headers=headers)
    assert r.status_code == 200 and r.headers["X-History-Source"] == "archive"
    r = await api.post(f"/audit/cases/{drv.case_id}/replay", params={"source": "archive"}, headers=headers)
    assert r.json()["consistent"] is True and r.json()["source"] == "archive" and r.json()["sha256"] == row.sha256

    # One byte of the history changed and packed again: a valid gzip whose content no longer matches the chain.
    async with sessions() as s:
        original = await archive_repo.get_object(s, row.object_key)
    data = bytearray(gzip.decompress(original))
    data[len(data) // 2] ^= 0x01
    await DatabaseStore(sessions).put(row.object_key, pack(bytes(data)))
    r = await api.get(f"/audit/cases/{drv.case_id}/history", headers=headers, params={"source": "archive"})
    problem = r.json()
    assert r.status_code == 409 and problem["integrity"] == "tampered" and problem["case_id"] == drv.case_id
    assert "sha256" in problem["detail"] and drv.case_id in problem["detail"]
    report = (await api.post(f"/audit/cases/{drv.case_id}/replay", params={"source": "archive"}, headers=headers)).json()
    assert report["tampered"] is True and report["consistent"] is False and report["error_type"] == "ArchiveTampered"

    # A byte changed in the stored gzip itself.
    broken = bytearray(original)
    broken[len(broken) // 2] ^= 0xFF
    await DatabaseStore(sessions).put(row.object_key, bytes(broken))
    read = await HistoryArchive(sessions, DatabaseStore(sessions)).read(drv.case_id)
    assert read is not None and not read.intact

    # The stored sha256 changed along with the bytes: the chain still holds the original.
    await DatabaseStore(sessions).put(row.object_key, pack(bytes(data)))
    async with sessions() as s:
        stored = await s.get(ArchivedHistory, (row.workflow_id, row.run_id))
        stored.sha256 = sha256_hex(bytes(data))
        await s.commit()
    read = await HistoryArchive(sessions, DatabaseStore(sessions)).read(drv.case_id)
    assert read is not None and not read.intact and "audit chain" in (read.reason or "")

    # Rewriting the chain entry too breaks the chain at that entry.
    async with sessions() as s:
        entry = await s.scalar(select(AuditEntry).where(AuditEntry.entry_key == chain_key(row.workflow_id, row.run_id)))
    assert entry is not None
    forged = {"archive": {**entry.data["archive"], "sha256": sha256_hex(bytes(data))}}
    await tamper(sessions, update(AuditEntry).where(AuditEntry.id == entry.id).values(data=forged))
    read = await HistoryArchive(sessions, DatabaseStore(sessions)).read(drv.case_id)
    assert read is not None and not read.intact and f"broken at entry {entry.seq}" in (read.reason or "")


async def test_the_sweep_archives_a_case_whose_close_time_archiving_was_interrupted(env: WorkflowEnvironment, sessions: Sessions, settings: Settings) -> None:
    # A worker that never archives at the close stands for one that died between the close and the archive.
    async with dev_api(env, sessions, settings, archive_on_close=False) as (api, local):
        cast = await create_test_estate(sessions, settings)
        drv = await withdrawn_case(api, cast)
        await env.client.get_workflow_handle(drv.case_id).result()
        assert await archived_row(sessions, drv.case_id) is None

        sweep_id = f"history-archive-sweep-{uuid.uuid4().hex[:6]}"
        result = await env.client.execute_workflow(
            HistoryArchiveSweepWorkflow.run, SweepRequest(lookback_days=30), id=sweep_id, task_queue=local.task_queue,
        )
        await keep_golden(env.client, sweep_id, "history-archive-sweep")
        row = await archived_row(sessions, drv.case_id)
        assert row is not None and result.archived >= 1 and result.examined >= result.archived
        assert result.visibility is False  # the time-skipping server lists nothing: only the cases table was swept
        fetched = await env.client.get_workflow_handle(drv.case_id).fetch_history()
        assert row.sha256 == sha256_hex(history_bytes(fetched))
        async with sessions() as s:
            assert (await archive_repo.chain_entry(s, chain_key(drv.case_id, row.run_id))) is not None

        again = await env.client.execute_workflow(
            HistoryArchiveSweepWorkflow.run, SweepRequest(lookback_days=30), id=f"{sweep_id}-2", task_queue=local.task_queue,
        )
        assert again.archived == 0
        async with sessions() as s:
            runs = (await s.scalars(select(ArchivedHistory).where(ArchivedHistory.workflow_id == drv.case_id))).all()
        assert len(runs) == 1
