"""The routing table (duty list) and the departments: read for routing, edited by administrators."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.errors import integrity_as
from db.models import Department, RoutingRule
from domain.routing import Route, UnitRef


def to_route(rule: RoutingRule) -> Route:
    return Route(
        category=rule.category, label=rule.label, lead=UnitRef(kind=rule.lead_kind, id=rule.lead_unit_id),
        co_handlers=[UnitRef.model_validate(c) for c in rule.co_handlers], basis=rule.basis,
    )


async def route_for(session: AsyncSession, category: str) -> Route | None:
    rule = await session.get(RoutingRule, category)
    return to_route(rule) if rule is not None else None


async def routes(session: AsyncSession) -> list[Route]:
    return [to_route(r) for r in (await session.scalars(select(RoutingRule).order_by(RoutingRule.category))).all()]


async def save_route(session: AsyncSession, route: Route, *, by: str, at: datetime) -> None:
    """Create or replace one row of the routing table."""
    values = {
        "label": route.label, "lead_kind": route.lead.kind.value, "lead_unit_id": route.lead.id,
        "co_handlers": [c.model_dump(mode="json") for c in route.co_handlers], "basis": route.basis, "updated_at": at, "updated_by": by,
    }
    current = await session.get(RoutingRule, route.category)
    if current is None:
        session.add(RoutingRule(category=route.category, **values))
    else:
        for key, value in values.items():
            setattr(current, key, value)
    with integrity_as(exists=f"the route for {route.category} was created meanwhile; send it again"):
        await session.flush()


async def delete_route(session: AsyncSession, category: str) -> bool:
    result = await session.execute(delete(RoutingRule).where(RoutingRule.category == category))
    return bool(getattr(result, "rowcount", 0))


async def departments(session: AsyncSession) -> dict[str, str]:
    """Department id → name."""
    rows = (await session.scalars(select(Department).order_by(Department.id))).all()
    return {d.id: d.name for d in rows}


async def department_rows(session: AsyncSession) -> list[Department]:
    return list((await session.scalars(select(Department).order_by(Department.id))).all())


async def save_department(session: AsyncSession, *, id: str, name: str, duty: str) -> None:
    current = await session.get(Department, id)
    if current is None:
        session.add(Department(id=id, name=name, duty=duty))
    else:
        current.name, current.duty = name, duty
    with integrity_as(exists=f"department {id} was created meanwhile"):
        await session.flush()
