"""The people of the city year: who decides a task, how long they take, and what they decide.

Each task is decided by the user whose role it needs, in the jurisdiction the task is addressed to
(the case's street, community, estate, company or, for a ticket, its lead unit), after a delay
drawn per role: most act within a day or two, a share of each role only after the step's SLA, so
the yellow and red cards, escalations, supervision orders and the street's takeover happen. The
decision is drawn too: a few tickets are returned, extended or called back unsatisfied.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from api.auth import issue_token
from core.settings import Settings
from domain.access import Actor, Jurisdiction, Level, Role

Json = dict[str, Any]
AGENCY = "pa-qzzj"


@dataclass(frozen=True)
class Pace:
    """How a role's people take a task: usually within ``mean_hours`` (exponential), ``late_share`` of them late."""

    mean_hours: float
    late_share: float
    late_hours: tuple[float, float]

    def delay(self, rnd: random.Random) -> timedelta:
        if rnd.random() < self.late_share:
            return timedelta(hours=rnd.uniform(*self.late_hours))
        return timedelta(hours=min(rnd.expovariate(1 / self.mean_hours), 4 * self.mean_hours))


DAY = 24.0
PACES: dict[Role, Pace] = {
    Role.DISPATCHER: Pace(6, 0.03, (3 * DAY, 5 * DAY)),
    Role.DEPARTMENT: Pace(30, 0.12, (8 * DAY, 12 * DAY)),
    Role.STREET_OFFICE: Pace(20, 0.10, (4 * DAY, 8 * DAY)),
    Role.COMMUNITY: Pace(20, 0.10, (8 * DAY, 12 * DAY)),
    Role.PROPERTY_COMPANY: Pace(24, 0.10, (8 * DAY, 12 * DAY)),
    Role.PRICING_AGENCY: Pace(24, 0.10, (4 * DAY, 7 * DAY)),
    Role.HOUSING_BUREAU: Pace(16, 0.15, (3 * DAY, 6 * DAY)),
    Role.OWNER_REP: Pace(10, 0.06, (3 * DAY, 4 * DAY)),
    Role.OWNERS_COMMITTEE: Pace(10, 0.06, (3 * DAY, 4 * DAY)),
    Role.JOINT_MEETING: Pace(24, 0.0, (0, 0)),
}


class People:
    """Tokens of every user the year needs, made once per (role, jurisdiction)."""

    def __init__(self, settings: Settings, companies: dict[str, str]) -> None:
        self.settings = settings
        self.companies = companies  # estate -> property company
        self._tokens: dict[tuple[Role, str | None], str] = {}

    def token(self, role: Role, jid: str | None, subject: str | None = None) -> str:
        """A user of ``role`` in jurisdiction ``jid``; an expert is the user of that name, an owner the unit's owner."""
        key = (role, jid if subject is None else f"{jid}/{subject}")
        if key not in self._tokens:
            level = LEVELS[role]
            actor = Actor(subject=subject or f"year-{role.value}-{jid or 'city'}", name=f"年度{role.label}", roles=(role,),
                          jurisdiction=Jurisdiction(level=level, id=None if level == Level.CITY else jid),
                          organisation=f"年度{role.label}单位")
            # A year of simulated time passes in minutes of wall time: a day's token outlives the run.
            self._tokens[key] = f"Bearer {issue_token(self.settings, actor, ttl=timedelta(days=2))}"
        return self._tokens[key]

    def for_task(self, case: Json, role: Role, step: str, assignee: str | None = None) -> str:
        """The token of the user who decides ``case``'s task at ``step`` for ``role`` (the assignee, when it is personal)."""
        if role == Role.EXPERT:
            return self.token(role, None, subject=assignee)
        return self.token(role, self.jurisdiction(case, role, step))

    def owner(self, estate_id: str, household_id: str) -> str:
        """The owner of one unit: their owner key is the unit's id (one unit each, as the estates are made)."""
        return self.token(Role.OWNER, estate_id, subject=household_id)

    def jurisdiction(self, case: Json, role: Role, step: str = "") -> str | None:
        facts = case.get("facts") or {}
        if role in (Role.DEPARTMENT, Role.PROPERTY_COMPANY) and case["process"] == "ticket":
            lead, co = [facts.get("lead_unit") or {}], list(facts.get("co_handlers", []))
            units = co + lead if step == "co_handling" else lead + co
            kind = "department" if role == Role.DEPARTMENT else "company"
            ids = [u["id"] for u in units if u and u.get("kind") == kind]
            if ids:
                return str(ids[0])
        if role == Role.PROPERTY_COMPANY and case["process"] in ("tender", "handover"):
            return _civic_company(case["process"], step, facts)
        if role == Role.PROPERTY_COMPANY:
            return self.companies.get(case["estate_id"]) or facts.get("property_company_id")
        if role == Role.PRICING_AGENCY:
            return AGENCY
        if role in (Role.STREET_OFFICE, Role.CLERK):
            return str(case["street_id"])
        if role == Role.COMMUNITY:
            return str(case["community_id"])
        if role in (Role.OWNER_REP, Role.OWNERS_COMMITTEE):
            return str(case["estate_id"])
        return None


def _civic_company(process: str, step: str, facts: Json) -> str | None:
    """A tender's contract is signed by its winner; a handover's exit and remedies by the outgoing company, the rest by the incoming."""
    if process == "tender":
        return facts.get("winner")
    outgoing = step in ("exit", "remedy")
    return facts.get("outgoing_company_id" if outgoing else "incoming_company_id")


LEVELS: dict[Role, Level] = {
    Role.DISPATCHER: Level.CITY, Role.HOUSING_BUREAU: Level.CITY, Role.JOINT_MEETING: Level.CITY,
    Role.BUREAU_SUPERVISOR: Level.CITY, Role.AUDITOR: Level.CITY, Role.DEPARTMENT: Level.DEPARTMENT,
    Role.STREET_OFFICE: Level.STREET, Role.CLERK: Level.STREET, Role.COMMUNITY: Level.COMMUNITY,
    Role.PROPERTY_COMPANY: Level.COMPANY, Role.PRICING_AGENCY: Level.COMPANY,
    Role.OWNER_REP: Level.ESTATE, Role.OWNERS_COMMITTEE: Level.ESTATE, Role.EXPERT: Level.CITY, Role.OWNER: Level.ESTATE,
}

# (process, step) -> the decision most people make, with its data and comment.
USUAL: dict[tuple[str, str], tuple[str, Json, str | None]] = {
    ("ticket", "acceptance"): ("sign", {}, None),
    ("ticket", "co_handling"): ("submit", {}, "协办意见：已配合现场核查"),
    ("ticket", "handling"): ("answer", {}, "已现场处理并答复来电人"),
    ("ticket", "extension"): ("approve", {}, "同意延期"),
    ("ticket", "callback"): ("satisfied", {"reached": True}, None),
    ("ticket", "supervision"): ("close", {}, "经督办已处理到位，督办销号"),
    ("ticket", "overdue_supervision"): ("order", {}, "限期办结并书面报告"),
    ("ticket", "whistle"): ("report", {}, "已到场处置"),
    ("ticket", "whistle_street"): ("coordinate", {}, "街道已协调"),
    ("ticket", "whistle_joint_meeting"): ("coordinate", {}, "联席会议已协调"),
    ("fund-emergency", "onsite_verification"): ("confirm", {}, None),
    ("fund-emergency", "street_takeover"): ("organise", {}, "街道组织维修"),
    ("fund-emergency", "budget_submission"): ("submit", {"amount_fen": 5_000_000, "contractor": "青州建安维修工程有限公司"}, None),
    ("fund-emergency", "price_review"): ("approve", {"approved_amount_fen": 4_200_000, "reasons": "按信息价核减"}, None),
    ("fund-emergency", "bureau_review"): ("approve", {}, None),
    ("fund-emergency", "completion_acceptance"): ("confirm", {"certificate": "YS-YEAR"}, None),
    ("fund-emergency", "settlement_submission"): ("submit", {"amount_fen": 4_100_000, "acceptance_certificate": "YS-YEAR"}, None),
    ("fund-emergency", "settlement_review"): ("approve", {"approved_amount_fen": 4_000_000, "reasons": "按实结算"}, None),
}
SETTLED_FEN = 4_000_000
FIRST_PAYMENT_MAX_FEN = 4_200_000 // 2


def choose(process: str, step: str, rnd: random.Random, case: Json, allowed: list[str] | None = None) -> tuple[str, Json, str | None] | None:
    """What the user decides at ``step`` (one of ``allowed`` when given); None for a step the simulation leaves alone."""
    choice = _draw(process, step, rnd, case)
    if choice is not None and allowed is not None and choice[0] not in allowed:
        usual = USUAL.get((process, step))
        return usual if usual is not None and usual[0] in allowed else None
    return choice


def _draw(process: str, step: str, rnd: random.Random, case: Json) -> tuple[str, Json, str | None] | None:
    if (process, step) == ("ticket", "reassignment"):
        # 改派 to another unit than the one that returned it: the housing bureau, or civil affairs after it.
        lead = (case.get("facts") or {}).get("lead_unit") or {}
        other = "dept-civil" if lead.get("id") == "dept-housing" else "dept-housing"
        return "assign", {"lead_unit_id": other}, "改派"
    usual = USUAL.get((process, step))
    if usual is None:
        return None
    if process == "ticket":
        facts = case.get("facts") or {}
        if step == "acceptance" and rnd.random() < 0.04 and not facts.get("returns"):
            return "return", {}, "不属于本单位职责，退回改派"
        if step == "handling" and rnd.random() < 0.05 and not facts.get("extension_days"):
            return "extend", {"working_days": 3, "reason": "需协调多部门"}, None
        if step == "callback" and rnd.random() < 0.12:
            return "unsatisfied", {"reached": True, "remark": "问题未解决"}, "来电人不满意"
        if step == "supervision" and rnd.random() < 0.3 and len(facts.get("supervisions", [])) < 2:
            return "rehandle", {}, "责令重新办理"
    return usual

