"""The owners' vote on a committee election, counted exactly (民法典 Art. 278 [P]).

Quorum: owners holding at least 2/3 of the exclusive area AND at least 2/3 of the headcount take
part. Each elected member needs more than half of the participating area AND of the participating
headcount. Areas are integer hundredths of a m² and every comparison is a cross-multiplication,
so exactly 2/3 passes, one hundredth less fails, and exactly half fails.

Headcount follows 山东 Art. 25 (1) [P]: one exclusive part counts as one owner, but a buyer of
several parts counts once. Ballots are per exclusive part (one vote per unit), so an owner with
several units votes on each, and their area is summed; in headcount the owner counts once, and
for a candidate only when every unit they voted chose that candidate (an owner whose units disagree
has not clearly supported the candidate as a person).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from enum import StrEnum

from pydantic import BaseModel, Field

from domain.rules import ELECTION, ElectionRules

# Seats go to qualifying candidates by participating area supporting them, then by headcount,
# then by nomination order (the candidate nominated first), so a tie never needs a drawing of lots
# that an auditor could not repeat. [C]
TIE_RULE = "area desc, then headcount desc, then nomination order (earlier nomination first)"


class Voter(BaseModel):
    """One exclusive part on the electoral roll frozen when voting opened."""

    household_id: str
    owner_key: str
    area_hundredths: int = Field(gt=0)


class CastBallot(BaseModel):
    """One stored ballot: the unit it was cast for and the candidates it chose."""

    household_id: str
    choices: list[str] = Field(default_factory=list)


class CandidateEntry(BaseModel):
    """A qualified candidate on the ballot, in nomination order."""

    id: str
    name: str
    party_member: bool = False
    order: int


class Outcome(StrEnum):
    ELECTED = "elected"
    QUORUM_NOT_MET = "quorum_not_met"
    TOO_FEW_ELECTED = "too_few_elected"


OUTCOME_LABELS: dict[str, str] = {
    Outcome.ELECTED: "选举有效",
    Outcome.QUORUM_NOT_MET: "参与表决未达三分之二",
    Outcome.TOO_FEW_ELECTED: "当选人数不足",
}


class CandidateCount(BaseModel):
    """A candidate's support: area and headcount, whether both majorities were reached, the seat."""

    id: str
    name: str
    party_member: bool
    area_hundredths: int
    headcount: int
    majority: bool
    rank: int | None = None
    elected: bool = False


class TallyResult(BaseModel):
    """The counted result with every input total an auditor needs to check it."""

    seats: int
    total_area_hundredths: int
    total_headcount: int
    voters: int
    ballots: int
    participating_area_hundredths: int
    participating_headcount: int
    quorum_area: bool
    quorum_headcount: bool
    candidates: list[CandidateCount]
    elected: list[str]
    party_members_elected: int
    outcome: Outcome
    tie_rule: str = TIE_RULE
    ballots_digest: str

    @property
    def valid(self) -> bool:
        return self.outcome == Outcome.ELECTED


def at_least(part: int, whole: int, numerator: int, denominator: int) -> bool:
    """``part / whole >= numerator / denominator``, exactly (cross-multiplied)."""
    return part * denominator >= whole * numerator


def more_than(part: int, whole: int, numerator: int, denominator: int) -> bool:
    """``part / whole > numerator / denominator``, exactly (cross-multiplied)."""
    return part * denominator > whole * numerator


def ballots_digest(ballots: Iterable[CastBallot]) -> str:
    """A sha256 over the ballots in unit order: two counts of the same ballots carry the same digest."""
    h = hashlib.sha256()
    for b in sorted(ballots, key=lambda b: b.household_id):
        h.update(json.dumps([b.household_id, sorted(b.choices)], ensure_ascii=False, separators=(",", ":")).encode())
        h.update(b"\n")
    return h.hexdigest()


def tally_dual_majority(
    voters: list[Voter], ballots: list[CastBallot], candidates: list[CandidateEntry], seats: int,
    rules: ElectionRules = ELECTION,
) -> TallyResult:
    """Count an election: quorum, each candidate's area and headcount, and the seats by the tie rule."""
    roll = {v.household_id: v for v in voters}
    if len(roll) != len(voters):
        raise ValueError("a unit appears twice on the roll")
    seen: set[str] = set()
    for b in ballots:
        if b.household_id not in roll:
            raise ValueError(f"ballot for {b.household_id}, which is not on the roll")
        if b.household_id in seen:
            raise ValueError(f"two ballots for {b.household_id}")
        seen.add(b.household_id)
    total_area = sum(v.area_hundredths for v in voters)
    total_heads = len({v.owner_key for v in voters})

    # Per owner: the units they voted and, per candidate, on how many of those units they chose it.
    owner_units: dict[str, int] = {}
    owner_support: dict[str, dict[str, int]] = {}
    cand_area = {c.id: 0 for c in candidates}
    part_area = 0
    for b in ballots:
        voter = roll[b.household_id]
        part_area += voter.area_hundredths
        owner_units[voter.owner_key] = owner_units.get(voter.owner_key, 0) + 1
        support = owner_support.setdefault(voter.owner_key, {})
        for choice in set(b.choices):
            if choice in cand_area:
                cand_area[choice] += voter.area_hundredths
                support[choice] = support.get(choice, 0) + 1
    part_heads = len(owner_units)
    cand_heads = {c.id: 0 for c in candidates}
    for owner, support in owner_support.items():
        for cid, units in support.items():
            if units == owner_units[owner]:
                cand_heads[cid] += 1

    q = rules.vote
    quorum_area = total_area > 0 and at_least(part_area, total_area, q.quorum_numerator, q.quorum_denominator)
    quorum_heads = total_heads > 0 and at_least(part_heads, total_heads, q.quorum_numerator, q.quorum_denominator)
    m_num, m_den = rules.majority_numerator, rules.majority_denominator
    counts = [
        CandidateCount(
            id=c.id, name=c.name, party_member=c.party_member, area_hundredths=cand_area[c.id],
            headcount=cand_heads[c.id],
            majority=part_area > 0 and more_than(cand_area[c.id], part_area, m_num, m_den)
            and more_than(cand_heads[c.id], part_heads, m_num, m_den),
        )
        for c in candidates
    ]
    order = {c.id: c.order for c in candidates}
    ranked = sorted((c for c in counts if c.majority), key=lambda c: (-c.area_hundredths, -c.headcount, order[c.id]))
    for rank, c in enumerate(ranked, start=1):
        c.rank = rank
    if not (quorum_area and quorum_heads):
        outcome = Outcome.QUORUM_NOT_MET
    elif len(ranked) < seats:
        outcome = Outcome.TOO_FEW_ELECTED
    else:
        outcome = Outcome.ELECTED
        for c in ranked[:seats]:
            c.elected = True
    elected = [c.id for c in ranked if c.elected]
    return TallyResult(
        seats=seats, total_area_hundredths=total_area, total_headcount=total_heads, voters=len(voters),
        ballots=len(ballots), participating_area_hundredths=part_area, participating_headcount=part_heads,
        quorum_area=quorum_area, quorum_headcount=quorum_heads, candidates=counts, elected=elected,
        party_members_elected=sum(1 for c in counts if c.elected and c.party_member), outcome=outcome,
        ballots_digest=ballots_digest(ballots),
    )
