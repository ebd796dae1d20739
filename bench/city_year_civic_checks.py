"""The civic processes' end checks, each against an independent count.

- tallies: every election's stored result, per candidate headcount and area, against the ballots
  the bench sent and saw accepted (added up here from the estate's registry areas), and the
  auditor's recount from the stored ballots (``GET …/tally/{attempt}/recount``) identical to it;
- draws: every tender's expert draw as the auditor reads it (``GET /cases/tender/{id}/draw``):
  each round re-derived from its recorded random values (``verified``), no excluded expert chosen;
- credit: every quarter's line, per company, recomputed here from the credit records and the
  quarter's tickets in the database at the moment the draft was taken: figures, score and grade.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import select

from bench.city_year_civic import CANDIDATES, Civic, ElectionBook
from bench.city_year_people import People
from core.settings import Settings
from db.models import AuditEntry, CreditAssessmentLine, CreditRecord, Ticket
from db.repositories import credit as credit_repo
from db.session import make_engine, make_session_factory
from domain.access import Role
from domain.credit import Quarter, QuarterFigures, grade_for, score


async def civic_checks(settings: Settings, civic: Civic, api: httpx.AsyncClient, people: People) -> dict[str, Any]:
    auditor = {"Authorization": people.token(Role.AUDITOR, None)}
    return {
        "tallies": await _tallies(civic, api, auditor),
        "draws": await _draws(civic, api, auditor),
        "credit_grades": await _credit(settings, civic.record_ceiling),
    }


def _expected(book: ElectionBook) -> dict[str, tuple[int, int]]:
    out = dict.fromkeys(book.candidates, (0, 0))
    for household, picked in book.accepted.items():
        for i in picked:
            heads, area = out[book.candidates[i]]
            out[book.candidates[i]] = (heads + 1, area + book.areas[household])
    return out


async def _tallies(civic: Civic, api: httpx.AsyncClient, auditor: dict[str, str]) -> dict[str, Any]:
    bad: list[str] = []
    counted = ballots = 0
    outcomes: dict[str, int] = {}
    for book in civic.elections.values():
        if not book.case_id or len(book.candidates) < CANDIDATES or not book.accepted:
            continue
        r = await api.get(f"/cases/owners-election/{book.case_id}/tally", headers=auditor)
        attempts = r.json() if r.status_code == 200 else []
        result = attempts[-1]["result"] if attempts else None
        if result is None:
            bad.append(f"{book.case_id}: no stored result ({r.status_code})")
            continue
        counted += 1
        ballots += len(book.accepted)
        outcomes[result["outcome"]] = outcomes.get(result["outcome"], 0) + 1
        stored = {c["id"]: (c["headcount"], c["area_hundredths"]) for c in result["candidates"]}
        if stored != _expected(book) or result["ballots"] != len(book.accepted):
            bad.append(f"{book.case_id}: stored {stored} ({result['ballots']} ballots), sent {_expected(book)} ({len(book.accepted)})")
        recount = await api.get(f"/cases/owners-election/{book.case_id}/tally/{attempts[-1]['attempt']}/recount", headers=auditor)
        if recount.status_code != 200 or not recount.json()["identical"]:
            bad.append(f"{book.case_id}: recount {recount.status_code} {recount.text[:200]}")
    return {"exact": not bad and counted > 0, "elections": counted, "ballots": ballots, "outcomes": outcomes, "problems": bad[:20],
            "summary": f"{counted} elections, {ballots} ballots, outcomes {outcomes}, {len(bad)} differ"}


async def _draws(civic: Civic, api: httpx.AsyncClient, auditor: dict[str, str]) -> dict[str, Any]:
    bad: list[str] = []
    drawn = rounds = 0
    for book in civic.tenders.values():
        if not book.case_id:
            continue
        r = await api.get(f"/cases/tender/{book.case_id}/draw", headers=auditor)
        if r.status_code != 200:
            bad.append(f"{book.case_id}: draw {r.status_code}")
            continue
        draw = r.json()
        if not draw["draws"]:
            continue  # not opened (too few bids) or not yet drawn
        drawn += 1
        rounds += len(draw["draws"])
        excluded = {x["expert_id"] for x in draw["exclusions"]}
        chosen = {e for d in draw["draws"] for e in d["chosen"]}
        if not draw["verified"] or chosen & excluded:
            bad.append(f"{book.case_id}: verified {draw['verified']}, excluded chosen {sorted(chosen & excluded)}")
    return {"exact": not bad, "tenders": drawn, "rounds": rounds, "problems": bad[:20],
            "summary": f"{drawn} tenders drawn in {rounds} rounds, {len(bad)} not verified"}


async def _credit(settings: Settings, ceiling: dict[str, int]) -> dict[str, Any]:
    engine = make_engine(settings)
    try:
        async with make_session_factory(engine)() as session:
            lines = (await session.scalars(select(CreditAssessmentLine).order_by(CreditAssessmentLine.id))).all()
            records = [credit_repo.view(r) for r in (await session.scalars(select(CreditRecord))).all()]
            tickets = (await session.execute(select(Ticket.company_id, Ticket.created_at, Ticket.id, Ticket.closed_at, Ticket.closure)
                                             .where(Ticket.company_id.is_not(None)))).all()
            # When each ticket first went overdue, from its timeline: the deadline its handling round's
            # red card names (the timer fires a fraction of a second after it, past a quarter's end
            # when the deadline is that quarter's last 24:00).
            overdue_at: dict[str, datetime] = {}
            for case_id, data in await session.execute(
                select(AuditEntry.case_id, AuditEntry.data)
                .where(AuditEntry.kind == "timer", AuditEntry.step == "handling", AuditEntry.decision == "overdue"),
            ):
                due = _aware(datetime.fromisoformat(data["due_at"]))
                overdue_at[case_id] = min(overdue_at.get(case_id, due), due)
    finally:
        await engine.dispose()
    bad: list[str] = []
    grades: dict[str, int] = {}
    for line in lines:
        at = _aware(line.drafted_at)
        mine = [r for r in records if r.company_id == line.company_id and r.id <= ceiling.get(line.quarter, 0)]
        figures = _figures(tickets, overdue_at, line.company_id, Quarter.parse(line.quarter), at)
        total = score(mine, figures, at).total
        grade = grade_for(total, has_bad_record=any(r.in_force(at) and r.kind == "bad" for r in mine)).value
        stored = line.line
        grades[grade] = grades.get(grade, 0) + 1
        if (grade, str(total)) != (line.grade, stored["score"]["total"]) or figures.model_dump(mode="json") != stored["figures"]:
            bad.append(f"{line.quarter} {line.company_id}: stored {line.grade} {stored['score']['total']} {stored['figures']}, "
                       f"recomputed {grade} {total} {figures.model_dump(mode='json')}")
    return {"exact": not bad and bool(lines), "lines": len(lines), "quarters": sorted({x.quarter for x in lines}), "grades": grades,
            "records": len(records), "problems": bad[:20],
            "summary": f"{len(lines)} lines in {len({x.quarter for x in lines})} quarters from {len(records)} records, grades {grades}, "
                       f"{len(bad)} differ"}


def _figures(tickets: list[Any], overdue_at: dict[str, datetime], company: str, quarter: Quarter, at: datetime) -> QuarterFigures:
    """The company's tickets received in the quarter up to ``at``: counted, overdue, closed, closed satisfied.

    All as they stood when the draft was taken at ``at``: a ticket of the quarter whose deadline
    passed after it (in the next quarter's first days) was not overdue in the draft, which reads
    the tickets' overdue mark as it is then; its bad record counts in the quarter it was written in.
    """
    start, end = quarter.start(), min(quarter.end(), at)
    f = QuarterFigures()
    for company_id, created, ticket_id, closed_at, closure in tickets:
        if company_id != company or not start <= _aware(created) < end:
            continue
        f.tickets += 1
        f.overdue += int(ticket_id in overdue_at and overdue_at[ticket_id] <= at)
        if closed_at is not None and _aware(closed_at) < end:
            f.closed += 1
            f.satisfied += int(closure == "satisfied")
    return f


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
