"""Demo reference data for tenders: more property companies, the expert pool with its conflicts, their users."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Company, Expert, ExpertRelationship
from domain.access import Actor, Jurisdiction, Level, Role

# (id, name, credit grade, blacklisted, business licence); grades are data until the credit engine computes them.
TENDER_COMPANIES: list[tuple[str, str, str | None, bool, str | None]] = [
    ("co-lvyuan", "青州绿苑物业服务有限公司", "AAA", False, "91370781LVYN"),
    ("co-xinda", "潍坊信达物业管理有限公司", "A", False, "91370700XNDA"),
    ("co-hengtai", "青州恒泰物业有限公司", "B", False, "91370781HGTI"),
    ("co-unregistered", "青州某某物业（未登记）", "A", False, None),
]

# (id, name, employer, employer company on record, specialty)
EXPERTS: list[tuple[str, str, str, str | None, str]] = [
    ("expert-001", "张建国", "山东华成物业管理有限公司", "co-huacheng", "物业管理"),
    ("expert-002", "李秀兰", "潍坊学院", None, "物业管理"),
    ("expert-003", "王志强", "青州市建筑设计院", None, "房屋建筑"),
    ("expert-004", "刘海燕", "潍坊职业学院", None, "物业管理"),
    ("expert-005", "陈立新", "青州悦家物业服务有限公司", "co-yuejia", "设施设备"),
    ("expert-006", "杨明", "山东正信会计师事务所", None, "财务"),
    ("expert-007", "赵红梅", "青州市电梯检验所", None, "电梯设备"),
    ("expert-008", "孙国华", "潍坊城建集团", None, "给排水"),
    ("expert-009", "周文", "山东安泰律师事务所", None, "法律"),
    ("expert-010", "吴敏", "青州市消防技术服务中心", None, "消防"),
    ("expert-011", "郑涛", "潍坊物业管理协会", None, "物业管理"),
    ("expert-012", "冯丽", "青州市供电公司", None, "供配电"),
]

# (expert, company, relation): recorded relationships that make a conflict of interest.
RELATIONSHIPS: list[tuple[str, str, str]] = [
    ("expert-003", "co-anju", "近三年曾任该公司技术顾问"),
    ("expert-008", "co-lvyuan", "配偶在该公司任项目经理"),
]


async def seed_tender_reference(session: AsyncSession) -> None:
    """Companies for a three-bid tender, the expert pool and its relationships."""
    for cid, name, grade, black, licence in TENDER_COMPANIES:
        session.add(Company(id=cid, name=name, kind="property", credit_grade=grade, blacklisted=black, business_licence=licence))
    await session.flush()
    for eid, name, employer, employer_company, specialty in EXPERTS:
        session.add(Expert(id=eid, name=name, employer=employer, employer_company_id=employer_company, specialty=specialty, active=True))
    await session.flush()
    for eid, cid, relation in RELATIONSHIPS:
        session.add(ExpertRelationship(expert_id=eid, company_id=cid, relation=relation))
    await session.flush()


def demo_users() -> list[Actor]:
    """A user per expert (city-wide, subject = the expert id, so scoring tasks can be assigned) and per bidder."""
    experts = [
        Actor(subject=eid, name=name, roles=(Role.EXPERT,), jurisdiction=Jurisdiction(level=Level.CITY), organisation=employer)
        for eid, name, employer, _, _ in EXPERTS
    ]
    bidders = [
        Actor(subject=f"company-{cid[3:]}", name=f"{name[:2]}投标经办", roles=(Role.PROPERTY_COMPANY,),
              jurisdiction=Jurisdiction(level=Level.COMPANY, id=cid), organisation=name)
        for cid, name in (("co-huacheng", "山东华成物业管理有限公司"), ("co-blacklisted", "潍坊速达物业有限公司"),
                          *((c, n) for c, n, _, _, _ in TENDER_COMPANIES[:2]))
    ]
    return experts + bidders
