"""Who reads what of an election case, and the case lookups the election's routes share.

Owners see candidates' names and outcomes, not others' registry findings or rejection reasons,
nor who objected (个人信息保护法 Arts. 6, 28); the organisers and supervisors see everything.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from api.case_service import load_visible_case
from api.errors import NotFound
from api.read_policy import ReadPolicy
from api.schemas import CaseRead
from db.models import CaseRecord
from db.repositories import election as election_repo
from domain.access import Actor, Role
from domain.election import PROCESS_KIND
from domain.election_facts import ElectionFacts
from domain.rules import ELECTION, ElectionRules

# Shared by the election's routes: where its cases live, who organises it (starts it, keeps the registry).
PREFIX = "/cases/owners-election"
ORGANISERS = (Role.CLERK, Role.STREET_OFFICE)

# Who reads every candidate's registry findings and every objector's identity: the organisers and
# supervisors of the election. Owners see names and outcomes only (个人信息保护法 Arts. 6, 28).
OFFICIALS = (Role.CLERK, Role.STREET_OFFICE, Role.COMMUNITY, Role.HOUSING_BUREAU, Role.BUREAU_SUPERVISOR,
             Role.AUDITOR, Role.ADMIN)
CANDIDATE_PRIVATE = frozenset({"findings", "reason", "co_nominators", "nominated_by", "nominated_by_name"})
OBJECTOR_PRIVATE = frozenset({"by", "name", "organisation", "household_id"})


def public_facts(facts: ElectionFacts, actor: Actor, own_units: set[str]) -> dict[str, Any]:
    """The facts as JSON, without others' findings, rejection reasons and objectors' identities for non-officials."""
    if actor.has_any(OFFICIALS):
        return facts.model_dump(mode="json")
    # A rejection's reason is for the candidate it concerns (the owner of the nominated unit).
    candidates = {i: set(CANDIDATE_PRIVATE) for i, c in enumerate(facts.candidates) if c.household_id not in own_units}
    objections = {i: set(OBJECTOR_PRIVATE) for i, o in enumerate(facts.objections) if o.by != actor.subject}
    hidden = {name: parts for name, parts in (("candidates", candidates), ("objections", objections)) if parts}
    return facts.model_dump(mode="json", exclude=hidden)


async def own_units(session: AsyncSession, actor: Actor, record: CaseRecord) -> set[str]:
    """The units the (non-official) caller owns in the case's estate: their own candidates' reasons show."""
    if actor.has_any(OFFICIALS):
        return set()
    return set(await election_repo.owner_households(session, record.estate_id or "", actor.subject))


def filtered(case: CaseRead, actor: Actor, units: set[str]) -> CaseRead:
    """The case with its facts as ``actor`` may read them."""
    if actor.has_any(OFFICIALS) or not case.facts:  # a case not yet started has no facts to hide
        return case
    facts = ElectionFacts.model_validate(case.facts)
    return case.model_copy(update={"facts": public_facts(facts, actor, units)})


async def filtered_view(session: AsyncSession, actor: Actor, record: CaseRecord, case: CaseRead) -> CaseRead:
    """The election case as ``actor`` may see it (used by the generic case route too)."""
    return filtered(case, actor, await own_units(session, actor, record))


class ElectionReadPolicy(ReadPolicy):
    """Owners see their own candidate findings and objections, not other owners'."""

    async def view(self, session: AsyncSession, actor: Actor, record: CaseRecord, case: CaseRead) -> CaseRead:
        return await filtered_view(session, actor, record, case)


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
