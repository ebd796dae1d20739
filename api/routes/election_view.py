"""Who reads what of an election case, and the case lookups the election's routes share.

Owners see candidates' names and outcomes, not others' registry findings or rejection reasons,
nor who objected (个人信息保护法 Arts. 6, 28); the organisers and supervisors see the findings, and
those who answer an objection (the street office, the bureau it escalates to) see who raised it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from api.case_service import load_visible_case
from api.errors import NotFound
from api.owner_identity import own_households
from api.read_policy import SUPERVISORY, ReadPolicy
from api.schemas import TimelineEntry
from db.models import CaseRecord
from domain.access import Actor, Role
from domain.cases import CaseSnapshot
from domain.election import PROCESS_KIND, Step
from domain.election_facts import ElectionFacts
from domain.rules import ELECTION, ElectionRules

# Shared by the election's routes: where its cases live, who organises it (starts it, keeps the registry).
PREFIX = "/cases/owners-election"
ORGANISERS = (Role.CLERK, Role.STREET_OFFICE)

# Who reads every candidate's registry findings and rejection reasons: the organisers and
# supervisors of the election. Owners see names and outcomes only (个人信息保护法 Arts. 6, 28).
OFFICIALS = (Role.CLERK, Role.STREET_OFFICE, Role.COMMUNITY, Role.HOUSING_BUREAU, Role.BUREAU_SUPERVISOR,
             Role.AUDITOR, Role.ADMIN)
# Who answers an objection to the candidate notice (workflows.election: the street office, escalated
# to the housing bureau): with the objector and auditors the only readers of who objected.
OBJECTION_ANSWERERS = (Role.STREET_OFFICE, Role.HOUSING_BUREAU)
CANDIDATE_PRIVATE = frozenset({"findings", "reason", "co_nominators", "nominated_by", "nominated_by_name"})
OBJECTOR_PRIVATE = frozenset({"by", "name", "organisation", "household_id"})


def public_facts(facts: ElectionFacts, actor: Actor, own_units: set[str]) -> dict[str, Any]:
    """The facts as JSON, without others' findings and rejection reasons (for non-officials) nor objectors'
    identities (for those who do not answer the objections)."""
    hidden: dict[str, Any] = {}
    if not actor.has_any(OFFICIALS):
        # A rejection's reason is for the candidate it concerns (the owner of the nominated unit).
        candidates = {i: set(CANDIDATE_PRIVATE) for i, c in enumerate(facts.candidates) if c.household_id not in own_units}
        if candidates:
            hidden["candidates"] = candidates
    if not actor.has_any((*OBJECTION_ANSWERERS, *SUPERVISORY)):
        objections = {i: set(OBJECTOR_PRIVATE) for i, o in enumerate(facts.objections) if o.by != actor.subject}
        if objections:
            hidden["objections"] = objections
    return facts.model_dump(mode="json", exclude=hidden) if hidden else facts.model_dump(mode="json")


async def own_units(session: AsyncSession, actor: Actor, record: CaseRecord) -> set[str]:
    """The units the (non-official) caller owns in the case's estate: their own candidates' reasons show."""
    if actor.has_any(OFFICIALS):
        return set()
    return set(await own_households(session, actor, record.estate_id or ""))


class ElectionReadPolicy(ReadPolicy):
    """Owners see their own candidate findings and objections, not other owners'."""

    objection_answerers = OBJECTION_ANSWERERS

    async def view(self, session: AsyncSession, actor: Actor, record: CaseRecord, snap: CaseSnapshot) -> CaseSnapshot:
        if not snap.facts:  # a case not yet started has no facts to hide
            return snap
        facts = ElectionFacts.model_validate(snap.facts)
        return snap.model_copy(update={"facts": public_facts(facts, actor, await own_units(session, actor, record))})

    async def timeline(self, session: AsyncSession, actor: Actor, record: CaseRecord, entries: list[TimelineEntry]) -> list[TimelineEntry]:
        entries = await super().timeline(session, actor, record, entries)
        if actor.has_any(OFFICIALS):
            return entries
        # The review's rejections carry each rejected candidate's reason: the facts show it to that candidate only.
        review = Step.QUALIFICATION_REVIEW.value
        return [e.model_copy(update={"data": {}, "comment": None}) if e.step is not None and e.step.code == review and e.actor.subject != actor.subject
                else e for e in entries]


READ_POLICY = ElectionReadPolicy()


def case_rules(record: CaseRecord) -> ElectionRules:
    """The rules the case runs under, as it recorded them."""
    return ElectionRules.model_validate(record.snapshot.get("facts", {}).get("rules") or ELECTION.model_dump())


async def election_case(session: AsyncSession, actor: Actor, case_id: str) -> CaseRecord:
    """The election case ``actor`` may see; 404 for another kind of case."""
    record = await load_visible_case(session, actor, case_id)
    if record.kind != PROCESS_KIND:
        raise NotFound(f"{case_id} is not an owners' committee election")
    return record
