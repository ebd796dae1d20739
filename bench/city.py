"""The benchmark city: extra estates in the seeded demo city, and the people who act on them."""

from __future__ import annotations

from dataclasses import dataclass

from api.auth import issue_token
from core.settings import Settings
from db.seed import EstatePlan, create_estate
from db.session import make_engine, make_session_factory
from domain.access import Actor, Jurisdiction, Level, Role

STREET, COMMUNITY, COMPANY, AGENCY = "yidu", "yidu-c1", "co-yuejia", "pa-qzzj"
BUILDINGS = 6


def settings_for(database_url: str, jwt_secret: str, actor_seal_key: str) -> Settings:
    """Settings of the processes under test, as the bench process needs them (database, token secret)."""
    return Settings.model_validate({"DATABASE_URL": database_url, "jwt_secret": jwt_secret, "actor_seal_key": actor_seal_key})


async def create_estates(settings: Settings, count: int) -> list[str]:
    """``count`` estates of the demo estate's size (6 buildings × 3 units × 6 floors × 2 rooms)."""
    engine = make_engine(settings)
    ids = [f"bench-e{i:03d}" for i in range(count)]
    try:
        async with make_session_factory(engine)() as session:
            for estate_id in ids:
                await create_estate(session, EstatePlan(
                    id=estate_id, name=f"基准小区{estate_id[-3:]}", street_id=STREET, community_id=COMMUNITY,
                    property_company_id=COMPANY, pricing_agency_id=AGENCY, buildings=BUILDINGS,
                ))
            await session.commit()
    finally:
        await engine.dispose()
    return ids


def actor(subject: str, role: Role, level: Level, jid: str | None) -> Actor:
    return Actor(subject=subject, name=f"基准{role.label}", roles=(role,), jurisdiction=Jurisdiction(level=level, id=jid),
                 organisation=f"基准{role.label}单位")


@dataclass
class Cast:
    """Bearer headers for everyone who acts on one estate's fund cases."""

    tokens: dict[str, str]

    @classmethod
    def for_estate(cls, settings: Settings, estate_id: str) -> Cast:
        people = {
            "clerk": actor("bench-clerk", Role.CLERK, Level.STREET, STREET),
            "owner_rep": actor(f"bench-rep-{estate_id}", Role.OWNER_REP, Level.ESTATE, estate_id),
            "committee": actor(f"bench-committee-{estate_id}", Role.OWNERS_COMMITTEE, Level.ESTATE, estate_id),
            "company": actor("bench-company", Role.PROPERTY_COMPANY, Level.COMPANY, COMPANY),
            "agency": actor("bench-agency", Role.PRICING_AGENCY, Level.COMPANY, AGENCY),
            "bureau": actor("bench-bureau", Role.HOUSING_BUREAU, Level.CITY, None),
        }
        return cls({who: f"Bearer {issue_token(settings, actor)}" for who, actor in people.items()})
