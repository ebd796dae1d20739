"""Checks of an election that need no I/O: the group, the seats, eligibility, the review, ballots."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from pydantic import BaseModel

from domain.calendar import CITY_TZ
from domain.election import (
    ActingBodyData,
    ActingRole,
    Candidate,
    CandidateStatus,
    ElectionKind,
    ElectionStart,
    GroupData,
    GroupRole,
    ReviewData,
)
from domain.rules import ELECTION, ElectionRules
from domain.tally import at_least
from domain.tasks import DecisionRefused, RefusalKind


def _invalid(detail: str, errors: list[dict[str, Any]]) -> DecisionRefused:
    return DecisionRefused(RefusalKind.INVALID, detail, errors)


def _error(loc: list[str], msg: str) -> dict[str, Any]:
    return {"loc": loc, "msg": msg, "type": "value_error"}


def first_assembly_due(start: ElectionStart, rules: ElectionRules = ELECTION) -> bool:
    """山东 Art. 20: ≥ 50% of the area or of the owners delivered, or 2 years on with ≥ 25% of the owners."""
    if start.kind != ElectionKind.FIRST:
        return True
    area, owners, months = start.delivered_area_percent or 0, start.delivered_owners_percent or 0, start.months_since_first_delivery or 0
    return (
        area >= rules.first_assembly_area_percent
        or owners >= rules.first_assembly_owner_percent
        or (months >= rules.first_assembly_months and owners >= rules.first_assembly_late_owner_percent)
    )


def seat_errors(seats: int, rules: ElectionRules = ELECTION) -> list[str]:
    """潍坊 Art. 34: a committee of 5 to 11 members, an odd number."""
    errors = []
    if not rules.committee_min_seats <= seats <= rules.committee_max_seats:
        errors.append(f"the committee has {rules.committee_min_seats} to {rules.committee_max_seats} members, not {seats}")
    if seats % 2 == 0:
        errors.append(f"the committee size must be odd, not {seats}")
    return errors


def committee_member_errors(members: list[tuple[str, str]], owners_of_record: dict[str, str]) -> list[dict[str, Any]]:
    """Each member of a committee is an owner of the estate, named by their unit (潍坊 Art. 34: 业主委员会成员
    应当为本物业服务区域的自然人业主): ``members`` as (name, unit), ``owners_of_record`` the estate's units and their owners."""
    errors: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, (name, unit) in enumerate(members):
        loc = ["body", "members", str(i)]
        if unit not in owners_of_record:
            errors.append(_error([*loc, "household_id"], f"{unit} is not a unit of this estate"))
        elif owners_of_record[unit] != name.strip():
            errors.append(_error([*loc, "name"], f"the owner of record of {unit} is not {name}"))
        if unit in seen:
            errors.append(_error([*loc, "household_id"], f"{unit} is named twice"))
        seen.add(unit)
    return errors


def check_group(data: GroupData, rules: ElectionRules = ELECTION) -> None:
    """潍坊 Art. 30: ≥ 7 members, odd, owners ≥ 1/2, led by the street's representative; plus the seats."""
    errors: list[dict[str, Any]] = []
    n = len(data.members)
    if n < rules.group_min_members:
        errors.append(_error(["data", "members"], f"the group needs at least {rules.group_min_members} members, not {n}"))
    if n % 2 == 0:
        errors.append(_error(["data", "members"], f"the group needs an odd number of members, not {n}"))
    errors += _owner_share_errors(
        [(i, m.household_id) for i, m in enumerate(data.members) if m.role == GroupRole.OWNER], len(data.members),
        (rules.group_owner_share_numerator, rules.group_owner_share_denominator),
        "owners must be at least half of the group", "an owner member names their unit",
    )
    leaders = [m for m in data.members if m.leader]
    if len(leaders) != 1 or leaders[0].role != GroupRole.STREET_REP:
        errors.append(_error(["data", "members"], "exactly one leader, the street office's representative"))
    for msg in seat_errors(data.seats, rules):
        errors.append(_error(["data", "seats"], msg))
    if data.term_years is not None and data.term_years > rules.term_years_max:
        errors.append(_error(["data", "term_years"], f"a term is at most {rules.term_years_max} years"))
    if errors:
        raise _invalid("the preparatory group is not valid", errors)


def _owner_share_errors(
    owners: list[tuple[int, str | None]], n: int, share: tuple[int, int], short: str, unnamed: str,
) -> list[dict[str, Any]]:
    """Owners (their place among the ``n`` members, the unit they name) at least ``share`` of the body, each naming a unit."""
    errors: list[dict[str, Any]] = []
    if not at_least(len(owners), n, *share):
        errors.append(_error(["data", "members"], f"{short}: {len(owners)} of {n}"))
    errors += [_error(["data", "members", str(i), "household_id"], unnamed) for i, unit in owners if not unit]
    return errors


def check_acting_body(data: ActingBodyData, rules: ElectionRules = ELECTION) -> None:
    """潍坊 Art. 43: owners' representatives at least half; the residents' committee's representative chairs, an
    owners' representative is vice-chair; each owners' representative names their unit."""
    errors: list[dict[str, Any]] = []
    errors += _owner_share_errors(
        [(i, m.household_id) for i, m in enumerate(data.members) if m.role == ActingRole.OWNER], len(data.members),
        (rules.acting_owner_share_numerator, rules.acting_owner_share_denominator),
        "owners' representatives must be at least half", "an owners' representative names their unit",
    )
    chairs = [m for m in data.members if m.chair]
    if len(chairs) != 1 or chairs[0].role != ActingRole.RESIDENTS_COMMITTEE:
        errors.append(_error(["data", "members"], "exactly one chair, the residents' committee's representative"))
    vices = [m for m in data.members if m.vice_chair]
    if len(vices) != 1 or vices[0].role != ActingRole.OWNER or vices[0].chair:
        errors.append(_error(["data", "members"], "exactly one vice-chair, an owners' representative"))
    if errors:
        raise _invalid("the 物业管理委员会 is not valid", errors)


class CandidateFacts(BaseModel):
    """What the data layer knows about a nominee (潍坊 Arts. 34, 36; arrears [C])."""

    candidate_id: str
    in_estate: bool
    registered_owner: str | None = None
    natural_person: bool = True
    # An institutional owner's authorised natural person and the authorisation's reference (潍坊 Art. 34).
    representative_name: str | None = None
    authorisation_ref: str | None = None
    fee_arrears_fen: int = 0
    top_up_overdue: bool = False


def eligibility_findings(candidate: Candidate, facts: CandidateFacts) -> list[str]:
    """Reasons, in words the candidate reads, why a nominee cannot stand; empty when eligible.

    潍坊 Art. 34 para. 3: members are natural-person owners or the natural person an institutional
    owner (单位业主) authorises. Such a nominee is named as the authorisation names them, and the
    institution's name in the register is not theirs.
    """
    if not facts.in_estate:
        return ["该房屋不在本小区业主名册中"]
    reasons = []
    if facts.natural_person:
        if facts.registered_owner != candidate.name:
            reasons.append(f"登记业主为“{facts.registered_owner}”，与被推荐人姓名不符")
    elif facts.representative_name is None or facts.authorisation_ref is None:
        reasons.append("非自然人业主，须由单位业主授权的自然人代表参选，未登记授权")
    elif facts.representative_name != candidate.name:
        reasons.append(f"单位业主授权代表为“{facts.representative_name}”，与被推荐人姓名不符")
    if facts.fee_arrears_fen > 0:
        reasons.append(f"欠缴物业费 {facts.fee_arrears_fen / 100:.2f} 元")
    if facts.top_up_overdue:
        reasons.append("专项维修资金未按期续交")
    return reasons


def qualified_after(candidates: list[Candidate], data: ReviewData) -> list[Candidate]:
    """The candidates that stand once the review's rejections apply."""
    rejected = {r.candidate_id for r in data.rejections}
    return [c for c in candidates if c.status != CandidateStatus.REJECTED and c.id not in rejected]


def check_review(candidates: list[Candidate], data: ReviewData, seats: int, rules: ElectionRules = ELECTION) -> None:
    """Every rejection names a pending candidate; a failed check is rejected; enough stand; Party warning acknowledged."""
    by_id = {c.id: c for c in candidates}
    errors: list[dict[str, Any]] = []
    for i, r in enumerate(data.rejections):
        c = by_id.get(r.candidate_id)
        if c is None or c.status != CandidateStatus.NOMINATED:
            errors.append(_error(["data", "rejections", str(i), "candidate_id"], f"{r.candidate_id} is not awaiting review"))
    rejected = {r.candidate_id for r in data.rejections}
    for c in candidates:
        if c.status == CandidateStatus.NOMINATED and c.findings and c.id not in rejected:
            errors.append(_error(["data", "rejections"], f"{c.id} {c.name} fails the eligibility check: {'；'.join(c.findings)}"))
    if errors:
        raise _invalid("the qualification review is not valid", errors)
    standing = qualified_after(candidates, data)
    if len(standing) < seats:
        raise _invalid(
            f"{len(standing)} qualified candidate(s) for {seats} seats: return the list for more nominations",
            [_error(["data", "rejections"], "too few candidates stand")],
        )
    party = sum(1 for c in standing if c.party_member)
    if party < rules.party_members_min and not (data.party_member_justification or "").strip():
        raise _invalid(
            f"only {party} Party member(s) stand; the policy asks for at least {rules.party_members_min} among those "
            "elected in principle: give party_member_justification",
            [_error(["data", "party_member_justification"], "a written justification is required")],
        )


def reelection_vote_by(term_end: datetime, rules: ElectionRules = ELECTION) -> datetime:
    """潍坊 Art. 40 (任期届满九十日前): the re-election's vote closes by 90 days before the term ends.

    The term ends at 24:00 city time of its last day (民法典 Art. 203 para. 2; a term end at 00:00
    is 24:00 of the day before); counted back 90 whole days, the vote closes by 24:00 of the day
    90 days before that last day. Counted backwards, the date is not moved off a rest day: a later
    date would leave fewer than the 90 days the article keeps.
    """
    last_day = (term_end.astimezone(CITY_TZ) - timedelta(microseconds=1)).date()
    day = last_day - timedelta(days=rules.reelection_lead.days)
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=CITY_TZ).astimezone(UTC)


def reelection_starts_at(term_end: datetime, rules: ElectionRules = ELECTION) -> datetime:
    """When the term's timer starts the re-election case: ``reelection_start_lead`` before the term ends."""
    return term_end - rules.reelection_start_lead


def term_end(start: datetime, years: int) -> datetime:
    """The end of a term of ``years`` years from ``start`` (29 February ends on the 28th)."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)


