"""Reference data: the city's streets and communities, estates down to households, companies, users."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, ForeignKey, Numeric, String, true
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base


class Street(Base):
    """镇街: a town, a street office or the development zone."""

    __tablename__ = "streets"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))  # street / town / zone


class Community(Base):
    """社区, with its residents' committee."""

    __tablename__ = "communities"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    street_id: Mapped[str] = mapped_column(ForeignKey("streets.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))


class Company(Base):
    """A property company, pricing agency or contractor, with its credit standing."""

    __tablename__ = "companies"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32), index=True)  # property / pricing_agency / contractor
    credit_grade: Mapped[str | None] = mapped_column(String(8))
    blacklisted: Mapped[bool] = mapped_column(Boolean, default=False)
    business_licence: Mapped[str | None] = mapped_column(String(64))
    # The company's contact person; the phone only masked (个人信息保护法 Art. 6: no process calls it).
    contact_name: Mapped[str | None] = mapped_column(String(100))
    contact_phone_masked: Mapped[str | None] = mapped_column(String(32))


class Estate(Base):
    """住宅小区."""

    __tablename__ = "estates"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    street_id: Mapped[str] = mapped_column(ForeignKey("streets.id"), index=True)
    community_id: Mapped[str] = mapped_column(ForeignKey("communities.id"), index=True)
    property_company_id: Mapped[str | None] = mapped_column(ForeignKey("companies.id"))
    pricing_agency_id: Mapped[str | None] = mapped_column(ForeignKey("companies.id"))
    # Without an owners' committee the residents' committee acts in its place (潍坊 Arts. 41–44).
    has_owners_committee: Mapped[bool] = mapped_column(Boolean, default=True)
    resettlement: Mapped[bool] = mapped_column(Boolean, default=False)


class Building(Base):
    __tablename__ = "buildings"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    estate_id: Mapped[str] = mapped_column(ForeignKey("estates.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))


class Unit(Base):
    __tablename__ = "units"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    building_id: Mapped[str] = mapped_column(ForeignKey("buildings.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))


class Household(Base):
    """户: one exclusive part (专有部分) with its area from the registry."""

    __tablename__ = "households"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    unit_id: Mapped[str] = mapped_column(ForeignKey("units.id"), index=True)
    estate_id: Mapped[str] = mapped_column(ForeignKey("estates.id"), index=True)
    room: Mapped[str] = mapped_column(String(32))
    owner_name: Mapped[str] = mapped_column(String(100))
    area_m2: Mapped[Decimal] = mapped_column(Numeric(10, 2))


class User(Base):
    """A person who signs in: roles and one jurisdiction, and whether their tokens are still honoured.

    The profile is empty for a subject the identity provider knows and we only deactivated.
    """

    __tablename__ = "users"
    subject: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(100))
    roles: Mapped[list[str] | None]
    level: Mapped[str | None] = mapped_column(String(16))
    jurisdiction_id: Mapped[str | None] = mapped_column(String(64))
    organisation: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    status_changed_at: Mapped[datetime | None]
    status_changed_by: Mapped[str | None] = mapped_column(String(64))
    status_reason: Mapped[str | None] = mapped_column(String(500))


class OwnerIdentity(Base):
    """Which owner a signed-in subject is: the owner key of the registry (never the ID number it was derived from).

    Bound at the counter (``PUT /users/{subject}/owner``: the bureau or the street office checks the
    owner's ID card and types its number, which is hashed with the city's key and thrown away) or at
    sign-in from the identity provider's verified ID-number claim. An unbound binding stays as a row
    with ``active`` false, so the subject reaches no imported owner's units until it is bound again.
    """

    __tablename__ = "owner_identities"
    subject: Mapped[str] = mapped_column(String(64), primary_key=True)
    owner_key: Mapped[str] = mapped_column(String(64), index=True)
    source: Mapped[str] = mapped_column(String(16))  # counter / idp
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    changed_at: Mapped[datetime]
    changed_by: Mapped[str] = mapped_column(String(64))
