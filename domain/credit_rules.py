"""信用管理: the credit records of property companies, their score, grades, blacklist and periods.

Part of the rules (``domain.rules`` re-exports them). Tags: [P] statute article, [S] secondary
source, [C] our configurable default.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field


class CreditRecordType(BaseModel):
    """One kind of credit record: good or bad, its points, how long it stays in force, who records it."""

    model_config = ConfigDict(frozen=True)

    label: str
    kind: str  # good / bad
    points: int  # signed: bad records are negative
    # Who records it (its recording unit answers objections, 山东社会信用条例 Art. 39): a role code.
    recording_role: str
    # Serious dishonesty (严重失信): puts the company on the blacklist while in force, and is
    # disclosed for at most 5 years from the end of the conduct (山东社会信用条例 Art. 38 [P]).
    serious: bool = False
    # Other units take part in the facts (a ticket's co-handlers, the street's joint meeting), so an
    # objection gets 7 working days instead of 3 (Art. 39 [P]).
    joint: bool = False


def _credit_record_types() -> dict[str, CreditRecordType]:
    bad, good = "bad", "good"
    t = CreditRecordType
    return {
        # Tickets (潍坊12345条例 Arts. 24–26; points [C]): recorded by the 12345 centre that dispatches them.
        "ticket_returned": t(label="工单退回", kind=bad, points=-1, recording_role="dispatcher"),
        "ticket_overdue": t(label="工单逾期", kind=bad, points=-2, recording_role="dispatcher"),
        "ticket_unsatisfied": t(label="回访不满意", kind=bad, points=-2, recording_role="dispatcher"),
        "ticket_supervised": t(label="工单督办", kind=bad, points=-3, recording_role="dispatcher", joint=True),
        # Handover (物业管理条例 Art. 58 [P]; points [C]): the bureau orders correction after the
        # street's joint meeting, so other units are involved.
        "handover_refused": t(label="拒不移交", kind=bad, points=-10, recording_role="housing_bureau", joint=True),
        "handover_overdue": t(label="逾期未退出", kind=bad, points=-10, recording_role="housing_bureau", joint=True),
        # Tender (seed 二(一)1: credit tied to tendering; points [C]).
        "tender_award": t(label="中标", kind=good, points=2, recording_role="housing_bureau"),
        "tender_withdrawal": t(label="中标后放弃", kind=bad, points=-10, recording_role="housing_bureau"),
        # Entered by the housing bureau (seed 附件3 item 1; points [C]).
        "supervision_refused": t(label="拒不接受监督检查", kind=bad, points=-5, recording_role="housing_bureau", joint=True),
        "monthly_check_unrectified": t(label="月检查问题逾期未整改", kind=bad, points=-2, recording_role="street_office"),
        "award": t(label="表彰奖励", kind=good, points=5, recording_role="housing_bureau"),
        "commendation": t(label="通报表扬", kind=good, points=3, recording_role="housing_bureau"),
        "serious_dishonesty": t(label="严重失信行为", kind=bad, points=-20, recording_role="housing_bureau", serious=True),
    }


class CreditRules(BaseModel):
    """信用管理: the credit records, the quarterly assessment and its grades (DOMAIN.md, credit)."""

    model_config = ConfigDict(frozen=True)

    # A record stays in force for one year unless stated otherwise (山东 物业服务企业信用信息管理办法,
    # via Jinan [S]).
    record_validity: timedelta = timedelta(days=365)
    # Serious dishonesty is disclosed for at most 5 years from the end of the conduct, then leaves
    # the public view (山东社会信用条例 Art. 38 [P]).
    serious_disclosure_years: int = 5
    record_types: dict[str, CreditRecordType] = Field(default_factory=_credit_record_types)
    # Score = basic + good − bad records in force + the quarter's figures [S: Jinan's scheme; numbers C].
    # A company with no records, no checks and no tickets stands at 55 + 10 (full satisfaction) = 65, grade B (most of Jinan's
    # companies are B [S]).
    basic_score: Decimal = Decimal(55)
    # Good records count up to 40 points (烟台 2022 scheme [S]).
    good_points_cap: Decimal = Decimal(40)
    # The quarter's monthly-check average (0–100) times this (at most 10 points) [C].
    check_weight: Decimal = Decimal("0.1")
    # The quarter's ticket figures: satisfaction rate (0–1) times this, minus the overdue rate (0–1)
    # times that (seed: handling and satisfaction count in the assessment) [C].
    satisfaction_weight: Decimal = Decimal(10)
    overdue_weight: Decimal = Decimal(10)
    # Grade bands, lower bounds inclusive (山东 物业服务企业信用信息管理办法 via Jinan [S]):
    # AAA ≥ 85, AA 80–85, A 70–80, B 60–70 (or below 60 without a bad record), C below 60 with one.
    grade_aaa_from: Decimal = Decimal(85)
    grade_aa_from: Decimal = Decimal(80)
    grade_a_from: Decimal = Decimal(70)
    grade_b_from: Decimal = Decimal(60)
    # Blacklist (黑名单): a serious-dishonesty record in force, or bad records in force of at least
    # this many points together (山东社会信用条例 Art. 30 [P] names the list; the threshold is ours [C]).
    blacklist_bad_points: int = 30
    # The housing bureau reviews the draft grades within 5 working days [C].
    review_working_days: int = 5
    # An objection is answered within 3 working days, 7 when other units are involved
    # (山东社会信用条例 Art. 39 [P]); escalation to the bureau's supervisor one working day after [C].
    objection_working_days: int = 3
    objection_joint_working_days: int = 7
    # A published quarter takes objections until the next quarter is published [C: one quarter].
    objection_window: timedelta = timedelta(days=92)
    # The quarterly schedule fires on the first day of each quarter at this hour, city time [C].
    schedule_hour: int = 2


CREDIT = CreditRules()
# The local demo (`make run`): a published quarter takes objections for 15 minutes. Never in production.
CREDIT_DEMO = CREDIT.model_copy(update={"objection_window": timedelta(minutes=15)})
