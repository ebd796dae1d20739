"""Reference data lookups: estates with their place in the city, households, users."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Building, Community, Company, Estate, Household, Street, Unit, User
from domain.routing import EstatePlace


async def estate(session: AsyncSession, estate_id: str) -> Estate | None:
    return await session.get(Estate, estate_id)


async def estate_place(session: AsyncSession, *, estate_id: str) -> EstatePlace | None:
    """The estate with the names of its street, community and property company; None if unknown."""
    estate = await session.get(Estate, estate_id)
    if estate is None:
        return None
    street = await session.get(Street, estate.street_id)
    community = await session.get(Community, estate.community_id)
    company = await session.get(Company, estate.property_company_id) if estate.property_company_id else None
    return EstatePlace(
        estate_id=estate.id, estate_name=estate.name, street_id=estate.street_id,
        street_name=street.name if street else estate.street_id, community_id=estate.community_id,
        community_name=community.name if community else estate.community_id,
        company_id=estate.property_company_id, company_name=company.name if company else None,
    )


async def household(session: AsyncSession, household_id: str) -> Household | None:
    return await session.get(Household, household_id)


async def estate_summary(session: AsyncSession, estate_id: str) -> dict[str, int]:
    """Counts for an estate page: buildings, units, households."""
    buildings = await session.scalar(select(func.count()).select_from(Building).where(Building.estate_id == estate_id))
    units = await session.scalar(
        select(func.count()).select_from(Unit).join(Building, Building.id == Unit.building_id).where(Building.estate_id == estate_id)
    )
    households = await session.scalar(select(func.count()).select_from(Household).where(Household.estate_id == estate_id))
    return {"buildings": int(buildings or 0), "units": int(units or 0), "households": int(households or 0)}


async def buildings(session: AsyncSession, estate_id: str) -> list[Building]:
    return list((await session.scalars(select(Building).where(Building.estate_id == estate_id).order_by(Building.id))).all())


async def estates(session: AsyncSession) -> list[Estate]:
    """Every estate of the city, by street and name (a few hundred in a county-level city)."""
    return list((await session.scalars(select(Estate).order_by(Estate.street_id, Estate.name, Estate.id))).all())


async def units_of_estate(session: AsyncSession, estate_id: str) -> list[Unit]:
    """The units (单元) of every building of the estate."""
    stmt = select(Unit).join(Building, Building.id == Unit.building_id).where(Building.estate_id == estate_id).order_by(Unit.id)
    return list((await session.scalars(stmt)).all())


async def households_by_id(session: AsyncSession, household_ids: list[str]) -> list[Household]:
    stmt = select(Household).where(Household.id.in_(household_ids)).order_by(Household.id)
    return list((await session.scalars(stmt)).all())


async def households_of_estate(session: AsyncSession, estate_id: str, limit: int, offset: int) -> list[Household]:
    stmt = select(Household).where(Household.estate_id == estate_id).order_by(Household.id).limit(limit).offset(offset)
    return list((await session.scalars(stmt)).all())


async def owners_of_record(session: AsyncSession, estate_id: str, household_ids: list[str]) -> dict[str, str]:
    """The owner of record of each of these units that belongs to the estate."""
    stmt = select(Household.id, Household.owner_name).where(Household.estate_id == estate_id, Household.id.in_(household_ids))
    return {h: name for h, name in (await session.execute(stmt)).all()}  # noqa: C416 - rows, not pairs, to mypy


async def streets(session: AsyncSession) -> list[Street]:
    return list((await session.scalars(select(Street).order_by(Street.id))).all())


async def communities(session: AsyncSession) -> list[Community]:
    return list((await session.scalars(select(Community).order_by(Community.id))).all())


async def companies(session: AsyncSession, kind: str | None = None) -> list[Company]:
    stmt = select(Company).order_by(Company.id)
    if kind:
        stmt = stmt.where(Company.kind == kind)
    return list((await session.scalars(stmt)).all())


async def users(session: AsyncSession) -> list[User]:
    return list((await session.scalars(select(User).order_by(User.subject))).all())
