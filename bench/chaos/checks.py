"""After the run: every case against what its client was told and what the fund rules say.

- closed: the case reached ``completed`` (the notice ended and the final payment went through);
- debits: each household of the building debited exactly its share of each payment, once (first
  payment: its share of 50% of the approved budget; final: its share of the settlement less what
  it paid first), and the case's debits add up to the settlement;
- accounts: every account of the run's estates holds the sum of its ledger lines;
- chain: the case's audit chain verifies, through the auditors' own endpoint;
- decisions: every decision the client got a 2xx for stands on the timeline exactly once;
- starts: the starts of one key all answered with one case, and never with another start's case.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bench.chaos.cases import APPROVED, APPROVED_SETTLEMENT, CaseRun, Cast
from bench.chaos.client import Recorder, call
from core.settings import Settings
from db.models.fund import FundAccount, LedgerEntry
from db.models.reference import Household
from db.repositories import audit as audit_repo
from db.repositories import fund as fund_repo
from db.session import make_engine, make_session_factory
from domain.audit import withdrawals
from domain.fund_emergency import first_payment_fen
from domain.fund_ledger import shares_for

if TYPE_CHECKING:
    from bench.chaos.runner import Phase


@dataclass
class Row:
    """One fault's line of the table."""

    fault: str
    injected: int = 0  # faults injected while the cases ran (a phase without one proves nothing)
    cases: int = 0
    completed: int = 0
    stuck: int = 0
    double_debits: int = 0
    missing_debits: int = 0
    chain_breaks: int = 0
    lost_decisions: int = 0
    refused_yet_recorded: int = 0  # the client's final answer was a refusal, but the decision stands (reported, not a loss)
    wrong_starts: int = 0
    server_errors: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def losses(self) -> int:
        return (int(self.injected == 0) + self.stuck + self.double_debits + self.missing_debits + self.chain_breaks + self.lost_decisions
                + self.wrong_starts + self.server_errors)


@dataclass
class Verdict:
    rows: list[Row]
    accounts_checked: int
    accounts_off: list[str]

    @property
    def ok(self) -> bool:
        return not self.accounts_off and all(r.losses == 0 for r in self.rows)


def expected_lines(areas: dict[str, int]) -> dict[str, dict[str, int]]:
    """Each payment's debit per household, as the fund rules compute it (zero shares write no line)."""
    first = shares_for(first_payment_fen(APPROVED), areas)
    total = shares_for(APPROVED_SETTLEMENT, areas)
    return {"first": {h: s for h, s in first.items() if s}, "final": {h: total[h] - first.get(h, 0) for h in total if total[h] - first.get(h, 0)}}


async def check_debits(session: AsyncSession, run: CaseRun, completed: bool, row: Row) -> None:
    """Double and missing debits of one case; a case that has not closed is checked for doubles only."""
    areas = await fund_repo.household_areas(session, run.estate_id, "building", run.building)
    expected = expected_lines(areas)
    lines = (await session.execute(select(LedgerEntry.household_id, LedgerEntry.amount_fen, LedgerEntry.memo)
                                   .where(LedgerEntry.case_id == run.case_id))).all()
    got: dict[str, dict[str, list[int]]] = {"first": defaultdict(list), "final": defaultdict(list)}
    for household, amount, memo in lines:
        got["first" if (memo or "").startswith("first") else "final"][household].append(-amount)
    for kind, shares in expected.items():
        over, under = [], []
        for household in sorted(set(shares) | set(got[kind])):
            paid, owed = got[kind].get(household, []), shares.get(household, 0)
            if len(paid) > 1 or sum(paid) > owed:
                over.append(f"{household} {paid} (share {owed})")
            elif completed and sum(paid) < owed:
                under.append(f"{household} {paid} (share {owed})")
        row.double_debits += len(over)
        row.missing_debits += len(under)
        for what, found in (("over-debited", over), ("debited short or not at all", under)):
            if found:
                row.problems.append(f"{run.case_id}: {kind} payment {what} for {len(found)} of {len(shares)} households, "
                                    f"e.g. {'; '.join(found[:2])}")
    total = -sum(amount for _, amount, _ in lines)
    if completed and total != APPROVED_SETTLEMENT:
        row.problems.append(f"{run.case_id}: debits add up to {total}, the settlement is {APPROVED_SETTLEMENT}")
        if total > APPROVED_SETTLEMENT:
            row.double_debits += 1
        else:
            row.missing_debits += 1


async def check_decisions(session: AsyncSession, run: CaseRun, row: Row) -> None:
    """Every (task, person, decision) the client got a 2xx for stands on the timeline exactly once."""
    entries = await audit_repo.stored_entries(session, run.case_id or "")
    withdrawn = withdrawals(entries)
    standing = Counter((e.event.task_id, e.event.actor_subject, e.event.decision) for e in entries
                       if e.event.kind == "decision" and e.seq not in withdrawn)
    answered = {(s.task_id, s.subject, s.decision) for s in run.sent if 200 <= s.status < 300}
    for triple in sorted(answered, key=str):
        if standing[triple] != 1:
            row.lost_decisions += 1
            row.problems.append(f"{run.case_id}: {triple[2]} by {triple[1]} on {triple[0]} answered 2xx, "
                                f"on the timeline {standing[triple]} times")
    refused = {(s.task_id, s.subject, s.decision): s.status for s in run.sent if not 200 <= s.status < 300}
    for triple, status in sorted(refused.items(), key=str):
        if triple not in answered and standing[triple]:
            row.refused_yet_recorded += 1
            row.problems.append(f"{run.case_id}: {triple[2]} by {triple[1]} on {triple[0]} answered {status} "
                                "(after its retries), yet it stands on the timeline")


async def check_case(http: httpx.AsyncClient, session: AsyncSession, run: CaseRun, cast: Cast, row: Row) -> None:
    rec = Recorder()
    if len(run.start_ids) > 1 or (run.error or "").startswith("the start answered with"):
        row.wrong_starts += 1
        row.problems.append(f"case #{run.n}: one start key answered {sorted(run.start_ids)}; {run.error or ''}")
    if run.case_id is None:
        row.stuck += 1
        row.problems.append(f"case #{run.n} never started: {run.error}")
        return
    got = await call(http, rec, "GET", f"/cases/{run.case_id}", token=cast.tokens["bureau"])
    completed = got.ok and got.body["status"]["code"] == "completed"
    if completed:
        row.completed += 1
    else:
        row.stuck += 1
        state = f"{got.body['status']['code']} at {got.body['step']['code']}" if got.ok else f"unreadable ({got.status})"
        row.problems.append(f"{run.case_id}: not closed, {state}; client: {run.error}")
    chain = await call(http, rec, "GET", f"/audit/cases/{run.case_id}/audit-log/verify", token=cast.tokens["auditor"])
    if not (chain.ok and chain.body.get("intact")):
        row.chain_breaks += 1
        row.problems.append(f"{run.case_id}: audit chain {chain.status} {chain.body}")
    await check_debits(session, run, completed, row)
    await check_decisions(session, run, row)


def server_error_lines(rec: Recorder) -> list[str]:
    """The 500s grouped by route (case and task ids replaced), with one example each."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for e in rec.server_errors:
        route = re.sub(r"/tasks/[^/]+", "/tasks/{task}", re.sub(r"/cases/[^/]*-\d{8}-\d+", "/cases/{id}", e["path"]))
        groups[f"{e['status']} on {e['method']} {route}"].append(e)
    return [f"{k} ×{len(v)}, e.g. {v[0]['path']}: {v[0]['body'][:160]}" for k, v in groups.items()]


async def check_accounts(session: AsyncSession, estates: list[str]) -> tuple[int, list[str]]:
    """Every account of the estates against the sum of its ledger lines."""
    sums = (select(LedgerEntry.household_id, func.sum(LedgerEntry.amount_fen).label("total"))
            .group_by(LedgerEntry.household_id).subquery())
    rows = (await session.execute(
        select(FundAccount.household_id, FundAccount.balance_fen, sums.c.total)
        .join(Household, Household.id == FundAccount.household_id)
        .outerjoin(sums, sums.c.household_id == FundAccount.household_id)
        .where(Household.estate_id.in_(estates)))).all()
    return len(rows), [f"{h}: balance {b}, ledger {t}" for h, b, t in rows if b != (t or 0)]


async def check_all(http: httpx.AsyncClient, settings: Settings, phases: list[Phase], casts: dict[str, Cast],
                    estates: list[str]) -> Verdict:
    engine = make_engine(settings)
    rows: list[Row] = []
    try:
        async with make_session_factory(engine)() as session:
            for phase in phases:
                row = Row(phase.fault.name, injected=sum("started" not in e[1] for e in phase.injection.events),
                          cases=len(phase.runs), server_errors=len(phase.rec.server_errors))
                if not row.injected:
                    row.problems.append("nothing was injected: the cases were done before the first fault")
                row.problems += server_error_lines(phase.rec)
                for run in phase.runs:
                    await check_case(http, session, run, casts[run.estate_id], row)
                rows.append(row)
            checked, off = await check_accounts(session, estates)
    finally:
        await engine.dispose()
    return Verdict(rows, checked, off)

