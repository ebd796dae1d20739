"""Elections: the owner registry, the frozen roll, ballots and stored results (the committee registry: ``committee``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, case, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.errors import ConflictingWrite, NotFound, integrity_as
from db.models import (
    Ballot,
    CaseRecord,
    Election,
    ElectionVoter,
    FundAccount,
    Household,
    OwnerRecord,
)
from db.session import dialect_name
from domain.apportionment import area_to_hundredths
from domain.election import PROCESS_KIND
from domain.election_ballots import BallotLine, LineError, ballot_receipt, check_ballot_lines
from domain.election_checks import CandidateFacts
from domain.rules import ELECTION, ElectionRules
from domain.tally import CandidateEntry, CastBallot, TallyResult, Voter, tally_dual_majority

# Bulk writes go in chunks: SQLite allows at most 32,766 bound parameters per statement.
CHUNK = 2000


class VotingClosed(ConflictingWrite):
    """A ballot arrived at or after the end of the voting period."""

    def __init__(self, closes_at: datetime) -> None:
        super().__init__(f"voting closed at {closes_at.isoformat()}; the ballot was not stored")
        self.closes_at = closes_at


def _owner_key() -> ColumnElement[str]:
    # A unit without an owner record is its own owner.
    return func.coalesce(OwnerRecord.owner_key, Household.id)


async def estate_roll(session: AsyncSession, estate_id: str) -> list[Voter]:
    """Every exclusive part of the estate with its owner and area (山东 Art. 25: area from the registry)."""
    stmt = (
        select(Household.id, _owner_key(), Household.area_m2)
        .outerjoin(OwnerRecord, OwnerRecord.household_id == Household.id)
        .where(Household.estate_id == estate_id)
        .order_by(Household.id)
    )
    rows = (await session.execute(stmt)).all()
    return [Voter(household_id=h, owner_key=k, area_hundredths=area_to_hundredths(a)) for h, k, a in rows]


async def candidate_facts(
    session: AsyncSession, estate_id: str, candidates: list[tuple[str, str]], at: datetime,
) -> list[CandidateFacts]:
    """What the registry says about each ``(candidate_id, household_id)``: owner of record, arrears, top-ups."""
    return [await _candidate(session, estate_id, cid, household_id, at) for cid, household_id in candidates]


async def _candidate(session: AsyncSession, estate_id: str, cid: str, household_id: str, at: datetime) -> CandidateFacts:
    """One candidate's facts; the owner's other units in the estate count too (arrears, top-ups, legal person)."""
    row = (
        await session.execute(
            select(Household, _owner_key())
            .outerjoin(OwnerRecord, OwnerRecord.household_id == Household.id)
            .where(Household.id == household_id, Household.estate_id == estate_id)
        )
    ).first()
    if row is None:
        return CandidateFacts(candidate_id=cid, in_estate=False)
    home, key = row
    units = select(Household.id).outerjoin(OwnerRecord, OwnerRecord.household_id == Household.id).where(
        Household.estate_id == estate_id, _owner_key() == key,
    )
    legal_persons, arrears = (
        await session.execute(
            select(
                func.coalesce(func.sum(case((OwnerRecord.natural_person.is_(False), 1), else_=0)), 0),
                func.coalesce(func.sum(OwnerRecord.fee_arrears_fen), 0),
            ).where(OwnerRecord.household_id.in_(units))
        )
    ).one()
    overdue = await session.scalar(
        select(func.count()).select_from(FundAccount).where(
            FundAccount.household_id.in_(units), FundAccount.top_up_due_at.is_not(None), FundAccount.top_up_due_at <= at,
        )
    )
    # The authorisation belongs to the owner, not the unit: the nominated unit's first, else any of its units'.
    representative = (
        await session.execute(
            select(OwnerRecord.representative_name, OwnerRecord.authorisation_ref)
            .where(OwnerRecord.household_id.in_(units), OwnerRecord.representative_name.is_not(None))
            .order_by(case((OwnerRecord.household_id == household_id, 0), else_=1), OwnerRecord.household_id)
            .limit(1)
        )
    ).first()
    return CandidateFacts(
        candidate_id=cid, in_estate=True, registered_owner=home.owner_name,
        natural_person=not legal_persons, fee_arrears_fen=int(arrears or 0),
        top_up_overdue=bool(overdue),
        representative_name=representative[0] if representative else None,
        authorisation_ref=representative[1] if representative else None,
    )


async def owner_households(session: AsyncSession, estate_id: str, owner_key: str) -> list[str]:
    """The units of one owner in an estate."""
    stmt = (
        select(Household.id).outerjoin(OwnerRecord, OwnerRecord.household_id == Household.id)
        .where(Household.estate_id == estate_id, _owner_key() == owner_key).order_by(Household.id)
    )
    return list((await session.scalars(stmt)).all())


async def set_owner(
    session: AsyncSession, *, household_id: str, owner_key: str, at: datetime, natural_person: bool = True,
    fee_arrears_fen: int = 0,
) -> None:
    """Record who owns a unit (several units may share one owner key)."""
    record = await session.get(OwnerRecord, household_id)
    if record is None:
        session.add(OwnerRecord(household_id=household_id, owner_key=owner_key, natural_person=natural_person,
                                fee_arrears_fen=fee_arrears_fen, updated_at=at))
    else:
        record.owner_key, record.natural_person, record.fee_arrears_fen, record.updated_at = owner_key, natural_person, fee_arrears_fen, at
        if natural_person:
            record.representative_name = record.authorisation_ref = None
    with integrity_as(exists=f"the owner of {household_id} was recorded meanwhile", missing=f"no household {household_id}"):
        await session.flush()


async def owner_record(session: AsyncSession, household_id: str) -> OwnerRecord | None:
    return await session.get(OwnerRecord, household_id)


async def set_representative(
    session: AsyncSession, record: OwnerRecord, *, name: str | None, authorisation_ref: str | None, at: datetime,
) -> OwnerRecord:
    """Record (or, with None, withdraw) the natural person an institutional owner authorises (潍坊 Art. 34)."""
    record.representative_name, record.authorisation_ref, record.updated_at = name, authorisation_ref, at
    await session.flush()
    return record


# ----------------------------------------------------------------- elections, roll, ballots


async def open_election(
    session: AsyncSession, *, election_id: str, case_id: str, estate_id: str, attempt: int, seats: int,
    candidates: list[dict[str, Any]], at: datetime, closes_at: datetime | None = None,
) -> Election:
    """Create the attempt and freeze its roll; a retried call finds the attempt and writes nothing."""
    existing = await session.get(Election, election_id)
    if existing is not None:
        return existing
    roll = await estate_roll(session, estate_id)
    election = Election(
        id=election_id, case_id=case_id, estate_id=estate_id, attempt=attempt, seats=seats, candidates=candidates,
        status="open", opened_at=at, closes_at=closes_at, voters=len(roll), total_area_hundredths=sum(v.area_hundredths for v in roll),
        total_headcount=len({v.owner_key for v in roll}),
    )
    session.add(election)
    # A concurrent attempt of the same activity may have opened it first; Temporal's retry then finds it.
    with integrity_as(exists=f"election {election_id} was opened meanwhile"):
        await session.flush()
        rows = [{"election_id": election_id, **v.model_dump()} for v in roll]
        for i in range(0, len(rows), CHUNK):
            await session.execute(insert(ElectionVoter), rows[i : i + CHUNK])
    return election


async def election(session: AsyncSession, election_id: str) -> Election | None:
    return await session.get(Election, election_id)


async def elections_of_case(session: AsyncSession, case_id: str) -> list[Election]:
    rows = await session.scalars(select(Election).where(Election.case_id == case_id).order_by(Election.attempt))
    return list(rows.all())


async def lock_open_election(session: AsyncSession, case_id: str) -> Election | None:
    """The case's attempt that takes ballots now; on PostgreSQL the row is share-locked so closing waits."""
    stmt = select(Election).where(Election.case_id == case_id, Election.status == "open")
    if dialect_name(session) == "postgresql":
        stmt = stmt.with_for_update(read=True)
    return await session.scalar(stmt)


async def close_election(session: AsyncSession, election_id: str, at: datetime) -> None:
    """Stop taking ballots (idempotent); ballots committed before this are all the tally will count."""
    await session.execute(
        update(Election).where(Election.id == election_id, Election.status == "open").values(status="closed", closed_at=at)
    )


async def frozen_roll(session: AsyncSession, election_id: str, household_ids: Iterable[str] | None = None) -> list[Voter]:
    stmt = select(ElectionVoter.household_id, ElectionVoter.owner_key, ElectionVoter.area_hundredths).where(
        ElectionVoter.election_id == election_id
    )
    if household_ids is not None:
        stmt = stmt.where(ElectionVoter.household_id.in_(list(household_ids)))
    rows = (await session.execute(stmt.order_by(ElectionVoter.household_id))).all()
    return [Voter(household_id=h, owner_key=k, area_hundredths=a) for h, k, a in rows]


async def owners_on_roll(session: AsyncSession, election_id: str, owner_keys: Iterable[str]) -> set[str]:
    owner_keys = list(owner_keys)
    if not owner_keys:
        return set()
    stmt = select(ElectionVoter.owner_key).distinct().where(
        ElectionVoter.election_id == election_id, ElectionVoter.owner_key.in_(list(owner_keys)),
    )
    return set((await session.scalars(stmt)).all())


async def households_of_owner_on_roll(session: AsyncSession, election_id: str, owner_key: str) -> list[str]:
    stmt = select(ElectionVoter.household_id).where(ElectionVoter.election_id == election_id, ElectionVoter.owner_key == owner_key)
    return list((await session.scalars(stmt.order_by(ElectionVoter.household_id))).all())


async def recorded_households(session: AsyncSession, election_id: str, household_ids: Iterable[str]) -> set[str]:
    ids = list(household_ids)
    found: set[str] = set()
    for i in range(0, len(ids), CHUNK):
        stmt = select(Ballot.household_id).where(Ballot.election_id == election_id, Ballot.household_id.in_(ids[i : i + CHUNK]))
        found |= set((await session.scalars(stmt)).all())
    return found


async def proxy_principals(session: AsyncSession, election_id: str, proxies: Iterable[str]) -> dict[str, set[str]]:
    """For each proxy, the owners whose units they have already signed for."""
    proxies = list(proxies)
    if not proxies:
        return {}
    stmt = select(Ballot.proxy_owner_key, Ballot.owner_key).where(
        Ballot.election_id == election_id, Ballot.proxy_owner_key.in_(list(proxies)),
    )
    out: dict[str, set[str]] = {}
    for proxy, owner in (await session.execute(stmt)).all():
        if proxy is not None:
            out.setdefault(proxy, set()).add(owner)
    return out


async def insert_ballots(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Insert ballots; the unique (election, unit) constraint refuses a second one even under a race (AlreadyExists)."""
    with integrity_as(exists="a ballot for one of these units was recorded meanwhile; nothing was stored"):
        for i in range(0, len(rows), CHUNK):
            await session.execute(insert(Ballot), rows[i : i + CHUNK])


async def ballot_of(session: AsyncSession, election_id: str, household_id: str) -> Ballot | None:
    return await session.scalar(select(Ballot).where(Ballot.election_id == election_id, Ballot.household_id == household_id))


async def cast_ballots(session: AsyncSession, election_id: str, closes_at: datetime | None = None) -> list[CastBallot]:
    """The ballots of an attempt; with ``closes_at``, only those cast before the voting period ended."""
    stmt = select(Ballot.household_id, Ballot.choices).where(Ballot.election_id == election_id)
    if closes_at is not None:
        stmt = stmt.where(Ballot.cast_at < closes_at)
    rows = (await session.execute(stmt)).all()
    return [CastBallot(household_id=h, choices=list(c)) for h, c in rows]


async def recount(session: AsyncSession, election_id: str, *, rules: ElectionRules = ELECTION) -> TallyResult:
    """Count an attempt from its stored roll and ballots (the tally and the auditor's recount share this)."""
    e = await session.get(Election, election_id)
    if e is None:
        raise NotFound(f"no election {election_id}")
    roll = await frozen_roll(session, election_id)
    # Only ballots cast before the voting period ended count, however late the tally runs.
    ballots = await cast_ballots(session, election_id, e.closes_at)
    candidates = [CandidateEntry.model_validate(c) for c in e.candidates]
    return tally_dual_majority(roll, ballots, candidates, e.seats, rules)


async def ballot_count(session: AsyncSession, election_id: str) -> int:
    return int(await session.scalar(select(func.count()).select_from(Ballot).where(Ballot.election_id == election_id)) or 0)


async def store_result(session: AsyncSession, election_id: str, result: dict[str, Any], at: datetime) -> None:
    await session.execute(update(Election).where(Election.id == election_id).values(status="tallied", result=result, tallied_at=at))


async def active_election_case(session: AsyncSession, estate_id: str) -> str | None:
    """An election case of the estate that is still running, if any."""
    stmt = select(CaseRecord.id).where(
        CaseRecord.kind == PROCESS_KIND, CaseRecord.estate_id == estate_id, CaseRecord.status.in_(["active", "blocked"]),
    )
    return await session.scalar(stmt.limit(1))


async def batch_receipts(session: AsyncSession, election_id: str, batch_id: str) -> dict[str, str]:
    """The receipts of a batch already stored (a retried request with the same Idempotency-Key)."""
    stmt = select(Ballot.household_id, Ballot.receipt).where(Ballot.election_id == election_id, Ballot.batch_id == batch_id)
    return dict((await session.execute(stmt.order_by(Ballot.household_id))).all())


async def record_ballots(
    session: AsyncSession, *, election: Election, lines: list[BallotLine], channel: str, entered_by: str,
    batch_id: str, at: datetime, rules: ElectionRules,
) -> tuple[dict[str, str], list[LineError]]:
    """Check every line and insert all of them, or none: returns the receipts, or the errors of every bad line."""
    if election.closes_at is not None and at >= election.closes_at:
        # The voting period has ended (民法典 Art. 203) even if the tally has not closed the attempt yet.
        raise VotingClosed(election.closes_at)
    units = [line.household_id for line in lines]
    roll = {v.household_id: v.owner_key for v in await frozen_roll(session, election.id, units)}
    proxies = {line.proxy_owner_key for line in lines if line.proxy_owner_key}
    errors = check_ballot_lines(
        lines, roll=roll, owner_keys=await owners_on_roll(session, election.id, proxies),
        candidates={c["id"] for c in election.candidates}, seats=election.seats,
        recorded=await recorded_households(session, election.id, units),
        proxies=await proxy_principals(session, election.id, proxies), rules=rules,
    )
    if errors:
        return {}, errors
    rows = []
    for line in lines:
        receipt = ballot_receipt(election.id, line.household_id, line.choices, at)
        rows.append({
            "election_id": election.id, "household_id": line.household_id, "owner_key": roll[line.household_id],
            "choices": sorted(line.choices), "channel": channel, "proxy_owner_key": line.proxy_owner_key,
            "entered_by": entered_by, "batch_id": batch_id, "cast_at": at, "receipt": receipt,
        })
    await insert_ballots(session, rows)
    return {str(r["household_id"]): str(r["receipt"]) for r in rows}, []
