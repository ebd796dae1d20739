"""A workflow task that fails after its projection committed leaves nothing the history does not hold.

The projection (a local activity) commits before the workflow task that ran it completes. These
tests make that task fail (or its worker die) right after the projection, and check what a user
and an auditor then see: the decision is recorded once if Temporal accepted it and never if it did
not (or is withdrawn by a correction that says why), the next decision projects, the case page is
the history's state and the consistency check is clean.
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.service import RPCError

from db.repositories import audit as audit_repo
from domain.tasks import DecisionInput
from tests.api.test_audit import auditor_headers
from tests.clock import wait_until
from tests.dev_server import dev_api
from tests.factories import create_test_estate
from tests.factories_fund import FundCaseDriver
from tests.fixture_types import AsyncClient, Sessions, Settings, WorkflowEnvironment
from tests.projection_faults import FAIL_AFTER_PROJECTION, HANG_PREFIX, POISONED_UPDATES, faulty_api

ROOT = Path(__file__).resolve().parents[2]
BUDGET = {"amount_fen": 5_000_000, "contractor": "青州建安维修工程有限公司"}
PRICED = {"approved_amount_fen": 4_200_000, "reasons": "钢丝绳单价按信息价核减"}


async def _to_price_review(api: AsyncClient, sessions: Sessions, settings: Settings, local: Settings) -> FundCaseDriver:
    cast = await create_test_estate(sessions, settings)
    cast.settings = local
    drv = FundCaseDriver(api, cast)
    await drv.start()
    await drv.verify()
    await drv.decide("company", "budget_submission", "submit", BUDGET)
    return drv


async def _timeline(api: AsyncClient, settings: Settings, case_id: str) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = (await api.get(f"/audit/cases/{case_id}/timeline", headers=auditor_headers(settings))).json()
    return entries


def _price_approvals(timeline: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in timeline if e["kind"] == "decision" and e["step"]["code"] == "price_review" and e["decision"]["code"] == "approve"]


async def _assert_the_case_is_its_history(api: AsyncClient, settings: Settings, drv: FundCaseDriver, client: Client) -> dict[str, Any]:
    """The consistency check is clean and the case page is the workflow's own state."""
    report: dict[str, Any] = (await api.get(f"/audit/cases/{drv.case_id}/consistency", headers=auditor_headers(settings))).json()
    assert report["consistent"] is True, report["issues"]
    chain = (await api.get(f"/audit/cases/{drv.case_id}/audit-log/verify", headers=auditor_headers(settings))).json()
    assert chain["intact"] is True
    state = await client.get_workflow_handle(drv.case_id).query("snapshot")
    case = await drv.case()
    assert (case["status"]["code"], case["step"]["code"]) == (state["status"], state["step"])
    assert [t["id"] for t in case["open_tasks"]] == [t["id"] for t in state["tasks"] if t["status"] == "open"]
    return report


async def _failed_tasks(client: Client, case_id: str) -> int:
    history = await client.get_workflow_handle(case_id).fetch_history()
    failed = (EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED, EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT)
    return sum(1 for e in history.events if e.event_type in failed)


async def test_a_task_that_fails_after_its_projection_is_re_run_and_records_the_decision_once(env: WorkflowEnvironment, sessions: Sessions, settings: Settings) -> None:
    """What a worker killed between the projection and the task's completion leaves: the re-run writes the same."""
    async with faulty_api(env.client, sessions, settings) as (api, local):
        drv = await _to_price_review(api, sessions, settings, local)
        FAIL_AFTER_PROJECTION[drv.case_id] = 1
        answer = await drv.decide("agency", "price_review", "approve", PRICED)
        assert FAIL_AFTER_PROJECTION[drv.case_id] == 0 and await _failed_tasks(env.client, drv.case_id) == 1
        assert answer.json()["step"]["code"] == "bureau_review"

        timeline = await _timeline(api, settings, drv.case_id)
        assert len(_price_approvals(timeline)) == 1
        assert not any(e["kind"] == "correction" or e["withdrawn_by"] for e in timeline)
        await _assert_the_case_is_its_history(api, settings, drv, env.client)

        # The next decision projects; the case goes on.
        answer = await drv.decide("bureau", "bureau_review", "approve", comment="同意")
        assert answer.json()["step"]["code"] == "completion_acceptance"
        await _assert_the_case_is_its_history(api, settings, drv, env.client)


async def test_a_decision_whose_tasks_keep_failing_is_refused_and_withdrawn(dev_env: WorkflowEnvironment, sessions: Sessions, settings: Settings) -> None:
    """The issue's reproduction: every task carrying the decision fails after projecting it, until Temporal gives up."""
    async with faulty_api(dev_env.client, sessions, settings) as (api, local):
        drv = await _to_price_review(api, sessions, settings, local)
        key = f"poisoned-{uuid.uuid4().hex[:8]}"
        POISONED_UPDATES.add(key)
        try:
            refused = await drv.decide("agency", "price_review", "approve", PRICED, key=key, expect=409)
        finally:
            POISONED_UPDATES.discard(key)
        assert refused.json()["recorded"] is False
        assert await _failed_tasks(dev_env.client, drv.case_id) >= 1

        # The case answer and the timeline agree that nothing was recorded: the failed tasks'
        # entries are withdrawn by a correction, and the attempt is a refused one.
        async def settled() -> list[dict[str, Any]] | None:
            timeline = await _timeline(api, settings, drv.case_id)
            standing = [e for e in _price_approvals(timeline) if e["withdrawn_by"] is None]
            return timeline if not standing and (await drv.case())["step"]["code"] == "price_review" else None

        timeline = await wait_until(settled, within=40)
        approvals = _price_approvals(timeline)
        assert approvals, "the failed task projected the decision before it failed"
        corrections = {e["seq"]: e for e in timeline if e["kind"] == "correction"}
        for entry in approvals:
            correction = corrections[entry["withdrawn_by"]]
            assert correction["seq"] > entry["seq"] and entry["seq"] in correction["data"]["withdrawn"]
            assert "history does not hold" in correction["data"]["reason"]
        assert any(e["kind"] == "rejected" and e["actor"]["subject"] == drv.cast.actors["agency"].subject for e in timeline)
        await _assert_the_case_is_its_history(api, settings, drv, dev_env.client)

        # The agency decides again: the decision projects although the withdrawn entries hold its numbers.
        answer = await drv.decide("agency", "price_review", "approve", PRICED)
        assert answer.json()["step"]["code"] == "bureau_review"
        report = await _assert_the_case_is_its_history(api, settings, drv, dev_env.client)
        assert report["withdrawn"] >= 1 and report["corrections"] >= 1
        assert len([e for e in _price_approvals(await _timeline(api, settings, drv.case_id)) if e["withdrawn_by"] is None]) == 1


async def test_a_worker_killed_after_the_projection_leaves_the_decision_recorded_once(dev_env: WorkflowEnvironment, sessions: Sessions, settings: Settings) -> None:
    """A real kill: the worker process dies (SIGKILL) after the projection committed, before its task completed."""
    async with faulty_api(dev_env.client, sessions, settings, worker=False) as (api, local):
        target = dev_env.client.service_client.config.target_host
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.projection_faults", target, local.task_queue, cwd=ROOT,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
        )
        try:
            assert proc.stdout is not None and b"worker ready" in await proc.stdout.readline()
            drv = await _to_price_review(api, sessions, settings, local)
            key = f"{HANG_PREFIX}{uuid.uuid4().hex[:8]}"
            task = await drv.open_task("price_review")
            decision = asyncio.create_task(api.post(
                f"/cases/{drv.case_id}/tasks/{task['id']}/decisions", json={"decision": "approve", "data": PRICED},
                headers=drv.cast.headers("agency", key),
            ))

            async def projected() -> bool:
                async with sessions() as s:
                    return any((e.event.update_id or "").split("#")[0] == key for e in await audit_repo.stored_entries(s, drv.case_id))

            await wait_until(projected, within=30)
        finally:
            proc.kill()
            await proc.wait()
        # Another worker takes over once Temporal times the dead worker's task out.
        from worker import build_worker

        async with build_worker(dev_env.client, local, sessions):
            answer = await decision
            assert await _failed_tasks(dev_env.client, drv.case_id) >= 1
            timeline = await _timeline(api, settings, drv.case_id)
            standing = [e for e in _price_approvals(timeline) if e["withdrawn_by"] is None]
            if answer.status_code == 200:  # Temporal re-ran the update in the next attempt: recorded once
                assert len(standing) == 1 and answer.json()["step"]["code"] == "bureau_review"
            else:  # Temporal gave the update up: recorded nowhere (withdrawn), and the client was told
                assert answer.status_code == 409 and answer.json()["recorded"] is False and standing == []
                answer = await drv.decide("agency", "price_review", "approve", PRICED)
            await _assert_the_case_is_its_history(api, settings, drv, dev_env.client)
            answer = await drv.decide("bureau", "bureau_review", "approve", comment="同意")
            assert answer.json()["step"]["code"] == "completion_acceptance"
            await _assert_the_case_is_its_history(api, settings, drv, dev_env.client)


async def test_the_oversized_refused_decision_of_the_issue(dev_env: WorkflowEnvironment, sessions: Sessions, settings: Settings) -> None:
    """The issue as found: an owner's 3 MB decision on the agency's task, the agency's real one 2 s later.

    The owner may not decide there, but the refusal carries the request back and the workflow
    task's completion goes over Temporal's size limit, again and again, with the agency's decision
    accepted and projected in the same tasks. Whatever Temporal answers each caller, the case
    then holds only what the history holds.
    """
    async with dev_api(dev_env, sessions, settings) as (api, local):
        drv = await _to_price_review(api, sessions, settings, local)
        task = await drv.open_task("price_review")
        url = f"/cases/{drv.case_id}/tasks/{task['id']}/decisions"
        oversized = {"decision": "approve", "data": {"x": "业" * 1_000_000}}
        # The API now refuses such a body at its edge (413), which removes this trigger, not the
        # cause: to reach the cause, the oversized update goes straight to Temporal.
        assert (await api.post(url, json=oversized, headers=drv.cast.headers("owner", f"big-{uuid.uuid4().hex}"))).status_code == 413
        owner_actor = drv.cast.actor("owner")
        owner = asyncio.create_task(dev_env.client.get_workflow_handle(drv.case_id).execute_update(
            "decide", DecisionInput(task_id=task["id"], decision="approve", data=oversized["data"], actor=owner_actor),
            id=f"big-{uuid.uuid4().hex}",
        ))
        await asyncio.sleep(2)
        agency = await api.post(url, json={"decision": "approve", "data": PRICED}, headers=drv.cast.headers("agency", f"a-{uuid.uuid4().hex}"))
        with pytest.raises((WorkflowUpdateFailedError, RPCError)):
            await owner
        assert await _failed_tasks(dev_env.client, drv.case_id) >= 1

        standing = [e for e in _price_approvals(await _timeline(api, settings, drv.case_id)) if e["withdrawn_by"] is None]
        if agency.status_code == 200:  # accepted in a task that completed: recorded, once
            assert len(standing) == 1 and agency.json()["step"]["code"] == "bureau_review"
        else:  # given up with the failing tasks: recorded nowhere, and the agency is told so
            assert agency.status_code == 409 and agency.json()["recorded"] is False and standing == []
            assert (await drv.case())["step"]["code"] == "price_review"
            await _assert_the_case_is_its_history(api, settings, drv, dev_env.client)
            await drv.decide("agency", "price_review", "approve", PRICED)  # the next decision projects
        await _assert_the_case_is_its_history(api, settings, drv, dev_env.client)
        assert (await drv.case())["step"]["code"] == "bureau_review"
