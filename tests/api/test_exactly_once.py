"""Exactly once: an Idempotency-Key bound to its request, refusals on the audit log, retries answered 503/429, never 500."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from httpx import ASGITransport, Response
from httpx import AsyncClient as HttpClient
from temporalio.service import RPCError, RPCStatusCode

from api.idempotency import KeyUse, RequestPrint
from api.main import create_app
from api.update_failures import engine_problem
from db.repositories import audit as audit_repo
from db.repositories import cases as cases_repo
from domain.access import Scope
from domain.cases import CaseSnapshot, CaseStatus
from tests.factories import Cast, create_test_estate
from tests.factories_election import PATH, ElectionDriver, auth, owner_of
from tests.factories_fund import FundCaseDriver
from tests.fixture_types import AsyncClient, Sessions, Settings, WorkflowEnvironment

REUSED = "/problems/idempotency-key-reused"


async def _rejections(sessions: Sessions, case_id: str) -> list[Any]:
    async with sessions() as s:
        return [e for e in await audit_repo.timeline(s, case_id) if e.kind == "rejected"]


async def test_a_key_used_by_another_party_is_refused_and_their_decision_is_not_lost(
    api: AsyncClient, sessions: Sessions, settings: Settings,
) -> None:
    cast = await create_test_estate(sessions, settings)
    drv = FundCaseDriver(api, cast)
    await drv.start()
    key = f"verify-{uuid.uuid4().hex[:8]}"
    task = await drv.open_task("onsite_verification")
    first = await drv.decide("owner_rep", task, "confirm", comment="现场属实", key=key)
    again = await drv.decide("owner_rep", task, "confirm", comment="现场属实", key=key)
    assert again.json() == first.json()

    # The committee's countersignature with the owners' representative's key: refused, not answered as done.
    r = await drv.decide("committee", task, "confirm", comment="现场属实", key=key, expect=409)
    assert r.json()["type"] == REUSED
    # The same caller, the same key, another body: refused too.
    r = await drv.decide("owner_rep", task, "confirm", comment="另有说明", key=key, expect=409)
    assert r.json()["type"] == REUSED
    signed = [e for e in await drv.timeline() if e["kind"] == "decision"]
    assert [e["actor"]["subject"] for e in signed] == [cast.actors["owner_rep"].subject]
    refused = await _rejections(sessions, drv.case_id)
    assert [(e.actor_subject, e.data["problem"]) for e in refused] == [
        (cast.actors["committee"].subject, "idempotency-key-reused"), (cast.actors["owner_rep"].subject, "idempotency-key-reused")]
    # With a key of its own the committee's decision is recorded.
    await drv.decide("committee", task, "confirm", comment="现场属实", key=f"committee-{key}")
    signed = [e for e in await drv.timeline() if e["kind"] == "decision"]
    assert cast.actors["committee"].subject in {e["actor"]["subject"] for e in signed}


async def test_a_start_key_reused_for_another_report_is_refused_and_logged_on_the_first_case(
    api: AsyncClient, sessions: Sessions, settings: Settings,
) -> None:
    cast = await create_test_estate(sessions, settings)
    drv = FundCaseDriver(api, cast)
    key = f"start-{uuid.uuid4().hex[:8]}"
    first = await drv.start(key=key)
    again = await drv.start(key=key, expect=200)
    assert again.json()["id"] == first.json()["id"]
    other = await drv.start(key=key, scope="building", scope_id=f"{cast.estate_id}-b1", expect=409)
    assert other.json()["type"] == REUSED
    refused = await _rejections(sessions, first.json()["id"])
    assert [e.data["problem"] for e in refused] == ["idempotency-key-reused"]


async def test_ten_simultaneous_starts_with_one_key_open_one_case(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings)
    key = f"burst-{uuid.uuid4().hex[:8]}"
    body = {"estate_id": cast.estate_id, "category": "elevator_failure", "scope": "estate", "description": "2号楼电梯钢丝绳断股，已停运"}
    answers = await asyncio.gather(*(
        api.post("/cases/fund-emergency", json=body, headers=cast.headers("clerk", key)) for _ in range(10)))
    assert sorted(r.status_code for r in answers) == [200] * 9 + [201], [r.text for r in answers if r.status_code >= 300]
    assert len({r.json()["id"] for r in answers}) == 1


async def test_refusals_before_the_workflow_are_logged_with_the_body_hash_only(
    api: AsyncClient, sessions: Sessions, settings: Settings,
) -> None:
    cast = await create_test_estate(sessions, settings)
    drv = FundCaseDriver(api, cast)
    await drv.start()
    task = await drv.open_task("onsite_verification")
    secret = "不应留存的正文"
    # Another street's office: the case is out of its reach, so it reads as unknown (404), but the attempt is logged.
    r = await drv.decide("other_street", task, "confirm", comment=secret, expect=404)
    assert r.json()["type"] == "/problems/not-found"
    # A wrong role, refused by the workflow's validator.
    await drv.decide("bureau", task, "confirm", comment=secret, expect=403)
    # Not the initiator: refused before the workflow.
    r = await api.post(f"/cases/{drv.case_id}/withdraw", json={"reason": secret}, headers=cast.headers("other_clerk"))
    assert r.status_code == 404
    refused = await _rejections(sessions, drv.case_id)
    by = {e.actor_subject: e for e in refused}
    assert set(by) == {cast.actors[w].subject for w in ("other_street", "bureau", "other_clerk")}
    for entry in refused:
        assert entry.data["body_bytes"] > 0 and len(entry.data["body_sha256"]) == 64
        assert secret not in str(entry.data) and "request" not in entry.data
    assert by[cast.actors["other_street"].subject].task_id == task["id"]


def test_update_ids_name_the_key_and_the_request() -> None:
    a, b = KeyUse("k-1", "a" * 64), KeyUse("k-1", "b" * 64)
    assert a.update_id != b.update_id and a.update_id.startswith("k-1#")
    assert len(KeyUse("x" * 200, "c" * 64).update_id) <= 200
    assert RequestPrint.of(b'{"b": 1, "a": 2, "c": null, "d": {}}').sha256 == RequestPrint.of(b'{"a":2,"b":1}').sha256
    assert RequestPrint.of(b'{"a": 2}').sha256 != RequestPrint.of(b'{"a": 3}').sha256


def test_a_busy_or_silent_engine_asks_for_a_retry() -> None:
    busy = engine_problem(RPCError("too many in-flight updates", RPCStatusCode.RESOURCE_EXHAUSTED, b""))
    assert busy is not None and busy.status == 429 and busy.headers["Retry-After"]
    late = engine_problem(RPCError("deadline exceeded", RPCStatusCode.DEADLINE_EXCEEDED, b""))
    assert late is not None and late.status == 503 and late.headers["Retry-After"]


async def test_the_database_down_answers_503_with_retry_after(
    env: WorkflowEnvironment, settings: Settings, sessions: Sessions, tmp_path: Path,
) -> None:
    cast = await create_test_estate(sessions, settings)
    # A database file that cannot be opened (the path is a directory): every connection fails.
    down = settings.model_copy(update={"database_url": f"sqlite+aiosqlite:///{tmp_path}"})
    app = create_app(down, client=env.client)
    async with app.router.lifespan_context(app), HttpClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        for call in (client.get("/cases", headers=cast.headers("bureau")),
                     client.post("/cases/fund-emergency", headers=cast.headers("clerk", "down-1"), json={
                         "estate_id": cast.estate_id, "category": "elevator_failure", "scope": "estate", "description": "2号楼电梯钢丝绳断股，已停运"})):
            r = await call
            assert r.status_code == 503, r.text
            assert r.headers["Retry-After"] and r.json()["type"] == "/problems/unavailable"


async def test_a_paper_and_an_electronic_ballot_for_one_unit_at_once_give_one_409(
    api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings,
) -> None:
    """On PostgreSQL the two meet at the unique (election, unit) key at insert; on SQLite at the writer gate."""
    cast = await create_test_estate(sessions, settings)
    drv = ElectionDriver(api, cast, sessions)
    await drv.start()
    ids = await drv.to_voting(env)
    answers: list[Response] = []
    for unit in cast.households[:6]:
        answers += await asyncio.gather(
            api.post(f"{PATH}/{drv.case_id}/ballots/paper", json={"ballots": [{"household_id": unit, "choices": ids[:5]}]},
                     headers=cast.headers("clerk", f"paper-{unit}")),
            api.post(f"{PATH}/{drv.case_id}/ballots/electronic", json={"choices": ids[:3]}, headers=auth(cast, owner_of(cast, unit))),
        )
    for paper, electronic in zip(answers[::2], answers[1::2], strict=True):
        assert sorted((paper.status_code, electronic.status_code)) == [201, 409], (paper.text, electronic.text)


async def test_a_decision_no_worker_takes_answers_503_with_retry_after(
    dev_env: WorkflowEnvironment, settings: Settings, sessions: Sessions,
) -> None:
    """The case's workflow waits on a task queue no worker polls: the API answers within its wait, not never and not 500.

    On the full dev server: a task nobody takes would stop the time-skipping server's clock for the other tests.
    """
    cast = await create_test_estate(sessions, settings)
    case_id = f"fund-emergency-{cast.estate_id}-stalled-{uuid.uuid4().hex[:6]}"
    stalled = await dev_env.client.start_workflow("MaintenanceFundEmergencyWorkflow", id=case_id, task_queue=f"nobody-{uuid.uuid4().hex[:6]}")
    try:
        await _decide_on_a_stalled_case(dev_env, settings, sessions, cast, case_id)
    finally:
        await stalled.terminate("test over")


async def _decide_on_a_stalled_case(env: WorkflowEnvironment, settings: Settings, sessions: Sessions, cast: Cast, case_id: str) -> None:
    now = datetime.now(UTC)
    async with sessions() as s:
        await cases_repo.save_snapshot(s, CaseSnapshot(
            case_id=case_id, kind="fund-emergency", title="stalled", status=CaseStatus.ACTIVE, step="onsite_verification",
            step_label="现场联合核实", scope=Scope(street_id=cast.street_id, community_id=cast.community_id, estate_id=cast.estate_id),
            initiator=cast.actors["clerk"], created_at=now, updated_at=now, version=-1,
        ))
        await s.commit()
    app = create_app(settings.model_copy(update={"update_wait_seconds": 1.0}), client=env.client)
    async with app.router.lifespan_context(app), HttpClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        r = await asyncio.wait_for(client.post(f"/cases/{case_id}/tasks/t1/decisions", json={"decision": "confirm"},
                                               headers=cast.headers("owner_rep", f"stalled-{case_id}")), timeout=30)
    assert r.status_code == 503, r.text
    assert r.headers["Retry-After"] and r.json()["type"] == "/problems/unavailable"


def test_a_transport_error_on_the_way_to_temporal_asks_for_a_retry_not_a_final_409() -> None:
    # What the chaos suite saw while Temporal restarted: the client's bridge reports the broken connection as UNKNOWN.
    lost = engine_problem(RPCError("transport error", RPCStatusCode.UNKNOWN, b""))
    assert lost is not None and lost.status == 503 and lost.headers["Retry-After"]
