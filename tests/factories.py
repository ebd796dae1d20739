"""Small builders for test data and callers: a fresh estate per test, everyone who acts on it, their tokens."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from api.auth import issue_token
from core.settings import Settings, get_settings
from db.seed import EstatePlan, create_estate
from db.seed_tickets import DEPARTMENTS
from domain.access import Actor, Jurisdiction, Level, Role
from domain.actor_seal import sealed
from tests.fixture_types import Sessions


def make_actor(role: Role, level: Level, jid: str | None = None, subject: str | None = None) -> Actor:
    """A user with one role and jurisdiction (a fresh subject unless one is given), sealed as the API seals it."""
    actor = Actor(
        subject=subject or f"{role.value}-{uuid.uuid4().hex[:6]}", name=f"测试{role.label}", roles=(role,),
        jurisdiction=Jurisdiction(level=level, id=jid), organisation=f"测试{role.label}单位",
    )
    return sealed(actor, get_settings().actor_seal_key, datetime.now(UTC), timedelta(hours=1))


@dataclass
class Cast:
    """Everyone who acts on one estate's cases of any process, by a short name, with their tokens.

    Besides the names in ``actors``: ``expert-…`` is that evaluation expert, and a company id
    (``co-…``) is a property-company user of that company.
    """

    settings: Settings
    estate_id: str
    households: list[str] = field(default_factory=list)
    street_id: str = "yidu"
    community_id: str = "yidu-c1"
    company_id: str = "co-yuejia"
    agency_id: str = "pa-qzzj"
    actors: dict[str, Actor] = field(default_factory=dict)

    def __post_init__(self) -> None:
        e = self.estate_id
        self.actors = {
            "clerk": make_actor(Role.CLERK, Level.STREET, self.street_id),
            "other_clerk": make_actor(Role.CLERK, Level.STREET, "wangfu"),
            "street": make_actor(Role.STREET_OFFICE, Level.STREET, self.street_id),
            "other_street": make_actor(Role.STREET_OFFICE, Level.STREET, "wangfu"),
            "community": make_actor(Role.COMMUNITY, Level.COMMUNITY, self.community_id),
            "other_community": make_actor(Role.COMMUNITY, Level.COMMUNITY, "wangfu-c1"),
            "other_bureau_role": make_actor(Role.COMMUNITY, Level.CITY),
            "owner_rep": make_actor(Role.OWNER_REP, Level.ESTATE, e),
            "committee": make_actor(Role.OWNERS_COMMITTEE, Level.ESTATE, e),
            "owner": make_actor(Role.OWNER, Level.ESTATE, e),
            "company": make_actor(Role.PROPERTY_COMPANY, Level.COMPANY, self.company_id),
            "other_company": make_actor(Role.PROPERTY_COMPANY, Level.COMPANY, "co-huacheng"),
            "agency": make_actor(Role.PRICING_AGENCY, Level.COMPANY, self.agency_id),
            "bureau": make_actor(Role.HOUSING_BUREAU, Level.CITY),
            "supervisor": make_actor(Role.BUREAU_SUPERVISOR, Level.CITY),
            "auditor": make_actor(Role.AUDITOR, Level.CITY),
            "admin": make_actor(Role.ADMIN, Level.CITY),
            "dispatcher": make_actor(Role.DISPATCHER, Level.CITY),
            "joint": make_actor(Role.JOINT_MEETING, Level.CITY),
        }
        for dept_id, _name, _duty in DEPARTMENTS:
            self.actors[dept_id] = make_actor(Role.DEPARTMENT, Level.DEPARTMENT, dept_id)

    def actor(self, who: str | Actor) -> Actor:
        """The actor a test names: one of ``actors``, an expert, a company's user, or an ``Actor`` as it is."""
        if isinstance(who, Actor):
            return who
        if who in self.actors:
            return self.actors[who]
        if who.startswith("expert-"):
            return make_actor(Role.EXPERT, Level.CITY, subject=who)
        if who.startswith("co-"):
            return make_actor(Role.PROPERTY_COMPANY, Level.COMPANY, who, subject=f"user-{who}")
        raise KeyError(f"no one called {who!r} in the cast")

    def headers(self, who: str | Actor, key: str | None = None) -> dict[str, str]:
        """The bearer token of ``who``, and an Idempotency-Key when one is given."""
        h = {"Authorization": f"Bearer {issue_token(self.settings, self.actor(who))}"}
        if key:
            h["Idempotency-Key"] = key
        return h


async def create_test_estate(
    sessions: Sessions, settings: Settings, *, committee: bool = True,
    balance_percent: int = 70, buildings: int = 2, units: int = 2, floors: int = 3, rooms: int = 2,
    street_id: str = "yidu", community_id: str = "yidu-c1",
) -> Cast:
    """A fresh estate (in 益都街道 unless told) with its own households and fund accounts."""
    estate_id = f"t-{uuid.uuid4().hex[:8]}"
    async with sessions() as session:
        households = await create_estate(session, EstatePlan(
            id=estate_id, name=f"测试小区{estate_id[-4:]}", street_id=street_id, community_id=community_id,
            property_company_id="co-yuejia", pricing_agency_id="pa-qzzj", has_owners_committee=committee,
            buildings=buildings, units=units, floors=floors, rooms=rooms, balance_percent=balance_percent,
        ))
        await session.commit()
    return Cast(settings=settings, estate_id=estate_id, households=households, street_id=street_id, community_id=community_id)
