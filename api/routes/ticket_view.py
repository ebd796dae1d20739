"""Who reads a ticket (矛盾纠纷工单).

The roles that work tickets read them by jurisdiction (a company or department: those it handles),
the joint meeting those escalated to it; owners, owners' representatives and committees never,
through any route (``domain.ticket.TICKET_ACCESS``).
"""

from __future__ import annotations

from types import MappingProxyType

from api.read_policy import ReadPolicy
from domain.ticket import TICKET_ACCESS


class TicketReadPolicy(ReadPolicy):
    """Tickets for those who work them; never for owners."""

    roles = MappingProxyType(dict(TICKET_ACCESS))


READ_POLICY = TicketReadPolicy()
