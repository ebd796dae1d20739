"""Who reads what of a fund-emergency case (维修资金应急使用): households' balances, objectors' names.

The case shows which households fell short of their share or below the top-up threshold: those
are ledger facts, for whoever reads the estate's ledgers (``domain.read_access``) and, of their
own units, the owners. An objection's author is for the committee that answers it (the
residents' committee where none), the street office it escalates to, and auditors.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from api.owner_identity import own_households
from api.read_policy import ReadPolicy, case_scope
from db.models import CaseRecord
from db.repositories import reference as reference_repo
from domain.access import Actor, Role
from domain.cases import CaseSnapshot
from domain.read_access import reads_estate_ledgers, reads_unit_ledger

# workflows.fund_emergency: the committee answers (the residents' committee where there is none), the street office is escalated to.
OBJECTION_ANSWERERS = (Role.OWNERS_COMMITTEE, Role.COMMUNITY, Role.STREET_OFFICE)
LEDGER_FACTS = ("shortfalls", "top_ups_due")


class FundReadPolicy(ReadPolicy):
    """Balances of households for ledger readers and their owners; objectors for those who answer them."""

    objection_answerers = OBJECTION_ANSWERERS

    async def view(self, session: AsyncSession, actor: Actor, record: CaseRecord, snap: CaseSnapshot) -> CaseSnapshot:
        snap = await super().view(session, actor, record, snap)
        facts = snap.facts
        if not any(facts.get(k) for k in LEDGER_FACTS):
            return snap
        estate = await reference_repo.estate(session, record.estate_id or "")
        scope, committee = case_scope(record), estate is None or estate.has_owners_committee
        if reads_estate_ledgers(actor, scope, has_owners_committee=committee):
            return snap
        own = set(await own_households(session, actor, record.estate_id or "")) if Role.OWNER in actor.roles else set()

        def mine(household_id: str) -> bool:
            return reads_unit_ledger(actor, scope, household_id, own, has_owners_committee=committee)

        shown = {
            **facts,
            "shortfalls": [s for s in facts.get("shortfalls", []) if mine(s["household_id"])],
            "top_ups_due": [h for h in facts.get("top_ups_due", []) if mine(h)],
        }
        return snap.model_copy(update={"facts": shown})


READ_POLICY = FundReadPolicy()
