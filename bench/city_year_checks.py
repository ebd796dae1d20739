"""The city year's end checks: each compares what the system stored with an independent count.

- audit chains: every case's and every fund account's hash chain, recomputed by the project's own
  ``db.repositories.audit.check_chain``;
- fund ledgers: every household's lines add up to its balance, line by line, to the fen, and every
  fund case debited exactly its settlement (closed cases) or its first payment (the rest);
- report figures: each month's intake, closures and satisfied closures, for the city and each
  street, as the report stored them, against the bench's own counts from the generated inputs and
  the answers it saw;
- history sizes: events per case from Temporal (``describe``), against continue-as-new.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import httpx
from sqlalchemy import select
from temporalio.client import Client

from bench.city_year_people import FIRST_PAYMENT_MAX_FEN, SETTLED_FEN, Json
from bench.city_year_plan import YearPlan
from core.settings import Settings
from db.models import AuditEntry, FundAccount, LedgerEntry
from db.repositories import audit as audit_repo
from db.session import make_engine, make_session_factory
from domain.ticket_report import CITY_KEY


async def audit_chains(settings: Settings) -> dict[str, Any]:
    engine = make_engine(settings)
    broken: list[str] = []
    try:
        async with make_session_factory(engine)() as session:
            ids = list((await session.scalars(select(AuditEntry.case_id).distinct())).all())
            entries = 0
            for cid in ids:
                n, brk = await audit_repo.check_chain(session, cid)
                entries += n
                if brk is not None:
                    broken.append(cid)
    finally:
        await engine.dispose()
    return {"exact": not broken, "chains": len(ids), "entries": entries, "broken": broken[:20],
            "summary": f"{len(ids)} chains, {entries} entries, {len(broken)} broken"}


async def fund_ledgers(settings: Settings, cases: dict[str, Json]) -> dict[str, Any]:
    engine = make_engine(settings)
    bad: list[str] = []
    try:
        async with make_session_factory(engine)() as session:
            accounts = {a.household_id: a.balance_fen for a in (await session.scalars(select(FundAccount))).all()}
            lines = (await session.scalars(select(LedgerEntry).order_by(LedgerEntry.id))).all()
    finally:
        await engine.dispose()
    last: dict[str, int] = {}
    debited: Counter[str] = Counter()
    for line in lines:
        before = last.get(line.household_id, line.balance_after_fen - line.amount_fen)
        if before + line.amount_fen != line.balance_after_fen:
            bad.append(f"line {line.id} of {line.household_id}: {before} + {line.amount_fen} != {line.balance_after_fen}")
        last[line.household_id] = line.balance_after_fen
        if line.case_id and line.kind == "debit":
            debited[line.case_id] -= line.amount_fen
    for household, balance in last.items():
        if accounts.get(household) != balance:
            bad.append(f"{household}: balance {accounts.get(household)} != last line {balance}")
    for cid, case in cases.items():
        paid = debited.get(cid, 0)
        if case["status"]["code"] == "completed" and paid != SETTLED_FEN:
            bad.append(f"{cid} completed but debited {paid} fen, settlement {SETTLED_FEN}")
        if case["status"]["code"] != "completed" and paid > FIRST_PAYMENT_MAX_FEN:
            bad.append(f"{cid} open but debited {paid} fen, more than the first payment {FIRST_PAYMENT_MAX_FEN}")
    completed = sum(1 for c in cases.values() if c["status"]["code"] == "completed")
    return {"exact": not bad, "lines": len(lines), "households": len(last), "problems": bad[:20],
            "summary": f"{len(lines)} lines in {len(last)} accounts, {completed} settled cases, {len(bad)} problems"}


async def report_figures(api: httpx.AsyncClient, token: str, plan: YearPlan, closures: Counter[tuple[str, str, str]],
                         months: list[str]) -> dict[str, Any]:
    expected_intake = plan.intake_by_month()
    bad: list[str] = []
    compared = 0
    for month in months:
        r = await api.get(f"/reports/tickets/monthly/{month}", headers={"Authorization": token})
        if r.status_code != 200:
            bad.append(f"{month}: {r.status_code}")
            continue
        stored = {(line["dimension"]["code"], line["key"]): line for line in r.json()}
        keys = {k for (m, k) in expected_intake if m == month} | {k for (m, k, _) in closures if m == month}
        for key in keys:
            dim = "city" if key == "city" else "street"
            line = stored.get((dim, CITY_KEY if key == "city" else key), {})
            for field, want in (("intake", expected_intake[(month, key)]), ("closed", closures[(month, key, "closed")]),
                                ("satisfied", closures[(month, key, "satisfied")])):
                compared += 1
                if line.get(field, 0) != want:
                    bad.append(f"{month} {key} {field}: report {line.get(field, 0)}, counted {want}")
    return {"exact": not bad and bool(months), "months": months, "figures_compared": compared, "problems": bad[:20],
            "summary": f"{len(months)} months, {compared} figures compared, {len(bad)} differ"}


async def events_per_case(client: Client, case_ids: list[str]) -> dict[str, int]:
    gate = asyncio.Semaphore(16)

    async def one(cid: str) -> int:
        async with gate:
            desc = await client.get_workflow_handle(cid).describe()
            return int(desc.raw_description.workflow_execution_info.history_length)

    return dict(zip(case_ids, await asyncio.gather(*(one(c) for c in case_ids)), strict=True))
