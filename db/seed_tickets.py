"""The ticket process's reference data: city departments and the routing table from annex 2.

附件2 of the policy (青州市物业管理工作职责清单) lists each unit's duties; every route below cites the
clause it comes from. An administrator edits the table through the API afterwards.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from db.repositories import ticket_routing as routing_repo
from domain.access import Actor, Jurisdiction, Level, Role
from domain.routing import Route, UnitKind, UnitRef

# 附件2 二 (部门管理职责): the departments that handle property-management matters.
DEPARTMENTS: list[tuple[str, str, str]] = [
    ("dept-housing", "住建局", "物业管理、维修资金、信用管理；供水供气供暖单位的监督管理及投诉处理（二.1）"),
    ("dept-enforcement", "行政执法局", "违法行为投诉登记，对小区私搭乱建等违法行为作出处理（二.2）"),
    ("dept-reform", "发改局", "住宅物业服务收费管理；供电“一户一表”改造（二.3）"),
    ("dept-civil", "民政局", "物业管理纳入社区治理体系；社区公共服务配套（二.4）"),
    ("dept-police", "公安局", "治安防范、停车管理，查处堵门、堵路、占用消防通道（二.5）"),
    ("dept-emergency", "应急管理局", "住宅小区消防安全、消防设施的监督检查（二.6）"),
    ("dept-smart", "智慧青州建设中心", "“智慧物业”相关工作（二.7）"),
    ("dept-finance", "财政局", "住宅小区改造资金补贴政策（二.8）"),
    ("dept-market", "市场监管局", "无照经营查处；物业服务收费的监督检查（二.9）"),
    ("dept-planning", "规划设计勘测服务中心", "公共配套设施规划审批及竣工验收；配合查处改变房屋用途、外立面（二.10）"),
    ("dept-ecology", "生态环境局", "监督、查处住宅小区环境污染行为（二.11）"),
    ("dept-education", "教育和体育局", "指导住宅小区体育设施建设（二.12）"),
]


def _dept(dept_id: str) -> UnitRef:
    return UnitRef(kind=UnitKind.DEPARTMENT, id=dept_id)


STREET, COMMUNITY, COMPANY = UnitRef(kind=UnitKind.STREET), UnitRef(kind=UnitKind.COMMUNITY), UnitRef(kind=UnitKind.COMPANY)

# The duty list as a routing table: category → lead unit (+ co-handlers), with its annex-2 clause.
ROUTES: list[Route] = [
    Route(category="utility_supply", label="供水供气供暖", lead=_dept("dept-housing"), basis="附件2 二.1: 供水供气供暖单位的监督管理及投诉处理"),
    Route(category="maintenance_fund", label="维修资金使用", lead=_dept("dept-housing"), basis="附件2 二.1: 统筹住宅专项维修资金管理"),
    Route(category="illegal_construction", label="私搭乱建", lead=_dept("dept-enforcement"), basis="附件2 二.2: 对小区私搭乱建等违法行为作出处理"),
    Route(category="property_fees", label="物业服务收费", lead=_dept("dept-reform"), co_handlers=[_dept("dept-market")],
          basis="附件2 二.3: 住宅物业服务收费管理; 二.9: 物业管理服务收费项目的监督检查"),
    Route(category="community_services", label="社区公共服务配套", lead=_dept("dept-civil"), basis="附件2 二.4: 住宅小区改造社区公共服务配套"),
    Route(category="public_order", label="小区治安", lead=_dept("dept-police"), basis="附件2 二.5: 负责小区治安管理"),
    Route(category="parking", label="停车管理", lead=_dept("dept-police"), basis="附件2 二.5: 指导监督物业管理区域停车管理"),
    Route(category="blocked_access", label="堵门堵路、占用消防通道", lead=_dept("dept-police"),
          basis="附件2 二.5: 小区堵门、堵路、占用消防通道等行为的监督查处"),
    Route(category="fire_safety", label="消防安全", lead=_dept("dept-emergency"), basis="附件2 二.6: 住宅小区消防安全、消防设施监督检查"),
    Route(category="smart_property", label="智慧物业", lead=_dept("dept-smart"), basis="附件2 二.7: “智慧物业”相关工作"),
    Route(category="unlicensed_business", label="无照经营", lead=_dept("dept-market"), basis="附件2 二.9: 查处小区内无照经营行为"),
    Route(category="building_use_facade", label="改变房屋用途、擅改外立面", lead=_dept("dept-enforcement"),
          co_handlers=[_dept("dept-planning")], basis="附件2 二.10: 配合城管执法部门查处改变房屋用途、擅自改变建筑物外立面"),
    Route(category="public_facilities", label="物业用房、车库、绿化等配套设施", lead=_dept("dept-planning"),
          basis="附件2 二.10: 物业管理用房、车库（位）、绿化等公共配套设施的规划审批及竣工验收"),
    Route(category="pollution", label="环境污染", lead=_dept("dept-ecology"), basis="附件2 二.11: 监督、查处住宅小区环境污染行为"),
    Route(category="sports_facilities", label="体育设施", lead=_dept("dept-education"), basis="附件2 二.12: 指导住宅小区体育设施建设"),
    Route(category="owners_assembly", label="业主大会、业委会选举换届", lead=STREET, co_handlers=[COMMUNITY],
          basis="附件2 一.1: 组织业主大会成立和业委会换届; 一.2: 社区组织首届选举和换届改选"),
    Route(category="committee_conduct", label="业委会履职", lead=COMMUNITY, basis="附件2 一.2: 指导、监督业主大会、业主委员会依法开展自治管理"),
    Route(category="service_quality", label="物业服务质量", lead=COMPANY,
          basis="附件2 一.2: 监督企业按合同履约; 一.1: 镇街对属地物业服务项目监督检查和考评"),
    Route(category="property_dispute", label="其他物业矛盾纠纷", lead=STREET, co_handlers=[COMMUNITY],
          basis="附件2 一.1、一.2: 调解、处理辖区内物业信访投诉"),
]


def demo_users() -> list[Actor]:
    """The ticket process's demo users: the hotline centre, two departments and the joint meeting."""
    j = Jurisdiction
    return [
        Actor(subject="dispatcher-12345", name="刘派单", roles=(Role.DISPATCHER,), jurisdiction=j(level=Level.CITY), organisation="青州市12345服务群众热线中心"),
        Actor(subject="dept-enforcement-ma", name="马执法", roles=(Role.DEPARTMENT,), jurisdiction=j(level=Level.DEPARTMENT, id="dept-enforcement"), organisation="青州市行政执法局"),
        Actor(subject="dept-police-niu", name="牛警官", roles=(Role.DEPARTMENT,), jurisdiction=j(level=Level.DEPARTMENT, id="dept-police"), organisation="青州市公安局"),
        Actor(subject="joint-meeting", name="联席会议办公室", roles=(Role.JOINT_MEETING,), jurisdiction=j(level=Level.CITY), organisation="青州市物业管理工作联席会议"),
    ]


async def seed_tickets(session: AsyncSession) -> None:
    """Departments and the routing table; rows already present (perhaps edited by an administrator) are kept."""
    now = datetime.now(UTC)
    present = await routing_repo.departments(session)
    for dept_id, name, duty in DEPARTMENTS:
        if dept_id not in present:
            await routing_repo.save_department(session, id=dept_id, name=name, duty=duty)
    for route in ROUTES:
        if await routing_repo.route_for(session, route.category) is None:
            await routing_repo.save_route(session, route, by="seed", at=now)
