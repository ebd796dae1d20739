"""Routing by the duty list (职责清单, annex 2 of the policy): which unit handles a ticket.

The routing table itself is data (seeded from annex 2, edited by an administrator); this module
only decides with it. 潍坊12345条例 Art. 24 [P]: the county dispatches by the towns' and streets'
duty lists and must not push a department's duty onto a street; Art. 22 para. 3 [P]: a ticket
that concerns several units has a lead unit (主办) and co-handlers (协办).
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from domain.access import Role


class UnitKind(StrEnum):
    """The kinds of unit a ticket can be routed to."""

    DEPARTMENT = "department"
    STREET = "street"
    COMMUNITY = "community"
    COMPANY = "company"


UNIT_KIND_LABELS: dict[str, str] = {
    UnitKind.DEPARTMENT: "职能部门",
    UnitKind.STREET: "镇街",
    UnitKind.COMMUNITY: "社区",
    UnitKind.COMPANY: "物业服务企业",
}

# Whose users act for a unit of each kind.
HANDLER_ROLE: dict[UnitKind, Role] = {
    UnitKind.DEPARTMENT: Role.DEPARTMENT,
    UnitKind.STREET: Role.STREET_OFFICE,
    UnitKind.COMMUNITY: Role.COMMUNITY,
    UnitKind.COMPANY: Role.PROPERTY_COMPANY,
}

# Who issues a supervision order (督办) to a unit of each kind. Streets supervise the property
# projects and communities in their area (annex 2, 一.1); the hotline centre supervises departments
# and streets (潍坊12345条例 Art. 26 [P]: 市12345热线工作机构负责热线事项日常督办).
SUPERVISOR_ROLE: dict[UnitKind, Role] = {
    UnitKind.DEPARTMENT: Role.DISPATCHER,
    UnitKind.STREET: Role.DISPATCHER,
    UnitKind.COMMUNITY: Role.STREET_OFFICE,
    UnitKind.COMPANY: Role.STREET_OFFICE,
}


class UnitRef(BaseModel):
    """A unit named in the routing table: a department by id; a street, community or company by kind.

    Streets, communities and property companies are resolved from the ticket's estate, so one
    row of the table serves every estate.
    """

    model_config = ConfigDict(frozen=True)

    kind: UnitKind
    id: str | None = Field(default=None, max_length=64, description="department id; empty for the estate's own unit")


class Unit(BaseModel):
    """A concrete unit that handles a ticket."""

    model_config = ConfigDict(frozen=True)

    kind: UnitKind
    id: str
    name: str

    @property
    def role(self) -> Role:
        return HANDLER_ROLE[self.kind]

    @property
    def supervisor_role(self) -> Role:
        return SUPERVISOR_ROLE[self.kind]

    @property
    def company_id(self) -> str | None:
        """The organisation id a task for this unit is addressed to (departments and companies)."""
        return self.id if self.kind in (UnitKind.DEPARTMENT, UnitKind.COMPANY) else None


class Route(BaseModel):
    """One row of the routing table: a category, its lead unit and co-handlers, and the annex-2 basis."""

    model_config = ConfigDict(frozen=True)

    category: str = Field(min_length=1, max_length=48, pattern=r"^[a-z][a-z0-9_]*$")
    label: str = Field(min_length=1, max_length=100)
    lead: UnitRef
    co_handlers: list[UnitRef] = Field(default_factory=list, max_length=5)
    basis: str = Field(default="", max_length=500)


class EstatePlace(BaseModel):
    """Where the ticket's estate sits: its street, community and property company, with names."""

    estate_id: str
    estate_name: str
    street_id: str
    street_name: str
    community_id: str
    community_name: str
    company_id: str | None = None
    company_name: str | None = None


class Assignment(BaseModel):
    """Who handles a ticket: one lead unit and its co-handlers."""

    lead: Unit
    co_handlers: list[Unit] = Field(default_factory=list)

    def units(self) -> list[Unit]:
        return [self.lead, *self.co_handlers]


class RoutingError(ValueError):
    """The routing table names a unit that does not exist."""


def resolve_unit(ref: UnitRef, place: EstatePlace, departments: dict[str, str]) -> Unit:
    """The concrete unit a routing-table entry means for this estate.

    An estate without a property company sends the company's tickets to its street office, which
    mediates property complaints in its area (annex 2, 一.1: 调解、处理辖区内物业信访投诉).
    """
    match ref.kind:
        case UnitKind.DEPARTMENT:
            if ref.id is None or ref.id not in departments:
                raise RoutingError(f"unknown department {ref.id!r}")
            return Unit(kind=UnitKind.DEPARTMENT, id=ref.id, name=departments[ref.id])
        case UnitKind.STREET:
            return Unit(kind=UnitKind.STREET, id=place.street_id, name=place.street_name)
        case UnitKind.COMMUNITY:
            return Unit(kind=UnitKind.COMMUNITY, id=place.community_id, name=place.community_name)
        case UnitKind.COMPANY:
            if place.company_id is None:
                return Unit(kind=UnitKind.STREET, id=place.street_id, name=place.street_name)
            return Unit(kind=UnitKind.COMPANY, id=place.company_id, name=place.company_name or place.company_id)
    raise RoutingError(f"unknown unit kind {ref.kind!r}")


def route_by_duty_list(route: Route, place: EstatePlace, departments: dict[str, str]) -> Assignment:
    """The lead unit and co-handlers for a ticket of ``route.category`` in this estate (Art. 24)."""
    lead = resolve_unit(route.lead, place, departments)
    co: list[Unit] = []
    for ref in route.co_handlers:
        unit = resolve_unit(ref, place, departments)
        if unit != lead and unit not in co:
            co.append(unit)
    return Assignment(lead=lead, co_handlers=co)


def candidate_units(place: EstatePlace, departments: dict[str, str]) -> list[Unit]:
    """Every unit the dispatcher may assign this estate's ticket to: all departments and the estate's own units."""
    own = [
        Unit(kind=UnitKind.STREET, id=place.street_id, name=place.street_name),
        Unit(kind=UnitKind.COMMUNITY, id=place.community_id, name=place.community_name),
    ]
    if place.company_id is not None:
        own.append(Unit(kind=UnitKind.COMPANY, id=place.company_id, name=place.company_name or place.company_id))
    return own + [Unit(kind=UnitKind.DEPARTMENT, id=d, name=n) for d, n in sorted(departments.items())]
