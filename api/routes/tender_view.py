"""Who reads what of a tender (招标): sealed bids, the public notice every company reads, the committee's names.

- Before the opening nobody but the bidder itself sees a bid's company or price: not owners,
  officials, auditors, nor the experts; bidders do not learn how many bids there are (招标投标法
  Arts. 22, 28, 36). A round with too few bids is never opened, so its bids stay sealed.
- After the opening the tenderer's side (officials, the owners' committee that re-selects) and the
  drawn experts, who hold the scoring tasks, see the bids; everyone else reads the public part:
  the announcement, the published ranking, the winner, their own bid and the tasks addressed to them.
- A tender is a public announcement: every property company reads that public part of any tender,
  through every route that shows a case.
- The committee's names reach the public with the award (招标投标法 Art. 37).
"""

from __future__ import annotations

from types import MappingProxyType

from sqlalchemy.ext.asyncio import AsyncSession

from api.read_policy import ReadPolicy
from api.schemas import TimelineEntry
from db.models import CaseRecord
from domain.access import Actor, Level, Role, covers
from domain.cases import CaseSnapshot
from domain.read_access import DEFAULT_ACCESS, Access
from domain.tasks import HumanTask
from domain.tender import Step
from domain.tender_facts import TenderFacts

# Who reads a tender whole once its bids are opened: the officials who run and supervise it, the
# owners' committee re-selecting (the tenderer's representative scores), and the drawn experts
# (their access is by task: an expert not drawn reads nothing of the tender).
TENDERER_SIDE = (
    Role.CLERK, Role.STREET_OFFICE, Role.COMMUNITY, Role.HOUSING_BUREAU, Role.BUREAU_SUPERVISOR, Role.AUDITOR, Role.ADMIN,
    Role.OWNERS_COMMITTEE, Role.EXPERT,
)
# Who answers an objection to the result (the clerk, escalated to the housing bureau).
OBJECTION_ANSWERERS = (Role.CLERK, Role.HOUSING_BUREAU)
BIDS = frozenset({"bid", "bid_refused"})


def acts_on(task: HumanTask, actor: Actor) -> bool:
    """The task is addressed to the actor: assigned to them, or to one of their roles where they are."""
    if task.assignee is not None:
        return task.assignee == actor.subject
    roles = (*task.candidate_roles, *task.countersign, *task.escalation_roles)
    return actor.has_any(roles) and covers(actor.jurisdiction, task.scope)


class TenderReadPolicy(ReadPolicy):
    """Sealed bids until the opening; the tenderer's side and the committee read the rest, the public its part."""

    roles = MappingProxyType({**DEFAULT_ACCESS, Role.PROPERTY_COMPANY: Access.PUBLIC})
    objection_answerers = OBJECTION_ANSWERERS

    def tenderer_side(self, actor: Actor) -> bool:
        return actor.has_any(TENDERER_SIDE)

    async def view(self, session: AsyncSession, actor: Actor, record: CaseRecord, snap: CaseSnapshot) -> CaseSnapshot:
        if not snap.facts:  # the summary written before the workflow answered
            return snap
        facts = TenderFacts.model_validate(snap.facts)
        if self.tenderer_side(actor):
            shown = self.facts_without_objectors(actor, facts.sealed().model_dump(mode="json"))
            return snap.model_copy(update={"facts": shown})
        company = actor.jurisdiction.id if actor.jurisdiction.level == Level.COMPANY else None
        return snap.model_copy(update={
            "facts": facts.public(company, actor.subject).model_dump(mode="json"), "tasks": [t for t in snap.tasks if acts_on(t, actor)],
        })

    async def timeline(self, session: AsyncSession, actor: Actor, record: CaseRecord, entries: list[TimelineEntry]) -> list[TimelineEntry]:
        own = {e.seq for e in entries if e.actor.subject == actor.subject}
        if not self.tenderer_side(actor):
            # The public: the steps the tender went through, and what they did themselves.
            return [e for e in entries if e.kind == "step" or e.seq in own]
        opened = opened_bid_entries(entries)
        shown = [
            # A refused attempt keeps its request (the price) to itself even once the round is opened.
            e.model_copy(update={"data": {}}) if e.kind == "rejected" and e.seq not in own else e
            for e in entries if not is_bid(e) or e.seq in opened or e.seq in own
        ]
        return await super().timeline(session, actor, record, shown)

    def history_sealed(self, record: CaseRecord) -> str | None:
        facts = record.snapshot.get("facts") or {}
        if not facts:
            return None
        tender = TenderFacts.model_validate(facts)
        unopened = [r for r in tender.rounds if r.valid_bids < tender.rules.min_valid_bids and (r.valid_bids or r.refused)]
        bidding = not tender.bids_opened and bool(tender.bids or tender.refused_bids)
        if not (unopened or bidding):
            return None
        return ("the history holds bids that are sealed until their opening, or were never opened (招标投标法 Arts. 28, 36); "
                "the replay check and the timeline remain available")


def is_bid(entry: TimelineEntry) -> bool:
    return entry.decision is not None and entry.decision.code in BIDS


def opened_bid_entries(entries: list[TimelineEntry]) -> set[int]:
    """The bid entries whose round was opened: those before a 开标 step, each round's since the last one closed."""
    opened: set[int] = set()
    pending: list[int] = []
    for e in entries:
        if is_bid(e):
            pending.append(e.seq)
        elif e.kind == "step" and e.step is not None and e.step.code in (Step.BID_OPENING, Step.TENDER_FAILED):
            if e.step.code == Step.BID_OPENING:
                opened.update(pending)
            pending = []  # a failed round's bids are returned unopened (招标投标法 Art. 28)
    return opened


READ_POLICY = TenderReadPolicy()
