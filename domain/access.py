"""Who acts: roles, jurisdictions and the rule that a jurisdiction covers a case's scope."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Role(StrEnum):
    """A user's role; the Chinese label is what a clerk sees."""

    CLERK = "clerk"
    HOUSING_BUREAU = "housing_bureau"
    BUREAU_SUPERVISOR = "bureau_supervisor"
    STREET_OFFICE = "street_office"
    COMMUNITY = "community"
    OWNERS_COMMITTEE = "owners_committee"
    OWNER_REP = "owner_rep"
    OWNER = "owner"
    PROPERTY_COMPANY = "property_company"
    PRICING_AGENCY = "pricing_agency"
    EXPERT = "expert"
    AUDITOR = "auditor"
    ADMIN = "admin"
    # 矛盾纠纷工单: the 12345 hotline centre dispatches and calls back (潍坊12345条例 Arts. 24–26),
    # city departments handle what annex 2 of the policy assigns them, and the city's
    # property-management joint meeting (联席会议, annex 1) takes escalated whistles.
    DISPATCHER = "dispatcher"
    DEPARTMENT = "department"
    JOINT_MEETING = "joint_meeting"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS: dict[Role, str] = {
    Role.CLERK: "经办人",
    Role.HOUSING_BUREAU: "住建局",
    Role.BUREAU_SUPERVISOR: "住建局分管领导",
    Role.STREET_OFFICE: "镇街物业办",
    Role.COMMUNITY: "社区居委会",
    Role.OWNERS_COMMITTEE: "业主委员会",
    Role.OWNER_REP: "业主代表",
    Role.OWNER: "业主",
    Role.PROPERTY_COMPANY: "物业服务企业",
    Role.PRICING_AGENCY: "审价机构",
    Role.EXPERT: "评标专家",
    Role.AUDITOR: "审计",
    Role.ADMIN: "系统管理员",
    Role.DISPATCHER: "12345热线派单员",
    Role.DEPARTMENT: "职能部门",
    Role.JOINT_MEETING: "市物业管理联席会议",
}


class Level(StrEnum):
    """How far a user's jurisdiction reaches."""

    CITY = "city"
    STREET = "street"
    COMMUNITY = "community"
    ESTATE = "estate"
    COMPANY = "company"
    DEPARTMENT = "department"


LEVEL_LABELS: dict[Level, str] = {
    Level.CITY: "全市",
    Level.STREET: "镇街",
    Level.COMMUNITY: "社区",
    Level.ESTATE: "小区",
    Level.COMPANY: "企业",
    Level.DEPARTMENT: "部门",
}


class Jurisdiction(BaseModel):
    """City-wide, or one street, community, estate or company (``id`` names which)."""

    model_config = ConfigDict(frozen=True)

    level: Level
    id: str | None = None


class Scope(BaseModel):
    """Where a case or task sits: the estate's place in the city, and the company it concerns."""

    model_config = ConfigDict(frozen=True)

    street_id: str | None = None
    community_id: str | None = None
    estate_id: str | None = None
    # The organisation a task is addressed to: a company (property company, pricing agency,
    # bidder) or a city department; users of that company or department cover it.
    company_id: str | None = None

    def with_company(self, company_id: str | None) -> Scope:
        return self.model_copy(update={"company_id": company_id})


def covers(jurisdiction: Jurisdiction, scope: Scope) -> bool:
    """A city-wide user covers everything; others only their own street, community, estate or company."""
    match jurisdiction.level:
        case Level.CITY:
            return True
        case Level.STREET:
            return jurisdiction.id is not None and jurisdiction.id == scope.street_id
        case Level.COMMUNITY:
            return jurisdiction.id is not None and jurisdiction.id == scope.community_id
        case Level.ESTATE:
            return jurisdiction.id is not None and jurisdiction.id == scope.estate_id
        case Level.COMPANY | Level.DEPARTMENT:
            return jurisdiction.id is not None and jurisdiction.id == scope.company_id
    return False


class Actor(BaseModel):
    """The authenticated person behind a call; set from the token, never from a request body."""

    model_config = ConfigDict(frozen=True)

    subject: str
    name: str
    roles: tuple[Role, ...] = Field(min_length=1)
    jurisdiction: Jurisdiction
    organisation: str | None = None
    # ``<expiry, unix seconds>.<HMAC>`` set by the API (domain/actor_seal.py); the worker refuses an
    # update or a start whose actor carries none or a wrong one.
    seal: str | None = None

    def has_any(self, roles: tuple[Role, ...] | list[Role] | frozenset[Role]) -> bool:
        return any(r in roles for r in self.roles)


SYSTEM_ACTOR = Actor(
    subject="system",
    name="系统",
    roles=(Role.ADMIN,),
    jurisdiction=Jurisdiction(level=Level.CITY),
    organisation="wuyeflow",
)
