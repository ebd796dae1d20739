"""What the people of the city year decide in elections, tenders, handovers and credit assessments.

Most decisions depend on the case: the preparatory group names owners of the estate, the first
meeting chooses an elected member as chair, an expert scores exactly the tender's valid bids, a
failed tender is re-tendered with a new deadline. A few are drawn: an expert recuses, the incoming
company disputes a handover item.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

Json = dict[str, Any]
Choice = tuple[str, Json, str | None]
CIVIC = ("owners-election", "tender", "handover", "credit-assessment")
RECUSE_SHARE = 0.02
DISPUTE_SHARE = 0.03
RETENDER_DAYS = 25  # a re-tender's bid deadline, at least the statutory 20 days away

# (process, step) -> the decision, when it needs nothing from the case.
PLAIN: dict[tuple[str, str], Choice] = {
    ("owners-election", "group_publication"): ("confirm", {"notice": "小区公告栏书面公告"}, None),
    ("owners-election", "qualification_review"): ("approve", {"rejections": []}, None),
    ("owners-election", "objection"): ("answer", {}, "已核对不动产登记簿，无误"),
    ("owners-election", "party_member_acknowledgement"): ("confirm", {}, "党员比例已作说明"),
    ("owners-election", "filing"): ("submit", {"documents": ["业主大会决议", "议事规则", "管理规约", "成员名单"]}, None),
    ("owners-election", "handover"): ("confirm", {}, "已移交"),
    ("owners-election", "reelection_convene"): ("confirm", {}, None),
    ("tender", "objection"): ("answer", {}, "经核实，异议不成立"),
    ("tender", "pool_shortfall"): ("redraw", {}, "已补充专家"),
    ("tender", "direct_selection"): ("approve", {}, None),
    ("handover", "exit"): ("confirm", {}, None),
    ("handover", "remedy"): ("submit", {"action": "已补交"}, None),
    ("handover", "inspection"): ("submit", {"defects": []}, None),
    ("handover", "joint_meeting"): ("convene", {"minutes": "联席会议已协调交接"}, None),
    ("handover", "correction_order"): ("submit", {"order_no": "青住建责改〔年度〕1号"}, None),
    ("credit-assessment", "bureau_review"): ("approve", {}, None),
    ("credit-assessment", "objection_answer"): ("answer", {}, "经核实维持记录"),
}


def group_members(estate_id: str) -> list[Json]:
    """A valid preparatory group: the street's representative leads, owners of the estate's first four units sit."""
    units = [f"{estate_id}-b1-u1-{floor}0{room}" for floor in (1, 2) for room in (1, 2)]
    members: list[Json] = [{"name": "街道代表", "role": "street_rep", "leader": True}]
    members += [{"name": f"业主代表{i}", "role": "owner", "household_id": h} for i, h in enumerate(units)]
    return [*members, {"name": "社区党组织代表", "role": "party_org"}, {"name": "居委会代表", "role": "residents_committee"}]


def civic_choice(process: str, step: str, rnd: random.Random, case: Json, task: Json, now: datetime) -> Choice | None:
    """The decision at ``step`` of a civic case; None for a step the simulation leaves alone."""
    facts = case.get("facts") or {}
    if (process, step) in PLAIN:
        return PLAIN[(process, step)]
    if process == "owners-election":
        if step == "group_formation":
            return "submit", {"members": group_members(case["estate_id"]), "seats": 5}, None
        if step == "first_meeting":
            chair = (facts.get("elected") or [{}])[0].get("name", "")
            return "submit", {"held_on": now.date().isoformat(), "chair": chair}, None
        if step == "certificate":
            return "approve", {"certificate_no": f"QZ-YWH-{case['estate_id']}"}, None
        return None
    if process == "tender":
        return _tender(step, rnd, facts, task, now)
    if process == "handover" and step == "item_check":
        if rnd.random() < DISPUTE_SHARE:
            return "dispute", {}, "移交资料缺页"
        return "confirm", {}, None
    return None


def _tender(step: str, rnd: random.Random, facts: Json, task: Json, now: datetime) -> Choice | None:
    if step == "evaluation":
        if task.get("assignee") and rnd.random() < RECUSE_SHARE:
            return "recuse", {}, "与投标人存在利害关系，申请回避"
        bidders = sorted(b["company_id"] for b in facts.get("bids") or [])
        return "submit", {"scores": {c: rnd.randint(62, 95) for c in bidders}}, None
    if step == "tender_failed":
        return "retender", {"bid_deadline": (now + timedelta(days=RETENDER_DAYS)).isoformat()}, "重新招标"
    if step == "contract":
        return "confirm", {"contract_no": f"QZWY-{facts.get('estate_id', 'YEAR')}"}, None
    return None
