"""Every number the processes use, with its source.

Tags: [P] read in the statute text (article given); [S] secondary source; [C] our configurable
default where no source was found. Cities differ and rules change: change them here, never in
workflow code. Statute texts are kept under the project's reference material.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

# 月检查 (the monthly check of property companies): its sheet and periods, re-exported here.
from domain.credit_check_rules import CREDIT_CHECK as CREDIT_CHECK
from domain.credit_check_rules import CREDIT_CHECK_DEMO as CREDIT_CHECK_DEMO
from domain.credit_check_rules import CheckItem as CheckItem
from domain.credit_check_rules import CreditCheckRules as CreditCheckRules

# 信用管理 (credit): its rules are a module of their own for their size, re-exported here.
from domain.credit_rules import CREDIT as CREDIT
from domain.credit_rules import CREDIT_DEMO as CREDIT_DEMO
from domain.credit_rules import CreditRecordType as CreditRecordType
from domain.credit_rules import CreditRules as CreditRules


class FundEmergencyRules(BaseModel):
    """维修资金应急使用: emergency use of the residential special maintenance fund.

    A case carries the rules it started under in its input, so the history shows them and a
    later change of rules never alters a running case.
    """

    model_config = ConfigDict(frozen=True)

    # Joint on-site verification: if the countersign is not complete within this time after the
    # report, the street office urges the parties with a deadline (``urge_period``) and, when it
    # passes, organises the repair itself. 聊城 Art. 51 [P] names the urging and the takeover; the
    # period is ours [C].
    verification_deadline: timedelta = timedelta(hours=48)
    # The street office's takeover task: it sets a deadline and organises the repair [C].
    street_takeover_working_days: int = 2
    # A repair that stalls after its verification (聊城 Art. 51 [P]: 未及时维修的，街道办事处…应当督促其限期完成；
    # 逾期仍未进行维修的…可以组织维修): no budget from the responsible party this long after the
    # verification → the street office urges it with a deadline [C]; the street issues the order
    # within 1 working day [C]; the deadline it sets is 3 days [C], to 24:00 of the 3rd, off a rest
    # day (民法典 Arts. 201, 203); when it passes the street office takes the repair over.
    repair_stall_after: timedelta = timedelta(hours=48)
    urge_order_working_days: int = 1
    urge_period: timedelta = timedelta(days=3)
    # Housing-bureau review within 2 working days. 滨州 Art. 43 [P].
    bureau_review_working_days: int = 2
    # Yellow reminder one working day before the review deadline; escalation to the bureau's
    # supervisor one working day after it [C].
    remind_before_working_days: int = 1
    escalate_after_working_days: int = 1
    # Pricing agency's budget and settlement reviews: not fixed by statute [C].
    price_review_working_days: int = 5
    # First payment to the contractor at most 50% of the approved budget. [S] Shenzhen/Haikou; [C].
    first_payment_max_percent: int = 50
    # Public notice of plan, settlement, acceptance and per-household apportionment ≥ 5 days.
    # 淄博 Art. 67 [P] (青岛 uses 7 [S]).
    public_notice: timedelta = timedelta(days=5)
    # Objections during the notice are answered by the owners' committee / residents' committee [C].
    objection_answer_working_days: int = 3
    # Top-up (续交) is due when an account falls below 30% of its first deposit, within 30 days.
    # 潍坊 Art. 66 [P].
    top_up_threshold_percent: int = 30
    top_up_period: timedelta = timedelta(days=30)


class FundReportRules(BaseModel):
    """The fund's approval-time report (seed 附件3 item 2: application-to-approval time cut by 50%)."""

    model_config = ConfigDict(frozen=True)

    target_reduction_percent: int = 50  # seed 附件3 item 2
    # The pre-system average from report to the bureau's approval: [C] placeholders until the bureau
    # enters the real figure (PUT /reports/fund/baseline), which then replaces them.
    baseline_working_days: Decimal = Decimal(10)
    baseline_calendar_hours: Decimal = Decimal(336)


FUND_REPORT = FundReportRules()


class OwnerVoteRules(BaseModel):
    """Owners' votes (民法典 Art. 278 [P] = 山东 Art. 24 = 潍坊 Art. 31)."""

    model_config = ConfigDict(frozen=True)

    # ≥ 2/3 of exclusive area AND of headcount take part. 民法典 Art. 278 para. 2 [P].
    quorum_numerator: int = 2
    quorum_denominator: int = 3
    # Using the fund: more than half of participating area AND headcount (民法典 Art. 278 para. 2 [P]).
    # Raising it, rebuilding, changing common areas: ≥ 3/4 of participating area AND headcount (same [P]).
    special_majority_numerator: int = 3
    special_majority_denominator: int = 4


FUND_EMERGENCY = FundEmergencyRules()

# Compressed calendar periods for the local demo only (`make run`), so a whole case can be walked
# through in minutes; working-day SLAs keep their statutory length. Never used in production.
FUND_EMERGENCY_DEMO = FUND_EMERGENCY.model_copy(
    update={"verification_deadline": timedelta(minutes=30), "public_notice": timedelta(minutes=2)}
)
OWNER_VOTE = OwnerVoteRules()


class TenderRules(BaseModel):
    """招标: the property-service tender and its evaluation committee."""

    model_config = ConfigDict(frozen=True)

    # At least 20 days from the tender documents to the bid deadline. 招标投标法 Art. 24 [P].
    min_bid_period: timedelta = timedelta(days=20)
    # A clarification later than 15 days before the deadline moves the deadline. 实施条例 Art. 21 [P].
    clarification_lead: timedelta = timedelta(days=15)
    # Fewer than 3 valid bids: no opening, re-tender. 招标投标法 Art. 28; 实施条例 Art. 44 [P];
    # direct selection needs the housing bureau's approval (物业管理条例 Art. 24; 山东 Art. 14 [P]).
    min_valid_bids: int = 3
    # Evaluation committee: at least 5 members, an odd number, experts at least 2/3.
    # 招标投标法 Art. 37 [P]. Our committee: 5 members, 1 representative of the tenderer [C].
    committee_min_size: int = 5
    committee_size: int = 5
    tenderer_representatives: int = 1
    expert_share_numerator: int = 2
    expert_share_denominator: int = 3
    # Scoring by the committee members: not fixed by statute [C]; overdue goes to the bureau.
    scoring_working_days: int = 3
    # Scores are 0..100; under the lowest-price method a bid qualifies with an average ≥ 60 [C].
    max_score: int = 100
    qualifying_score: int = 60
    # Up to 3 winning candidates. 实施条例 Art. 53 [P].
    candidates: int = 3
    # Candidates published within 3 days of the evaluation report, for at least 3 days; an
    # objection is answered within 3 days and the tender pauses until then. 实施条例 Art. 54 [P].
    publicity_start_within: timedelta = timedelta(days=3)
    publicity_period: timedelta = timedelta(days=3)
    objection_answer_period: timedelta = timedelta(days=3)
    # The contract is signed within 30 days of the award. 招标投标法 Art. 46 [P].
    contract_period: timedelta = timedelta(days=30)
    # Yellow card this long before a calendar-day deadline [C].
    remind_before: timedelta = timedelta(days=1)
    # The housing bureau decides on a direct selection [C: working days].
    direct_selection_working_days: int = 5
    # A resettlement estate's first company (前期物业): grade A and above is encouraged, shown to the
    # tender's officials on each bid, never a refusal; not for the owners' re-selection
    # (policy 青政办发〔2020〕26号 附件3 item 8(2) [seed]).
    resettlement_min_grade: str = "A"


class HandoverRules(BaseModel):
    """新旧物业衔接: the outgoing company's exit and the incoming company's inspection."""

    model_config = ConfigDict(frozen=True)

    # The owners dismiss the company: 60 days' written notice, unless the contract says otherwise
    # (民法典 Art. 946 [P]: 应当提前六十日书面通知物业服务人，但是合同对通知期限另有约定的除外).
    dismissal_notice: timedelta = timedelta(days=60)
    # The company declines to renew: it notifies the owners 90 days before the term ends, unless agreed
    # (民法典 Art. 947 para. 2 [P]). The owners' decision not to renew owes no statutory notice (Art. 947 para. 1).
    company_declines_notice: timedelta = timedelta(days=90)
    # Cases started before the ``handover-exit-reasons`` patch gave the owners' non-renewal these 90
    # days (民法典 Art. 947 read as binding the owners); kept so they count as they were recorded.
    non_renewal_notice: timedelta = timedelta(days=90)
    # Exit within the agreed period, or 30 days from the end of the contract (潍坊 Art. 50 [P]): the days after
    # the contract's last day to 24:00 of the 30th, moved off a rest day (民法典 Arts. 201, 203 [P]).
    default_exit_period: timedelta = timedelta(days=30)
    # Incoming company's checks of each item and its inspection (承接查验) [C].
    item_check_working_days: int = 5
    remedy_working_days: int = 5
    # The street convenes the joint meeting, the bureau issues a correction order [C].
    joint_meeting_working_days: int = 5
    correction_order_working_days: int = 5
    emergency_appointment_working_days: int = 3
    # A refusal or a missed exit deadline is a bad credit record (物业管理条例 Art. 58 [P]; points [C]).
    refusal_credit_points: int = -10
    # Emergency service at most 6 months (潍坊 Art. 51 [P]); a new selection must start 60 days
    # before it ends or the bureau is asked to supervise [C].
    emergency_max_months: int = 6
    tender_follow_up_lead: timedelta = timedelta(days=60)
    # Yellow card this long before a calendar-day deadline [C].
    remind_before: timedelta = timedelta(days=1)


TENDER = TenderRules()
HANDOVER = HandoverRules()


class ElectionRules(BaseModel):
    """业委会选举换届: owners' committee election and re-election.

    Calendar periods (日) are durable timers; the owners' vote itself follows ``vote`` (民法典 Art. 278).
    """

    model_config = ConfigDict(frozen=True)

    vote: OwnerVoteRules = OWNER_VOTE
    # Each elected member needs MORE than half of the participating area AND headcount.
    # 民法典 Art. 278 para. 2 [P] (过半数), = 山东 Art. 24, 潍坊 Art. 31.
    majority_numerator: int = 1
    majority_denominator: int = 2
    # First assembly is due when ≥ 50% of the area or ≥ 50% of the owners have taken delivery, or
    # 2 years after the first delivery with ≥ 25% of the owners. 山东 Art. 20 [P].
    first_assembly_area_percent: int = 50
    first_assembly_owner_percent: int = 50
    first_assembly_months: int = 24
    first_assembly_late_owner_percent: int = 25
    # The street forms the preparatory group within 60 days. 山东 Art. 21; 潍坊 Art. 30 [P].
    group_formation_period: timedelta = timedelta(days=60)
    # ≥ 7 members, an odd number, owners ≥ 1/2, led by the street's representative. 潍坊 Art. 30 [P].
    group_min_members: int = 7
    group_owner_share_numerator: int = 1
    group_owner_share_denominator: int = 2
    # The group's list is published within 10 days of its formation. 山东 Art. 21 [P].
    group_publication_period: timedelta = timedelta(days=10)
    # The group holds the first assembly within 90 days of its formation (筹备组应当自成立之日起九十日内
    # 组织召开首次业主大会会议). 山东 Art. 22 para. 3 [P]. Tracked as a date the first election's vote closes by.
    first_assembly_period: timedelta = timedelta(days=90)
    # Nomination window (社区党组织、居委会推荐, 业主自荐或联名推荐, 潍坊 Art. 35 [P]): length is ours [C].
    nomination_period: timedelta = timedelta(days=14)
    # Cap on nominations per case, to keep the workflow's history small [C].
    max_candidates: int = 60
    # The street office's qualification review [C].
    qualification_review_working_days: int = 5
    # In principle at least 3 Party members among those elected: a warning, not a block. Policy [C].
    party_members_min: int = 3
    # Candidates and meeting published ≥ 15 days before the vote. 山东 Art. 22; 潍坊 Art. 32 [P].
    candidate_notice_period: timedelta = timedelta(days=15)
    # Objections to identity or vote weight answered before the vote opens; cap per attempt [C].
    objection_answer_working_days: int = 3
    max_objections: int = 300
    # Voting window (meeting, written or electronic ballots, 潍坊 Art. 32 [P]): length is ours [C].
    voting_period: timedelta = timedelta(days=7)
    # Each owner accepts at most 3 proxies (每一业主接受的委托不得超过三人). 潍坊 Art. 32 [P].
    max_proxies_per_owner: int = 3
    # Committee of 5–11 members, an odd number. 潍坊 Art. 34 [P]; 山东 Art. 30 (≥ 5, odd).
    committee_min_seats: int = 5
    committee_max_seats: int = 11
    # Term of at most 5 years (潍坊 Art. 38 [P]: 每届任期不超过五年, the assembly's rules fix it; 山东
    # Art. 30 the same); when the group states no term we register the maximum [C].
    term_years_max: int = 5
    term_years_default: int = 5
    # First committee meeting within 7 days of the election. 山东 Art. 30 [P].
    first_meeting_period: timedelta = timedelta(days=7)
    # Filing (备案) with the housing bureau and the street within 30 days. 山东 Art. 31 [P].
    filing_period: timedelta = timedelta(days=30)
    # Filing certificate within 10 days of receiving the documents. 山东 Art. 31 [P].
    certificate_period: timedelta = timedelta(days=10)
    # A calendar-day task gets its yellow card this long before its due time, and escalates this
    # long after it [C].
    remind_before: timedelta = timedelta(days=2)
    escalate_after: timedelta = timedelta(days=3)
    # The re-election assembly is held by 90 days before the term ends (任期届满九十日前), so its vote
    # closes by then. 潍坊 Art. 40 [P]; 山东 Art. 33 the same.
    reelection_lead: timedelta = timedelta(days=90)
    # The re-election case starts early enough for that: 150 days before the term ends, 60 before the
    # statutory date [C]. The periods nobody can shorten take 36 of them (nominations 14, notice 15,
    # voting 7) and the street's review 5 working days, a week in an ordinary week: 43. That leaves
    # 17 days for the committee to convene and the street to form and publish the 换届小组, which
    # prompt organisers need. Organisers who take their full periods, or a review across 国庆节
    # (5 working days can span 15 calendar days), would miss the date: the case carries it as a task
    # from the start, with a yellow card ``statutory_remind_before`` ahead and escalation after it.
    # A longer lead would elect the new committee long before its predecessor's term ends.
    reelection_start_lead: timedelta = timedelta(days=150)
    # The dates an election must be held by (the statutory date above, and 90 days from the
    # 换届小组's formation) show a yellow card a month before: later, the notice and the vote
    # (22 days) no longer fit unless voting opens within a week [C].
    statutory_remind_before: timedelta = timedelta(days=30)
    # If the committee has not started it, the street forms a 换届小组 within 30 days, and the
    # group holds the election within 90 days of its formation. 潍坊 Art. 40 [P].
    reelection_committee_grace: timedelta = timedelta(days=30)
    reelection_group_period: timedelta = timedelta(days=30)
    reelection_election_period: timedelta = timedelta(days=90)
    # After two failed attempts organised by the street, a 物业管理委员会 chaired by the residents'
    # committee acts. 潍坊 Art. 41 (3) [P]; it hands over within 7 days of an election (Art. 44).
    failed_attempts_for_acting_body: int = 2
    # The street forms the 物业管理委员会 (潍坊 Art. 42 [P]) within 10 working days [C]; owners'
    # representatives at least half of it (业主代表不少于二分之一, Art. 43 [P]).
    acting_formation_working_days: int = 10
    acting_owner_share_numerator: int = 1
    acting_owner_share_denominator: int = 2
    acting_handover_period: timedelta = timedelta(days=7)


ELECTION = ElectionRules()

# Compressed calendar periods for the local demo only (`make run`); never used in production.
ELECTION_DEMO = ELECTION.model_copy(
    update={
        "nomination_period": timedelta(minutes=3), "candidate_notice_period": timedelta(minutes=3),
        "voting_period": timedelta(minutes=5),
    }
)


class TicketRules(BaseModel):
    """矛盾纠纷工单: dispute and complaint tickets, from intake to closure (销号)."""

    model_config = ConfigDict(frozen=True)

    # A wrongly assigned ticket is returned with a reason (潍坊12345条例 Art. 22 para. 1 [P]) within
    # 2 working days [S] (山东 hotline measures); afterwards it counts as accepted (视为签收) [C].
    return_window_working_days: int = 2
    # Finish within 5 working days of acceptance. 潍坊12345条例 Art. 20 (1) [P].
    handling_working_days: int = 5
    # Extensions add up to at most 10 working days, with a reason and the dispatcher's approval
    # [S] (山东 hotline measures; Art. 20 (3) asks for an explanation and a plan).
    max_extension_working_days: int = 10
    # Yellow card 1 working day before the deadline; red card on the first overdue day [S].
    yellow_card_before_working_days: int = 1
    # The dispatcher re-assigns a returned ticket and decides on an extension within 1 working
    # day [C]; the satisfaction call (回访, Art. 25 [P]) is made within 2 working days of the reply [C].
    dispatch_working_days: int = 1
    callback_working_days: int = 2
    # A supervision order (督办, Art. 26 [P]) is settled within 5 working days [C].
    supervision_working_days: int = 5
    # A ticket overdue (逾期未办理, Art. 26 (2) [P]) is put under supervision by the unit's supervisor,
    # who issues the order within 1 working day [C]; the unit still answers the ticket.
    supervision_order_working_days: int = 1
    # 社区吹哨、部门报到 (seed): the department reports within 24 hours [C]; otherwise the whistle
    # goes to the street office, and after as long again to the city's joint meeting [C].
    whistle_report_period: timedelta = timedelta(hours=24)
    whistle_street_period: timedelta = timedelta(hours=24)
    # Points of the bad credit records a property company gets from its tickets [C]; the credit
    # engine grades them later (山东社会信用条例; DOMAIN.md credit).
    credit_points_overdue: int = -2
    credit_points_returned: int = -1
    credit_points_unsatisfied: int = -2
    credit_points_supervised: int = -3
    # Complaints down 30% year on year (seed, 附件3 item 10: 实现投诉量同比下降30%).
    yoy_target_percent: int = -30
    # The monthly report runs on this day of the month at this hour, city time, for the month before [C].
    report_day_of_month: int = 1
    report_hour: int = 1


TICKET = TicketRules()


# Compressed calendar periods of the tender and the handover for the local demo only (`make run`);
# working-day SLAs and the months of emergency service keep their length. Never used in production.
TENDER_DEMO = TENDER.model_copy(
    update={
        "min_bid_period": timedelta(minutes=5), "clarification_lead": timedelta(minutes=3),
        "publicity_period": timedelta(minutes=2), "objection_answer_period": timedelta(minutes=10),
        "contract_period": timedelta(minutes=30), "remind_before": timedelta(minutes=1),
    }
)
HANDOVER_DEMO = HANDOVER.model_copy(
    update={
        "dismissal_notice": timedelta(minutes=3), "non_renewal_notice": timedelta(minutes=5),
        "company_declines_notice": timedelta(minutes=5),
        "default_exit_period": timedelta(minutes=5), "remind_before": timedelta(minutes=1),
    }
)


class CalendarRules(BaseModel):
    """The holiday calendar the city publishes each year (国务院办公厅关于部分节假日安排的通知)."""

    model_config = ConfigDict(frozen=True)

    # The State Council's notice for the next year has come out between late October and mid
    # November (2023-10-25, 2024-11-12, 2025-11-04) [S]. From 1 November a daily check raises a
    # task for the administrator while the next year is unpublished [C].
    check_from_month: int = 11
    check_hour: int = 9
    # Publish by the end of 30 November [C]: the longest working-day count (a ticket's 5 working
    # days plus 10 of extension and 1 to escalation) reaches into January from early December.
    publish_by_month: int = 11
    publish_by_day: int = 30


CALENDAR = CalendarRules()
