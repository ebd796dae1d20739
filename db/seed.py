"""The demo city: Qingzhou's 12 towns/streets and the development zone, estates, companies, users.

Run with ``python -m db.seed``; running it again changes nothing.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.logging import configure_logging
from core.settings import get_settings
from db.models import Building, Community, Company, Estate, FundAccount, Household, LedgerEntry, Street, Unit, User
from db.seed_election import seed_election
from db.seed_tender import demo_users as tender_demo_users
from db.seed_tender import seed_tender_reference
from db.seed_tickets import demo_users as ticket_demo_users
from db.seed_tickets import seed_tickets
from db.session import make_engine, make_session_factory
from domain.access import Actor, Jurisdiction, Level, Role

# From the policy's list of responsible leaders (青政办发〔2020〕26号): 12 towns/streets and the zone.
STREETS: list[tuple[str, str, str]] = [
    ("wangfu", "王府街道", "street"), ("yidu", "益都街道", "street"), ("yunmenshan", "云门山街道", "street"),
    ("huanglou", "黄楼街道", "street"), ("mihe", "弥河镇", "town"), ("wangfen", "王坟镇", "town"),
    ("miaozi", "庙子镇", "town"), ("shaozhuang", "邵庄镇", "town"), ("gaoliu", "高柳镇", "town"),
    ("heguan", "何官镇", "town"), ("dongxia", "东夏镇", "town"), ("tanfang", "谭坊镇", "town"),
    ("kaifaqu", "经济开发区", "zone"),
]

COMPANIES: list[tuple[str, str, str, str | None, bool]] = [
    ("co-yuejia", "青州悦家物业服务有限公司", "property", "A", False),
    ("co-huacheng", "山东华成物业管理有限公司", "property", "AA", False),
    ("co-anju", "青州安居物业有限公司", "property", "B", False),
    ("co-blacklisted", "潍坊速达物业有限公司", "property", "C", True),
    ("pa-qzzj", "青州正衡工程造价咨询有限公司", "pricing_agency", None, False),
    ("ct-jianan", "青州建安维修工程有限公司", "contractor", None, False),
]

DEMO_ESTATE = "yidu-jinxiu"


@dataclass(frozen=True)
class EstatePlan:
    """The shape of an estate to create: buildings × units × floors × rooms per floor."""

    id: str
    name: str
    street_id: str
    community_id: str
    property_company_id: str | None
    pricing_agency_id: str | None
    has_owners_committee: bool = True
    buildings: int = 6
    units: int = 3
    floors: int = 6
    rooms: int = 2
    balance_percent: int = 70  # balance left of the first deposit


async def create_estate(session: AsyncSession, plan: EstatePlan, at: datetime | None = None) -> list[str]:
    """Create an estate down to households with fund accounts; returns the household ids."""
    at = at or datetime.now(UTC)
    # No ORM relationships here, so insert level by level for the foreign keys.
    session.add(Estate(
        id=plan.id, name=plan.name, street_id=plan.street_id, community_id=plan.community_id,
        property_company_id=plan.property_company_id, pricing_agency_id=plan.pricing_agency_id,
        has_owners_committee=plan.has_owners_committee,
    ))
    await session.flush()
    buildings, units, homes, accounts, entries = [], [], [], [], []
    households: list[str] = []
    n = 0
    for b in range(1, plan.buildings + 1):
        bid = f"{plan.id}-b{b}"
        buildings.append(Building(id=bid, estate_id=plan.id, name=f"{b}号楼"))
        for u in range(1, plan.units + 1):
            uid = f"{bid}-u{u}"
            units.append(Unit(id=uid, building_id=bid, name=f"{u}单元"))
            for floor in range(1, plan.floors + 1):
                for room in range(1, plan.rooms + 1):
                    n += 1
                    hid = f"{uid}-{floor}0{room}"
                    # Areas between 78.00 and 143.99 m², deterministic so tests can recompute them.
                    area = Decimal(7800 + (n * 3719) % 6600) / 100
                    initial = int(area * 100) * 80  # 80 yuan per m² first deposit, in fen
                    balance = initial * plan.balance_percent // 100
                    homes.append(Household(id=hid, unit_id=uid, estate_id=plan.id, room=f"{floor}0{room}",
                                           owner_name=f"业主{plan.id[-4:]}{n:04d}", area_m2=area))
                    accounts.append(FundAccount(household_id=hid, balance_fen=balance, initial_deposit_fen=initial, updated_at=at))
                    entries.append(LedgerEntry(household_id=hid, at=at, kind="deposit", amount_fen=balance,
                                               balance_after_fen=balance, memo="opening balance"))
                    households.append(hid)
    for level in (buildings, units, homes, accounts, entries):
        session.add_all(level)
        await session.flush()
    return households


def demo_users() -> list[Actor]:
    """One user for every role, each with the jurisdiction that role has in the demo city."""
    j = Jurisdiction
    return [
        Actor(subject="clerk-yidu", name="王经办", roles=(Role.CLERK,), jurisdiction=j(level=Level.STREET, id="yidu"), organisation="益都街道物业办"),
        Actor(subject="bureau-li", name="李审核", roles=(Role.HOUSING_BUREAU,), jurisdiction=j(level=Level.CITY), organisation="青州市住房和城乡建设局"),
        Actor(subject="bureau-chief-zhao", name="赵分管", roles=(Role.BUREAU_SUPERVISOR,), jurisdiction=j(level=Level.CITY), organisation="青州市住房和城乡建设局"),
        Actor(subject="street-yidu", name="孙主任", roles=(Role.STREET_OFFICE,), jurisdiction=j(level=Level.STREET, id="yidu"), organisation="益都街道物业管理办公室"),
        Actor(subject="community-yidu-c1", name="周物管员", roles=(Role.COMMUNITY,), jurisdiction=j(level=Level.COMMUNITY, id="yidu-c1"), organisation="益都街道东关社区居委会"),
        Actor(subject="committee-jinxiu", name="吴主任", roles=(Role.OWNERS_COMMITTEE,), jurisdiction=j(level=Level.ESTATE, id=DEMO_ESTATE), organisation="锦绣华庭业主委员会"),
        Actor(subject="ownerrep-jinxiu", name="郑代表", roles=(Role.OWNER_REP,), jurisdiction=j(level=Level.ESTATE, id=DEMO_ESTATE), organisation="锦绣华庭业主"),
        Actor(subject="owner-jinxiu-0101", name="陈业主", roles=(Role.OWNER,), jurisdiction=j(level=Level.ESTATE, id=DEMO_ESTATE), organisation="锦绣华庭业主"),
        Actor(subject="company-yuejia", name="钱经理", roles=(Role.PROPERTY_COMPANY,), jurisdiction=j(level=Level.COMPANY, id="co-yuejia"), organisation="青州悦家物业服务有限公司"),
        Actor(subject="agency-zhengheng", name="冯造价师", roles=(Role.PRICING_AGENCY,), jurisdiction=j(level=Level.COMPANY, id="pa-qzzj"), organisation="青州正衡工程造价咨询有限公司"),
        Actor(subject="auditor-city", name="韩审计", roles=(Role.AUDITOR,), jurisdiction=j(level=Level.CITY), organisation="青州市审计局"),
        Actor(subject="admin", name="系统管理员", roles=(Role.ADMIN,), jurisdiction=j(level=Level.CITY), organisation="wuyeflow"),
        *ticket_demo_users(),
        *tender_demo_users(),
    ]


async def seed_demo(session: AsyncSession) -> bool:
    """Create the demo city once; returns False when it was already there."""
    if await session.scalar(select(Street.id).limit(1)) is not None:
        return False
    for sid, name, kind in STREETS:
        session.add(Street(id=sid, name=name, kind=kind))
    await session.flush()
    for sid, name, _ in STREETS:
        session.add(Community(id=f"{sid}-c1", street_id=sid, name=f"{name}第一社区"))
    session.add(Community(id="yidu-c2", street_id="yidu", name="益都街道第二社区"))
    for cid, name, kind, grade, black in COMPANIES:
        session.add(Company(id=cid, name=name, kind=kind, credit_grade=grade, blacklisted=black, business_licence=f"91370781{cid[-4:].upper()}"))
    await session.flush()
    await create_estate(session, EstatePlan(
        id=DEMO_ESTATE, name="锦绣华庭", street_id="yidu", community_id="yidu-c1",
        property_company_id="co-yuejia", pricing_agency_id="pa-qzzj",
    ))
    await create_estate(session, EstatePlan(
        id="wangfu-fuhua", name="富华小区", street_id="wangfu", community_id="wangfu-c1",
        property_company_id="co-anju", pricing_agency_id="pa-qzzj", has_owners_committee=False,
        buildings=2, units=2, floors=5, balance_percent=25,
    ))
    for actor in demo_users():
        session.add(User(subject=actor.subject, name=actor.name, roles=[r.value for r in actor.roles],
                         level=actor.jurisdiction.level.value, jurisdiction_id=actor.jurisdiction.id,
                         organisation=actor.organisation))
    await session.flush()
    await seed_tender_reference(session)
    await seed_tickets(session)
    await seed_election(session)
    return True


async def main() -> None:
    settings = get_settings()
    configure_logging(settings)
    engine = make_engine(settings)
    async with make_session_factory(engine)() as session:
        created = await seed_demo(session)
        await session.commit()
    await engine.dispose()
    import structlog

    structlog.get_logger("seed").info("demo city " + ("created" if created else "already present"))


if __name__ == "__main__":
    asyncio.run(main())
