"""Routing by the duty list (附件2): every seeded category goes to the unit annex 2 names."""

from __future__ import annotations

import pytest

from db.seed_tickets import DEPARTMENTS, ROUTES
from domain.access import Role
from domain.routing import (
    EstatePlace,
    Route,
    RoutingError,
    UnitKind,
    UnitRef,
    candidate_units,
    resolve_unit,
    route_by_duty_list,
)

PLACE = EstatePlace(
    estate_id="e1", estate_name="锦绣华庭", street_id="yidu", street_name="益都街道", community_id="yidu-c1",
    community_name="东关社区", company_id="co-yuejia", company_name="青州悦家物业服务有限公司",
)
DEPTS = {d: n for d, n, _ in DEPARTMENTS}

# category → (lead unit id, co-handler ids), read off annex 2 of the policy.
EXPECTED: dict[str, tuple[str, list[str]]] = {
    "utility_supply": ("dept-housing", []),
    "maintenance_fund": ("dept-housing", []),
    "illegal_construction": ("dept-enforcement", []),
    "property_fees": ("dept-reform", ["dept-market"]),
    "community_services": ("dept-civil", []),
    "public_order": ("dept-police", []),
    "parking": ("dept-police", []),
    "blocked_access": ("dept-police", []),
    "fire_safety": ("dept-emergency", []),
    "smart_property": ("dept-smart", []),
    "unlicensed_business": ("dept-market", []),
    "building_use_facade": ("dept-enforcement", ["dept-planning"]),
    "public_facilities": ("dept-planning", []),
    "pollution": ("dept-ecology", []),
    "sports_facilities": ("dept-education", []),
    "owners_assembly": ("yidu", ["yidu-c1"]),
    "committee_conduct": ("yidu-c1", []),
    "service_quality": ("co-yuejia", []),
    "property_dispute": ("yidu", ["yidu-c1"]),
}


def test_the_seeded_table_covers_exactly_the_expected_categories() -> None:
    assert sorted(r.category for r in ROUTES) == sorted(EXPECTED)
    assert all(r.basis.startswith("附件2") for r in ROUTES)


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.category)
def test_each_annex_2_category_is_routed_to_its_unit(route: Route) -> None:
    assignment = route_by_duty_list(route, PLACE, DEPTS)
    lead, co = EXPECTED[route.category]
    assert assignment.lead.id == lead
    assert [u.id for u in assignment.co_handlers] == co


def test_units_act_through_their_role_and_are_supervised() -> None:
    routes = {r.category: r for r in ROUTES}
    police = route_by_duty_list(routes["parking"], PLACE, DEPTS).lead
    assert (police.role, police.company_id, police.supervisor_role) == (Role.DEPARTMENT, "dept-police", Role.DISPATCHER)
    company = route_by_duty_list(routes["service_quality"], PLACE, DEPTS).lead
    assert (company.role, company.company_id, company.supervisor_role) == (Role.PROPERTY_COMPANY, "co-yuejia", Role.STREET_OFFICE)
    street = route_by_duty_list(routes["owners_assembly"], PLACE, DEPTS).lead
    assert (street.role, street.company_id) == (Role.STREET_OFFICE, None)


def test_an_estate_without_a_company_sends_company_tickets_to_its_street() -> None:
    place = PLACE.model_copy(update={"company_id": None, "company_name": None})
    unit = resolve_unit(UnitRef(kind=UnitKind.COMPANY), place, DEPTS)
    assert (unit.kind, unit.id) == (UnitKind.STREET, "yidu")


def test_an_unknown_department_is_a_routing_error_and_duplicates_collapse() -> None:
    with pytest.raises(RoutingError):
        resolve_unit(UnitRef(kind=UnitKind.DEPARTMENT, id="dept-nope"), PLACE, DEPTS)
    with pytest.raises(RoutingError):
        resolve_unit(UnitRef(kind=UnitKind.DEPARTMENT), PLACE, DEPTS)
    route = Route(
        category="x", label="x", lead=UnitRef(kind=UnitKind.STREET),
        co_handlers=[UnitRef(kind=UnitKind.STREET), UnitRef(kind=UnitKind.COMMUNITY), UnitRef(kind=UnitKind.COMMUNITY)],
    )
    assignment = route_by_duty_list(route, PLACE, DEPTS)
    assert [u.id for u in assignment.co_handlers] == ["yidu-c1"]


def test_candidate_units_are_the_estates_own_and_every_department() -> None:
    units = candidate_units(PLACE, DEPTS)
    assert [u.id for u in units[:3]] == ["yidu", "yidu-c1", "co-yuejia"]
    assert {u.id for u in units[3:]} == set(DEPTS)
