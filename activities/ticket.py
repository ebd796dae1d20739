"""Activities of the ticket process: the estate's place and route, the ledger, credit records."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.estates import known_place
from db.repositories import credit as credit_repo
from db.repositories import ticket as ticket_repo
from db.repositories import ticket_routing as routing_repo
from db.session import transaction
from domain.credit import CreditEntry
from domain.routing import Assignment, EstatePlace, Route, RoutingError, Unit, candidate_units, route_by_duty_list
from domain.ticket import TicketLedgerRow


class TicketContextRequest(BaseModel):
    estate_id: str
    category: str


class TicketContext(BaseModel):
    """Where the ticket sits, the routing-table row it ran under, who handles it and who else could."""

    place: EstatePlace
    route: Route
    assignment: Assignment
    units: list[Unit]


class CreditRequest(BaseModel):
    """A bad record for a property company, from one event of one ticket (the key makes it once)."""

    case_id: str
    event: str  # e.g. overdue:t3, unsatisfied:1
    company_id: str
    source: str
    points: int
    reason: str

    @property
    def key(self) -> str:
        return f"{self.case_id}:{self.event}"


class TicketActivities:
    """Built once by the worker with the session factory."""

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = session_factory

    @activity.defn(name="ticket_context")
    async def load_context(self, request: TicketContextRequest) -> TicketContext:
        """The estate's street, community and company, and the duty-list route for the category."""
        async with self._sessions() as session:
            place = await known_place(session, request.estate_id)
            route = await routing_repo.route_for(session, request.category)
            if route is None:
                raise ApplicationError(f"no route for category {request.category}", type="UnknownCategory", non_retryable=True)
            departments = await routing_repo.departments(session)
        try:
            assignment = route_by_duty_list(route, place, departments)
        except RoutingError as exc:
            raise ApplicationError(str(exc), type="RoutingError", non_retryable=True) from None
        return TicketContext(place=place, route=route, assignment=assignment, units=candidate_units(place, departments))

    @activity.defn(name="ticket_save_ledger")
    async def save_ledger(self, row: TicketLedgerRow) -> None:
        """Write the ticket's ledger line (台账)."""
        async with transaction(self._sessions) as session:
            await ticket_repo.save_ledger_row(session, row)

    @activity.defn(name="ticket_credit_record")
    async def write_credit(self, request: CreditRequest) -> None:
        """A bad credit record for the company; a retried activity writes it once."""
        async with transaction(self._sessions) as session:
            await credit_repo.record_credit(session, CreditEntry(
                key=request.key, company_id=request.company_id, type=request.source, points=request.points,
                case_id=request.case_id, reason=request.reason, at=datetime.now(UTC),
            ))
