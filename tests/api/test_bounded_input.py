"""Bounded input: bodies, a decision's data, paging and dates are refused at their limits, never a 500."""

from __future__ import annotations

import asyncio
import json
import uuid

from api.limits import BALLOT_BATCH_LIMIT, BODY_LIMIT, DECISION_DATA_BYTES
from tests.factories import create_test_estate
from tests.factories_fund import FundCaseDriver
from tests.fixture_types import AsyncClient, Sessions, Settings, WorkflowEnvironment


def _body_of(size: int) -> bytes:
    """A JSON object of exactly ``size`` bytes."""
    head, tail = b'{"decision":"confirm","comment":"', b'"}'
    return head + b"x" * (size - len(head) - len(tail)) + tail


async def test_a_body_of_exactly_one_megabyte_is_read_and_one_byte_more_is_413(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings)
    url = "/cases/fund-emergency-nope-20200101-1/tasks/t1/decisions"
    headers = {**cast.headers("owner_rep"), "Content-Type": "application/json"}
    at_limit = await api.post(url, content=_body_of(BODY_LIMIT), headers=headers)
    assert at_limit.status_code == 422  # read and validated: the comment is too long for the model
    over = await api.post(url, content=_body_of(BODY_LIMIT + 1), headers=headers)
    assert over.status_code == 413, over.text
    assert over.headers["content-type"] == "application/problem+json"
    assert over.json()["type"] == "/problems/payload-too-large" and over.json()["limit_bytes"] == BODY_LIMIT
    assert over.headers["x-request-id"]

    # A chunked body (no Content-Length) is counted as it arrives.
    async def chunks():
        for _ in range(2):
            yield b"x" * (BODY_LIMIT // 2 + 1)

    streamed = await api.post(url, content=chunks(), headers=headers)
    assert streamed.status_code == 413


async def test_a_ballot_batch_may_be_six_megabytes(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings)
    url = "/cases/owners-election/owners-election-nope-20200101-1/ballots/paper"
    headers = {**cast.headers("clerk"), "Content-Type": "application/json"}
    line = {"household_id": "h" * 60, "choices": ["c1"] * 11, "proxy_owner_key": "p" * 60}
    batch = json.dumps({"ballots": [line] * 5000, "pad": "x" * 100}).encode()
    assert BODY_LIMIT < len(batch) < BALLOT_BATCH_LIMIT
    r = await api.post(url, content=batch, headers=headers)
    assert r.status_code == 404, r.text  # read in full: the election is unknown
    padded = batch[:-2] + b"x" * (BALLOT_BATCH_LIMIT - len(batch)) + b'"}'
    assert len(padded) == BALLOT_BATCH_LIMIT
    assert (await api.post(url, content=padded, headers=headers)).status_code == 404
    r = await api.post(url, content=padded[:-2] + b'x"}', headers=headers)
    assert r.status_code == 413
    # The larger limit is the ballot batch's alone.
    r = await api.post(url.replace("/paper", "/electronic"), content=batch, headers=headers)
    assert r.status_code == 413


async def test_a_decision_with_data_too_large_or_too_deep_never_reaches_the_case(
    api: AsyncClient, sessions: Sessions, settings: Settings,
) -> None:
    cast = await create_test_estate(sessions, settings)
    drv = FundCaseDriver(api, cast)
    await drv.start()
    task = await drv.open_task("onsite_verification")
    url = f"/cases/{drv.case_id}/tasks/{task['id']}/decisions"
    big = {"decision": "confirm", "data": {"junk": "x" * DECISION_DATA_BYTES}}
    r = await api.post(url, json=big, headers=cast.headers("owner_rep"))
    assert r.status_code == 422 and r.json()["errors"][0]["loc"][-1] == "data"
    deep: dict[str, object] = {}
    node = deep
    for _ in range(10):
        node["a"] = {}
        node = node["a"]  # type: ignore[assignment]
    r = await api.post(url, json={"decision": "confirm", "data": deep}, headers=cast.headers("owner_rep"))
    assert r.status_code == 422
    r = await api.post(url, json={"decision": "confirm", "attachments": ["x" * 501]}, headers=cast.headers("owner_rep"))
    assert r.status_code == 422
    # Nothing of it reached the workflow, which goes on for everyone.
    r = await drv.decide("owner_rep", "onsite_verification", "confirm")
    assert r.status_code == 200
    timeline = (await api.get(f"/cases/{drv.case_id}/timeline", headers=cast.headers("bureau"))).json()
    assert all("junk" not in json.dumps(e["data"]) for e in timeline)


async def test_paging_and_dates_out_of_range_are_422_not_500(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings)
    routes = [
        ("/cases", "bureau"), ("/inbox", "bureau"), ("/audit/cases", "auditor"), ("/tickets", "dispatcher"),
        (f"/estates/{cast.estate_id}/households", "bureau"),
    ]
    for path, who in routes:
        r = await api.get(path, params={"offset": 2**63}, headers=cast.headers(who))
        assert r.status_code == 422, (path, r.status_code, r.text)
        assert r.headers["content-type"] == "application/problem+json"
        assert (await api.get(path, params={"offset": 1_000_000}, headers=cast.headers(who))).status_code == 200
    for path, who in (("/cases", "bureau"), ("/audit/cases", "auditor"), ("/tickets", "dispatcher"), ("/tickets/export.csv", "dispatcher")):
        for day in ("0001-01-01", "9999-12-31"):
            for name in ("created_from", "created_to"):
                r = await api.get(path, params={name: day}, headers=cast.headers(who))
                assert r.status_code == 422, (path, name, day, r.status_code, r.text)
        r = await api.get(path, params={"created_from": "2000-01-01", "created_to": "2099-12-31"}, headers=cast.headers(who))
        assert r.status_code == 200, (path, r.text)


async def test_the_monthly_report_takes_only_real_months_and_never_hangs(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings)
    for month in ("0000-01", "0001-01", "1999-12", "9999-12", "2100-01"):
        r = await api.post(f"/reports/tickets/monthly/{month}", headers=cast.headers("admin"))
        assert r.status_code == 422, (month, r.text)
        assert r.json()["type"] == "/problems/validation-error"
        assert (await api.get(f"/reports/tickets/monthly/{month}", headers=cast.headers("admin"))).status_code == 422
    r = await api.post("/reports/tickets/monthly/2000-01", headers=cast.headers("admin"))
    assert r.status_code == 200, r.text  # the first month the city reports: no tickets, no lines


async def test_the_report_activity_refuses_an_impossible_month_once(env: WorkflowEnvironment, settings: Settings, worker: None) -> None:
    """Sent past the API (the schedule, a tool), a month the calendar cannot hold fails the run at once, with no retry."""
    from temporalio.client import WorkflowFailureError
    from temporalio.exceptions import ApplicationError

    from workflows.ticket_report import MonthlyReportInput, TicketMonthlyReportWorkflow

    handle = await env.client.start_workflow(
        TicketMonthlyReportWorkflow.run, MonthlyReportInput(month="0000-01"), id=f"report-0000-01-{uuid.uuid4().hex[:6]}",
        task_queue=settings.task_queue,
    )
    try:
        await asyncio.wait_for(handle.result(), timeout=30)  # retried forever before: a hang
    except WorkflowFailureError as exc:
        cause = exc.cause.cause if exc.cause is not None else None
        assert isinstance(cause, ApplicationError) and cause.type == "InvalidMonth" and cause.non_retryable
    else:
        raise AssertionError("the run should fail")
    attempts = [e for e in (await handle.fetch_history()).events if e.HasField("activity_task_started_event_attributes")]
    assert attempts[0].activity_task_started_event_attributes.attempt == 1
