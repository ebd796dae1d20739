"""候选人名单: an election's nominees from nomination through the street's qualification review.

Who nominates through which channel (潍坊 Art. 35 [P]), one standing nomination per unit, the
list's size limit, and the review's outcome; no I/O, so the workflow's update validators and its
process share one set of rules.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from domain.access import Actor, Role, Scope, covers
from domain.election import (
    Candidate,
    CandidateStatus,
    NominationChannel,
    NominationData,
    ReviewData,
)
from domain.election_facts import LabelledCandidate
from domain.rules import ElectionRules
from domain.tally import CandidateEntry
from domain.tasks import DecisionRefused, RefusalKind

# 潍坊 Art. 35 [P]: the community's Party organisation and residents' committee, or owners themselves.
NOMINATORS: dict[Role, set[NominationChannel]] = {
    Role.COMMUNITY: {NominationChannel.PARTY_ORG, NominationChannel.RESIDENTS_COMMITTEE},
    Role.OWNER: {NominationChannel.SELF, NominationChannel.JOINT},
}


def nominating_roles(actor: Actor, channel: NominationChannel) -> list[Role]:
    """The actor's roles that may nominate through ``channel``."""
    return [r for r in actor.roles if r in NOMINATORS and channel in NOMINATORS[r]]


class CandidateList(BaseModel):
    """The nominees in nomination order, and whether the nomination window is open."""

    candidates: list[Candidate] = Field(default_factory=list)
    open: bool = False

    def check_nomination(self, data: NominationData, actor: Actor, scope: Scope, rules: ElectionRules) -> None:
        """Refuse a nomination outside the window, by the wrong role or place, over the limit, or of a unit twice."""
        if not self.open:
            raise DecisionRefused(RefusalKind.CONFLICT, "nominations are taken only while the nomination window is open")
        if not nominating_roles(actor, data.channel):
            raise DecisionRefused(RefusalKind.FORBIDDEN, f"your role cannot nominate through '{data.channel.value}'")
        if not covers(actor.jurisdiction, scope):
            raise DecisionRefused(RefusalKind.FORBIDDEN, "the election is outside your jurisdiction")
        if len(self.candidates) >= rules.max_candidates:
            raise DecisionRefused(RefusalKind.CONFLICT, f"the list is full ({rules.max_candidates} nominations)")
        if any(c.household_id == data.household_id and c.status != CandidateStatus.REJECTED for c in self.candidates):
            raise DecisionRefused(RefusalKind.CONFLICT, f"the owner of {data.household_id} is already nominated")

    def nominate(self, data: NominationData, actor: Actor) -> tuple[Candidate, Role]:
        """Add a checked nomination; returns the candidate and the role the actor nominated in."""
        n = len(self.candidates) + 1
        candidate = Candidate(
            id=f"c{n}", order=n, household_id=data.household_id, name=data.name, party_member=data.party_member,
            channel=data.channel, co_nominators=list(data.co_nominators), statement=data.statement,
            nominated_by=actor.subject, nominated_by_name=actor.name,
        )
        self.candidates.append(candidate)
        return candidate, nominating_roles(actor, data.channel)[0]

    def pending(self) -> list[Candidate]:
        """The nominees awaiting review."""
        return [c for c in self.candidates if c.status == CandidateStatus.NOMINATED]

    def apply_review(self, review: ReviewData) -> None:
        """The rejected nominees get their reasons; the other pending ones qualify."""
        reasons = {r.candidate_id: r.reason for r in review.rejections}
        for c in self.candidates:
            if c.id in reasons:
                c.status, c.reason = CandidateStatus.REJECTED, reasons[c.id]
            elif c.status == CandidateStatus.NOMINATED:
                c.status = CandidateStatus.QUALIFIED

    def standing(self) -> list[Candidate]:
        """The qualified candidates, in nomination order."""
        return [c for c in self.candidates if c.status == CandidateStatus.QUALIFIED]

    def ballot(self) -> list[CandidateEntry]:
        """The ballot's entries: the standing candidates."""
        return [CandidateEntry(id=c.id, name=c.name, party_member=c.party_member, order=c.order) for c in self.standing()]

    def by_id(self) -> dict[str, Candidate]:
        return {c.id: c for c in self.candidates}

    def labelled(self) -> list[LabelledCandidate]:
        return [LabelledCandidate.of(c) for c in self.candidates]
