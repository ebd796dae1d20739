"""The estate a case concerns, loaded once the same way by every process's context activity."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.exceptions import ApplicationError

from db.models import Estate
from db.repositories import reference as reference_repo
from domain.routing import EstatePlace


def unknown_estate(estate_id: str) -> ApplicationError:
    """A business "no": retrying cannot make an unknown estate known."""
    return ApplicationError(f"unknown estate {estate_id}", type="UnknownEstate", non_retryable=True)


async def known_estate(session: AsyncSession, estate_id: str) -> Estate:
    """The estate's row; a non-retryable failure when it is not in the registry."""
    estate = await reference_repo.estate(session, estate_id)
    if estate is None:
        raise unknown_estate(estate_id)
    return estate


async def known_place(session: AsyncSession, estate_id: str) -> EstatePlace:
    """The estate with the names of its street, community and company; a non-retryable failure when unknown."""
    place = await reference_repo.estate_place(session, estate_id=estate_id)
    if place is None:
        raise unknown_estate(estate_id)
    return place
