"""What a ticket's workflow knows about its ticket, and the views it gives: the case facts and the ledger line."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from domain.routing import EstatePlace, Route, Unit, UnitKind
from domain.rules import TicketRules
from domain.ticket import (
    CHANNEL_LABELS,
    CLOSURE_LABELS,
    Closure,
    TicketLedgerRow,
    TicketStart,
)
from domain.ticket_facts import TicketFacts, TicketProgress


class TicketState(TicketProgress):
    """The units handling the ticket and what has happened to it so far."""

    lead: Unit | None = None
    co: list[Unit] = Field(default_factory=list)
    units: list[Unit] = Field(default_factory=list)  # every unit that has been assigned, in order
    closure: Closure | None = None

    def assign(self, lead: Unit, co: list[Unit]) -> None:
        self.lead, self.co = lead, list(co)
        for unit in (lead, *co):
            if unit not in self.units:
                self.units.append(unit)

    def unit_ids(self) -> list[str]:
        """Every unit that has handled the ticket, whistled departments included."""
        ids = [u.id for u in self.units]
        return ids + [w.department_id for w in self.whistles if w.department_id not in ids]

    def organisation_ids(self) -> list[str]:
        """The departments and companies among them: their users see the ticket (api.case_service.can_see)."""
        kinds = {u.id: u.kind for u in self.units}
        return [i for i in dict.fromkeys(self.unit_ids()) if kinds.get(i, UnitKind.DEPARTMENT) in (UnitKind.DEPARTMENT, UnitKind.COMPANY)]

    def facts(self, req: TicketStart, place: EstatePlace | None, route: Route | None, rules: TicketRules) -> TicketFacts:
        """The facts shown on the case (never the caller's contact)."""
        facts = TicketFacts(
            **{name: getattr(self, name) for name in TicketProgress.model_fields},
            channel=req.channel, channel_label=CHANNEL_LABELS[req.channel], external_ref=req.external_ref,
            category=req.category, description=req.description, closure=self.closure,
            closure_label=CLOSURE_LABELS[self.closure] if self.closure else None, lead_unit=self.lead, co_handlers=self.co,
            rules=rules,
        )
        if place is not None and route is not None:
            facts.category_label, facts.routing_basis = route.label, route.basis
            facts.estate_name, facts.property_company_id = place.estate_name, place.company_id
        return facts

    def ledger_row(
        self, *, case_id: str, req: TicketStart, place: EstatePlace, route: Route, title: str, status: str, step: str,
        card: str, created_at: datetime, due_at: datetime | None, closed_at: datetime | None, version: int,
    ) -> TicketLedgerRow:
        """The ticket's line in the ledger (台账)."""
        lead = self.lead
        closure = Closure.WITHDRAWN if status == "withdrawn" else self.closure
        return TicketLedgerRow(
            id=case_id, channel=req.channel.value, external_ref=req.external_ref, category=req.category,
            category_label=route.label, title=title, estate_id=place.estate_id, street_id=place.street_id,
            community_id=place.community_id, company_id=place.company_id, lead_unit_kind=lead.kind.value if lead else None,
            lead_unit_id=lead.id if lead else None, lead_unit_name=lead.name if lead else None, unit_ids=self.unit_ids(),
            status=status, step=step, card=card, overdue=self.overdue, returned=self.returned,
            extension_days=self.extension_days, whistles=len(self.whistles), unsatisfied=self.unsatisfied,
            supervised=self.supervised, closure=closure.value if closure else None, created_at=created_at,
            accepted_at=self.accepted_at, due_at=due_at, replied_at=self.replied_at, closed_at=closed_at, version=version,
        )
