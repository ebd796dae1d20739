"""专家库抽取: the evaluation committee and the auditable random draw of its experts.

招标投标法 Art. 37 and 实施条例 Arts. 46, 48 [P]: at least 5 members, an odd number, experts at
least 2/3, drawn at random from the pool; anyone with a conflict of interest with a bidder is
excluded and replaced. The draw is a pure function of its recorded inputs (the pool, the bidders,
the random values the workflow took from ``workflow.random()``), so an auditor re-derives it.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, Field

from domain.rules import TENDER, TenderRules


class ExpertProfile(BaseModel):
    """One expert in the pool (评标专家库), with what makes a conflict of interest."""

    id: str
    name: str
    employer: str
    employer_company_id: str | None = None
    specialty: str
    related_company_ids: list[str] = Field(default_factory=list)


class Exclusion(BaseModel):
    """An expert left out of the draw, and why (回避)."""

    expert_id: str
    reason: str
    company_id: str | None = None


class CommitteePlan(BaseModel):
    """How many members, how many drawn experts, how many representatives of the tenderer."""

    size: int
    experts: int
    representatives: int


class DrawRound(BaseModel):
    """One draw: who could be drawn, the random values used, who was chosen."""

    eligible: list[str]
    rng_values: list[float]
    chosen: list[str]
    reason: str = "initial"


class CommitteeTooSmall(ValueError):
    """The pool, after exclusions, cannot seat the committee."""


def committee_plan(rules: TenderRules = TENDER) -> CommitteePlan:
    """The committee the rules ask for; refuses an even or too small committee, or too few experts."""
    size, reps = rules.committee_size, rules.tenderer_representatives
    if size < rules.committee_min_size:
        raise ValueError(f"a committee needs at least {rules.committee_min_size} members, got {size}")
    if size % 2 == 0:
        raise ValueError(f"a committee has an odd number of members, got {size}")
    experts = size - reps
    # Experts ≥ 2/3 of the members, compared in integers so exactly 2/3 passes.
    if reps < 0 or experts * rules.expert_share_denominator < size * rules.expert_share_numerator:
        raise ValueError(f"{experts} experts of {size} members is less than 2/3")
    return CommitteePlan(size=size, experts=experts, representatives=reps)


def conflicts(pool: list[ExpertProfile], bidder_ids: list[str], bidder_names: dict[str, str] | None = None) -> list[Exclusion]:
    """Experts with a conflict of interest with any bidder: same employer or a recorded relationship."""
    names = bidder_names or {}
    bidders = set(bidder_ids)
    out: list[Exclusion] = []
    for expert in sorted(pool, key=lambda e: e.id):
        if expert.employer_company_id in bidders:
            company = expert.employer_company_id
            out.append(Exclusion(expert_id=expert.id, company_id=company, reason=f"employed by bidder {names.get(company, company)}"))
            continue
        related = sorted(bidders.intersection(expert.related_company_ids))
        if related:
            who = "、".join(names.get(c, c) for c in related)
            out.append(Exclusion(expert_id=expert.id, company_id=related[0], reason=f"recorded relationship with bidder {who}"))
    return out


def eligible_experts(pool: list[ExpertProfile], exclusions: list[Exclusion], already: Iterable[str] = ()) -> list[str]:
    """Ids that may be drawn, sorted so the draw does not depend on the order the pool was loaded in."""
    out = {e.expert_id for e in exclusions} | set(already)
    return sorted(e.id for e in pool if e.id not in out)


def draw_experts(eligible: list[str], size: int, rng_values: list[float]) -> list[str]:
    """Pick ``size`` experts: each value in [0, 1) picks one of those not yet chosen, in sorted order."""
    if size > len(eligible):
        raise CommitteeTooSmall(f"{len(eligible)} eligible experts cannot seat {size}")
    if len(rng_values) < size:
        raise ValueError(f"{size} random values needed, got {len(rng_values)}")
    remaining = sorted(eligible)
    chosen: list[str] = []
    for value in rng_values[:size]:
        if not 0.0 <= value < 1.0:
            raise ValueError(f"random value {value} is outside [0, 1)")
        chosen.append(remaining.pop(int(value * len(remaining))))
    return chosen


def verify_round(draw: DrawRound) -> bool:
    """An auditor's check: the recorded inputs give the recorded choice."""
    try:
        return draw_experts(draw.eligible, len(draw.chosen), draw.rng_values) == draw.chosen
    except ValueError:
        return False
