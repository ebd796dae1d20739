"""The fault suite (`make chaos`) is not run by the suite; its client and its arithmetic are tested here."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from bench.chaos.cases import APPROVED, APPROVED_SETTLEMENT, next_decision
from bench.chaos.checks import expected_lines
from bench.chaos.client import Recorder, call
from bench.chaos.runner import stages
from domain.fund_emergency import first_payment_fen


def test_the_expected_payments_add_up_to_each_households_share_and_to_the_settlement() -> None:
    areas = {"h1": 9_012, "h2": 11_034, "h3": 7_750}
    lines = expected_lines(areas)
    assert sum(lines["first"].values()) == first_payment_fen(APPROVED)
    assert sum(lines["first"].values()) + sum(lines["final"].values()) == APPROVED_SETTLEMENT
    assert set(lines["first"]) == set(lines["final"]) == set(areas)


def _task(step: str, parties: tuple[tuple[str, str | None], ...] = ()) -> dict[str, Any]:
    return {"id": "t1", "step": {"code": step},
            "countersign": [{"role": {"code": role}, "signed_by": signer} for role, signer in parties]}


def test_the_driver_decides_for_the_first_unsigned_party_and_for_single_deciders() -> None:
    verification = _task("onsite_verification", (("owner_rep", "rep-1"), ("owners_committee", None), ("property_company", None)))
    committee = next_decision({"open_tasks": [verification]})
    bureau = next_decision({"open_tasks": [_task("bureau_review")]})
    assert committee is not None and committee[1:3] == ("committee", "confirm")
    assert bureau is not None and bureau[1:3] == ("bureau", "approve")
    assert next_decision({"open_tasks": [_task("objection_answer")]}) is None


def test_the_restore_phase_has_cases_before_the_backup_between_backup_and_restore_and_after() -> None:
    assert stages(4) == [0, 1, 2, 2]
    assert stages(30).count(1) == 7 and stages(30).count(2) == 15
    assert stages(1) == [1]


async def test_the_client_retries_503_with_the_same_key_and_takes_500_as_final() -> None:
    seen: list[tuple[str, str | None]] = []
    answers = iter([503, 503, 200, 500])

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append((request.url.path, request.headers.get("Idempotency-Key")))
        status = next(answers)
        return httpx.Response(status, json={"id": "c1"}, headers={"Retry-After": "0"} if status == 503 else {})

    rec = Recorder()
    async with httpx.AsyncClient(transport=httpx.MockTransport(handler), base_url="http://test") as http:
        ok = await call(http, rec, "POST", "/x", token="Bearer t", key="k1", body={})
        failed = await call(http, rec, "POST", "/y", token="Bearer t", key="k2", body={})
    assert (ok.status, ok.attempts) == (200, 3)
    assert seen[:3] == [("/x", "k1")] * 3
    assert (failed.status, failed.attempts) == (500, 1)
    assert rec.seen == {"503": 2, "200": 1, "500": 1}
    assert rec.final == {"500": 1} and len(rec.server_errors) == 1


@pytest.mark.parametrize("status", [409, 422])
async def test_a_refusal_of_a_deliberate_duplicate_is_expected_not_an_error(status: int) -> None:
    rec = Recorder()
    transport = httpx.MockTransport(lambda _: httpx.Response(status, json={}))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        await call(http, rec, "POST", "/x", token="Bearer t", key="k", body={}, expected_refusal=True)
        await call(http, rec, "POST", "/x", token="Bearer t", key="k", body={})
    assert rec.expected_refusals == {str(status): 1} and rec.final == {str(status): 1}
