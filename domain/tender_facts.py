"""招标: the state one tender keeps (rounds, refusals, the committee, the publicity) and the facts it shows.

``TenderFacts`` is the JSON the read model stores for a tender (``facts`` of the case), with the
keys clients already read (``bid_deadline``, ``ranking``, ``publicity.start`` / ``end``,
``objections``, ``winner``, ``expert_draw`` …); ``TenderPublicFacts`` is the part a bidder may
read before the award (招标投标法 Art. 37). The API reads both without importing workflow code.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field

from domain.expert_draw import CommitteePlan, DrawRound, Exclusion, ExpertProfile
from domain.objections import NoticePeriod, Objection
from domain.rules import TenderRules
from domain.tender import Bid, Method, OutgoingTerms, Ranked, Selection


class Clarification(BaseModel):
    """澄清或者修改 of the documents, and the deadline before and after it (实施条例 Art. 21)."""

    at: datetime
    text: str
    deadline_before: datetime
    deadline_after: datetime


class RefusedBid(BaseModel):
    """A company refused at registration, with the reason it was given."""

    company_id: str
    company_name: str
    reason: str
    round: int


class BidRound(BaseModel):
    """One bidding round as it closed at its deadline."""

    round: int
    deadline: datetime
    valid_bids: int
    refused: int


class DirectSelection(BaseModel):
    """直接选聘 after a failed tender, and the housing bureau's decision on it."""

    company_id: str
    company_name: str
    outcome: str | None = None
    comment: str | None = None


class Contract(BaseModel):
    """签订物业服务合同 (招标投标法 Art. 46)."""

    contract_no: str
    signed_at: datetime


class DeclinedAward(BaseModel):
    """放弃中标 (实施条例 Art. 55): who declined, when, why, and the bad credit record written for it."""

    company_id: str
    at: datetime
    reason: str
    credit_record_id: int


class MemberStatus(StrEnum):
    DRAWN = "drawn"
    RECUSED = "recused"
    SCORED = "scored"


class CommitteeMember(BaseModel):
    """A drawn expert on the committee; a recusal keeps its reason, a replacement names whom it replaces."""

    expert_id: str
    status: MemberStatus = MemberStatus.DRAWN
    replaces: str | None = None
    reason: str | None = None


class Publicity(NoticePeriod):
    """中标候选人公示 (实施条例 Art. 54): published within 3 days of the report, for ≥ 3 days."""

    report_at: datetime
    start_by: datetime
    candidates: list[str] = Field(default_factory=list)


class ExpertRef(BaseModel):
    """An expert by id; the name and employer only once the result is out (实施条例 Art. 46)."""

    expert_id: str
    name: str | None = None
    employer: str | None = None


class ExclusionFacts(Exclusion):
    name: str | None = None
    employer: str | None = None


class MemberFacts(CommitteeMember):
    name: str | None = None
    employer: str | None = None


class ExpertDrawFacts(BaseModel):
    """The draw as recorded: the pool, who was excluded and why, every round, the committee."""

    committee_plan: CommitteePlan | None = None
    expert_pool: list[ExpertRef] = Field(default_factory=list)
    exclusions: list[ExclusionFacts] = Field(default_factory=list)
    draws: list[DrawRound] = Field(default_factory=list)
    committee: list[MemberFacts] = Field(default_factory=list)
    names_released: bool = False


def expert_draw_facts(
    plan: CommitteePlan | None, pool: dict[str, ExpertProfile], exclusions: list[Exclusion], draws: list[DrawRound],
    members: list[CommitteeMember], *, released: bool,
) -> ExpertDrawFacts:
    """The draw's facts; names and employers only once ``released``."""

    def named(expert_id: str) -> ExpertRef:
        expert = pool.get(expert_id) if released else None
        return ExpertRef(expert_id=expert_id, name=expert.name if expert else None, employer=expert.employer if expert else None)

    return ExpertDrawFacts(
        committee_plan=plan,
        expert_pool=[named(e) for e in sorted(pool)],
        exclusions=[ExclusionFacts.model_validate({**x.model_dump(), **named(x.expert_id).model_dump()}) for x in exclusions],
        draws=list(draws),
        committee=[MemberFacts.model_validate({**m.model_dump(), **named(m.expert_id).model_dump()}) for m in members],
        names_released=released,
    )


class OutgoingFacts(OutgoingTerms):
    reason_label: str


class TenderAnnouncement(BaseModel):
    """The tender as it was published (招标公告): what every reader of a tender sees."""

    kind: Literal["tender"] = "tender"
    selection: Selection
    selection_label: str
    method: Method
    method_label: str
    tie_rule: str
    summary: str
    round: int
    published_at: datetime
    bid_deadline: datetime
    clarifications: list[Clarification] = Field(default_factory=list)


class TenderPublicFacts(TenderAnnouncement):
    """What any company reads of a tender before its award: no committee, only its own bid."""

    estate_name: str | None = None
    resettlement: bool | None = None
    ranking: list[Ranked] = Field(default_factory=list)
    publicity: Publicity | None = None
    winner: str | None = None
    awarded_at: datetime | None = None
    # The caller's own bid and refusal, and how many valid bids there are once they are opened
    # (None before: not even the number of bids is known to the bidders, 招标投标法 Art. 22).
    bids: list[Bid] = Field(default_factory=list)
    refused_bids: list[RefusedBid] = Field(default_factory=list)
    bid_count: int | None = None
    # The caller's own objections to the result, with their answers (实施条例 Art. 54).
    objections: list[Objection] = Field(default_factory=list)
    # The committee, once the award has released it (招标投标法 Art. 37).
    expert_draw: ExpertDrawFacts | None = None


class TenderFacts(TenderAnnouncement):
    """The facts of a tender case, as the API shows them to the tenderer's side and officials."""

    bids: list[Bid] = Field(default_factory=list)
    refused_bids: list[RefusedBid] = Field(default_factory=list)
    rounds: list[BidRound] = Field(default_factory=list)
    rules: TenderRules
    outgoing: OutgoingFacts | None = None
    estate_name: str | None = None
    resettlement: bool | None = None
    # For a resettlement estate's first company: the grade the policy encourages (shown, not enforced).
    grade_encouragement: str | None = None
    current_company_id: str | None = None
    ranking: list[Ranked] = Field(default_factory=list)
    publicity: Publicity | None = None
    objections: list[Objection] = Field(default_factory=list)
    direct_selection: DirectSelection | None = None
    winner: str | None = None
    awarded_at: datetime | None = None
    contract: Contract | None = None
    declined: list[DeclinedAward] = Field(default_factory=list)
    handover_case_id: str | None = None
    expert_draw: ExpertDrawFacts = Field(default_factory=ExpertDrawFacts)

    @property
    def released(self) -> bool:
        """The result is out: the committee's names may be read (招标投标法 Art. 37)."""
        return self.awarded_at is not None

    @property
    def bids_opened(self) -> bool:
        """The current round's bids were opened at its deadline: it closed with enough valid bids (招标投标法
        Arts. 28, 34). Until then, and for a round with too few, the bids stay sealed."""
        return any(r.round == self.round and r.valid_bids >= self.rules.min_valid_bids for r in self.rounds)

    def sealed(self) -> TenderFacts:
        """The facts with the bids left out until they are opened (招标投标法 Arts. 22, 28, 36)."""
        if self.bids_opened:
            return self
        return self.model_copy(update={"bids": [], "refused_bids": []})

    def public(self, company_id: str | None, subject: str | None = None) -> TenderPublicFacts:
        """The tender as the public reads it, with the bid of ``company_id`` (a bidder reading its own) and the
        objections ``subject`` raised."""
        return TenderPublicFacts(
            selection=self.selection, selection_label=self.selection_label, method=self.method,
            method_label=self.method_label, tie_rule=self.tie_rule, summary=self.summary, round=self.round,
            published_at=self.published_at, bid_deadline=self.bid_deadline, clarifications=self.clarifications,
            estate_name=self.estate_name, resettlement=self.resettlement, ranking=self.ranking, publicity=self.publicity,
            winner=self.winner, awarded_at=self.awarded_at,
            bids=[b for b in self.bids if company_id is not None and b.company_id == company_id],
            refused_bids=[b for b in self.refused_bids if company_id is not None and b.company_id == company_id],
            bid_count=len(self.bids) if self.bids_opened else None,
            objections=[o for o in self.objections if subject is not None and o.by == subject],
            expert_draw=self.expert_draw if self.released else None,
        )
