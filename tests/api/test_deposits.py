"""Deposits into fund accounts: the fund authority only, once per Idempotency-Key, exact integer fen, and who, when and
why on the ledger line and in the account's own audit chain."""

from __future__ import annotations

from sqlalchemy import func, select

from db.models import FundAccount, LedgerEntry
from db.repositories import audit as audit_repo
from domain.audit import account_chain
from tests.factories import create_test_estate
from tests.fixture_types import AsyncClient, Sessions, Settings


async def _balance_and_lines(sessions: Sessions, household_id: str) -> tuple[int, int]:
    async with sessions() as s:
        balance = await s.scalar(select(FundAccount.balance_fen).where(FundAccount.household_id == household_id))
        lines = await s.scalar(select(func.count()).select_from(LedgerEntry).where(LedgerEntry.household_id == household_id))
    return int(balance or 0), int(lines or 0)


async def test_only_the_fund_authority_records_a_deposit_and_only_with_a_key(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings)
    h = cast.households[0]
    url = f"/households/{h}/fund/deposits"
    body = {"amount_fen": 50_000, "reason": "续交维修资金"}
    before = await _balance_and_lines(sessions, h)
    for who in ("admin", "committee", "clerk", "street", "auditor", "supervisor", "company", "owner"):
        r = await api.post(url, json=body, headers=cast.headers(who, key=f"k-{who}"))
        assert r.status_code == 403 and r.json()["detail"] == "deposits are recorded by the housing bureau (fund authority)", who
    r = await api.post(url, json=body, headers=cast.headers("bureau"))
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["header", "Idempotency-Key"]
    assert await _balance_and_lines(sessions, h) == before  # nothing recorded by any refused request
    r = await api.post(url, json=body, headers=cast.headers("bureau", key="dep-1"))
    assert r.status_code == 201, r.text
    assert await _balance_and_lines(sessions, h) == (before[0] + 50_000, before[1] + 1)


async def test_amounts_are_exact_integers_and_a_reason_is_given(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings)
    h = cast.households[0]
    before = await _balance_and_lines(sessions, h)
    for i, amount in enumerate((True, "100", 100.0, 1.5, 0, -5, None)):
        r = await api.post(f"/households/{h}/fund/deposits", json={"amount_fen": amount, "reason": "续交"},
                           headers=cast.headers("bureau", key=f"bad-{i}"))
        assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "amount_fen"], (amount, r.text)
    r = await api.post(f"/households/{h}/fund/deposits", json={"amount_fen": 100}, headers=cast.headers("bureau", key="no-reason"))
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "reason"]
    assert await _balance_and_lines(sessions, h) == before


async def test_a_retried_deposit_counts_once_and_is_on_the_ledger_and_the_accounts_audit_chain(
    api: AsyncClient, sessions: Sessions, settings: Settings,
) -> None:
    cast = await create_test_estate(sessions, settings)
    h, other = cast.households[0], cast.households[1]
    before = await _balance_and_lines(sessions, h)
    body = {"amount_fen": 12_345, "reason": "业主补缴首期维修资金"}
    first = await api.post(f"/households/{h}/fund/deposits", json=body, headers=cast.headers("bureau", key="dep-once"))
    again = await api.post(f"/households/{h}/fund/deposits", json=body, headers=cast.headers("bureau", key="dep-once"))
    assert first.status_code == 201 and again.status_code == 200 and again.json() == first.json()
    assert await _balance_and_lines(sessions, h) == (before[0] + 12_345, before[1] + 1)
    # The same key for another deposit is refused, whichever account it names.
    r = await api.post(f"/households/{h}/fund/deposits", json={**body, "amount_fen": 99}, headers=cast.headers("bureau", key="dep-once"))
    assert r.status_code == 409 and r.json()["type"] == "/problems/idempotency-key-reused"
    r = await api.post(f"/households/{other}/fund/deposits", json=body, headers=cast.headers("bureau", key="dep-once"))
    assert r.status_code == 409 and r.json()["type"] == "/problems/idempotency-key-reused"
    assert await _balance_and_lines(sessions, h) == (before[0] + 12_345, before[1] + 1)

    bureau = cast.actors["bureau"]
    line = first.json()
    assert line["recorded_by"] == bureau.subject and line["memo"] == body["reason"] and line["at"]
    ledger = (await api.get(f"/households/{h}/fund", headers=cast.headers("bureau"))).json()["ledger"]
    assert ledger[-1] == line
    async with sessions() as s:
        entries = await audit_repo.timeline(s, account_chain(h))
        count, broken = await audit_repo.check_chain(s, account_chain(h))
    deposits = [e for e in entries if e.kind == "deposit"]
    assert [(e.kind, e.actor_subject, e.actor_name, e.comment, e.data["amount_fen"]) for e in deposits] == [
        ("deposit", bureau.subject, bureau.name, body["reason"], 12_345)]
    assert deposits[0].data["ledger_id"] == line["id"] and count == len(entries) and broken is None
    # The refused reuse is on the account's chain: who, why, and the body's size and hash only.
    refused = [e for e in entries if e.kind == "rejected"]
    assert [(e.actor_subject, e.data["problem"]) for e in refused] == [(bureau.subject, "idempotency-key-reused")]
    assert set(refused[0].data) == {"problem", "body_bytes", "body_sha256"} and "99" not in str(refused[0].data)
