"""Who reads a ticket (矛盾纠纷工单) and a caller's contact.

The roles that work tickets read them by jurisdiction (a company or department: those it handles),
the joint meeting those escalated to it; owners, owners' representatives and committees never,
through any route (``domain.ticket.TICKET_ACCESS``, the same table the ledger filters on). The
caller's contact is for the hotline centre and the lead unit that calls back, never for a
property company: a company leads only complaints about its own service (潍坊12345条例 Art. 7;
个人信息保护法 Art. 6).
"""

from __future__ import annotations

from types import MappingProxyType

from api.read_policy import ReadPolicy
from db.models import Ticket
from domain.access import Actor, Level, Role
from domain.ticket import TICKET_ACCESS


class TicketReadPolicy(ReadPolicy):
    """Tickets for those who work them; never for owners."""

    roles = MappingProxyType(dict(TICKET_ACCESS))


READ_POLICY = TicketReadPolicy()


def may_read_contact(actor: Actor, t: Ticket) -> bool:
    """The hotline centre, and the lead unit that must call the caller back, unless it is the company complained about."""
    if actor.has_any([Role.DISPATCHER]) and actor.jurisdiction.level == Level.CITY:
        return True
    j = actor.jurisdiction
    match t.lead_unit_kind:
        case "department":
            return actor.has_any([Role.DEPARTMENT]) and j.level == Level.DEPARTMENT and j.id == t.lead_unit_id
        case "street":
            return actor.has_any([Role.STREET_OFFICE]) and j.level == Level.STREET and j.id == t.street_id
        case "community":
            return actor.has_any([Role.COMMUNITY]) and j.level == Level.COMMUNITY and j.id == t.community_id
    # "company": the duty list routes to the estate's own company only what is about its service
    # (service_quality …): the contact of whoever complained about it is never shown to it.
    return False
