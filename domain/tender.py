"""招标: the property-service tender's steps, inputs and rules that need no I/O."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime, BaseModel, Field, model_validator

from domain.calendar import CITY_TZ, counts_in_days, last_day, period_end
from domain.rules import TENDER, TenderRules
from domain.tasks import DecisionRefused, RefusalKind

PROCESS_KIND = "tender"
PROCESS_LABEL = "物业服务招标"


class Selection(StrEnum):
    """Who tenders: the developer for the first company (前期物业), or the owners re-selecting."""

    FIRST = "first"
    RESELECTION = "reselection"


SELECTION_LABELS = {Selection.FIRST: "建设单位选聘前期物业", Selection.RESELECTION: "业主委员会重新选聘"}


class Method(StrEnum):
    """The evaluation method stated in the tender documents."""

    COMPREHENSIVE = "comprehensive"
    LOWEST_PRICE = "lowest_price"


METHOD_LABELS = {Method.COMPREHENSIVE: "综合评估法", Method.LOWEST_PRICE: "经评审的最低投标价法"}


class ExitReason(StrEnum):
    """Why the outgoing company leaves: it decides who owes which notice (民法典 Arts. 946–947)."""

    # The owners decide to dismiss the company: 60 days' written notice unless the contract says otherwise (Art. 946).
    DISMISSAL = "dismissal"
    # The owners decide not to renew at the term's end: no statutory notice beyond the contract (Art. 947).
    NON_RENEWAL = "non_renewal"
    # The company declines to renew: its 90 days' written notice before the term ends, unless agreed (Art. 947).
    COMPANY_DECLINES = "company_declines"


EXIT_REASON_LABELS = {
    ExitReason.DISMISSAL: "业主共同决定解聘", ExitReason.NON_RENEWAL: "业主决定合同期满不再续聘",
    ExitReason.COMPANY_DECLINES: "物业服务人不同意续聘",
}


class Step(StrEnum):
    BIDDING = "bidding"
    BID_OPENING = "bid_opening"
    TENDER_FAILED = "tender_failed"
    DIRECT_SELECTION = "direct_selection"
    EXPERT_DRAW = "expert_draw"
    POOL_SHORTFALL = "pool_shortfall"
    EVALUATION = "evaluation"
    PUBLICITY = "publicity"
    OBJECTION = "objection"
    AWARD = "award"
    CONTRACT = "contract"
    HANDOVER = "handover"
    CLOSED = "closed"


STEP_LABELS: dict[str, str] = {
    Step.BIDDING: "招标公告及投标",
    Step.BID_OPENING: "开标",
    Step.TENDER_FAILED: "招标失败",
    Step.DIRECT_SELECTION: "直接选聘审批",
    Step.EXPERT_DRAW: "抽取评标专家",
    Step.POOL_SHORTFALL: "专家库不足",
    Step.EVALUATION: "评标",
    Step.PUBLICITY: "中标候选人公示",
    Step.OBJECTION: "异议答复",
    Step.AWARD: "确定中标人",
    Step.CONTRACT: "签订物业服务合同",
    Step.HANDOVER: "新旧物业交接",
    Step.CLOSED: "结案",
}

# Decisions of this process beyond the shared ones, with the labels a clerk sees.
RETENDER = "retender"
DIRECT_SELECT = "direct_select"
RECUSE = "recuse"
REDRAW = "redraw"
# 放弃中标 (实施条例 Art. 55): the winner declines instead of signing; a bad credit record follows.
DECLINE_AWARD = "decline_award"
DECISION_LABELS = {RETENDER: "重新招标", DIRECT_SELECT: "申请直接选聘", RECUSE: "回避", REDRAW: "重新抽取", DECLINE_AWARD: "放弃中标"}


class OutgoingTerms(BaseModel):
    """For a re-selection: why the current company leaves and any agreed exit period."""

    reason: ExitReason = Field(examples=[ExitReason.DISMISSAL])
    agreed_exit_days: int | None = Field(default=None, ge=1, le=365, description="agreed exit period; 30 days if none")
    agreed_notice_days: int | None = Field(
        default=None, ge=1, le=365,
        description="the contract's own notice period for a dismissal (60 days if none) or the company's declining (90 if none)",
    )
    contract_ends_on: date | None = Field(
        default=None, description="the last day of the contract's term, when it runs out (non-renewal by either side)",
    )

    @model_validator(mode="after")
    def _terms_match_reason(self) -> OutgoingTerms:
        if self.contract_ends_on is not None and self.reason == ExitReason.DISMISSAL:
            raise ValueError("contract_ends_on: a dismissal ends the contract when its notice has run, not at the term's end")
        if self.agreed_notice_days is not None and self.reason == ExitReason.NON_RENEWAL:
            raise ValueError("agreed_notice_days: the owners' decision not to renew owes no notice beyond the contract (民法典 Art. 947)")
        return self


class TenderStart(BaseModel):
    """What a clerk publishes to start a tender (招标公告)."""

    estate_id: str = Field(min_length=1, max_length=64, examples=["yidu-jinxiu"])
    selection: Selection = Field(examples=[Selection.RESELECTION])
    summary: str = Field(min_length=5, max_length=4000, examples=["锦绣华庭物业服务招标：服务期三年，住宅物业费不高于1.2元/㎡·月"])
    bid_deadline: AwareDatetime = Field(description="at least 20 days after publication", examples=["2027-01-10T09:00:00+08:00"])
    method: Method = Field(examples=[Method.COMPREHENSIVE])
    outgoing: OutgoingTerms | None = Field(default=None, description="required for a re-selection")

    @model_validator(mode="after")
    def _outgoing_matches_selection(self) -> TenderStart:
        if self.selection == Selection.RESELECTION and self.outgoing is None:
            raise ValueError("a re-selection needs 'outgoing': why the current company leaves")
        if self.selection == Selection.FIRST and self.outgoing is not None:
            raise ValueError("a first tender has no outgoing company")
        return self


class BidData(BaseModel):
    """A bid: the monthly fee offered and the service plan in brief."""

    price_fen_per_m2: int = Field(gt=0, le=100_000, description="monthly fee in fen per m²", examples=[120])
    plan: str = Field(min_length=1, max_length=4000, examples=["24小时秩序维护，电梯维保外包给具备资质单位"])


class ScoreData(BaseModel):
    """One committee member's scores, one per valid bidder (company id → score)."""

    scores: dict[str, int] = Field(min_length=1)


class RetenderData(BaseModel):
    """重新招标: the new bid deadline."""

    bid_deadline: AwareDatetime


class DirectSelectData(BaseModel):
    """直接选聘: the company proposed, for the housing bureau's approval."""

    company_id: str = Field(min_length=1, max_length=64)


class ContractData(BaseModel):
    """签订物业服务合同: the contract's number."""

    contract_no: str = Field(min_length=1, max_length=100)


class Bid(BaseModel):
    """A registered bid as the process keeps it."""

    company_id: str
    company_name: str
    credit_grade: str | None
    price_fen_per_m2: int
    registered_at: datetime
    # Meets the grade the policy encourages for a resettlement estate's first company (A and above);
    # None where the encouragement does not apply, or for a bid recorded before it was shown.
    grade_encouraged: bool | None = None


class Ranked(BaseModel):
    """One line of the evaluation result."""

    rank: int
    company_id: str
    company_name: str
    average_score: float
    price_fen_per_m2: int
    qualified: bool


def check_bid_deadline(published_at: datetime, deadline: datetime, rules: TenderRules = TENDER) -> None:
    """The bid deadline must be at least 20 whole city calendar days after publication (招标投标法 Art. 24)."""
    period = rules.min_bid_period
    if counts_in_days(period):
        # 民法典 Art. 201: the day of publication is not counted; the deadline falls on day 20 or later.
        short = deadline.astimezone(CITY_TZ).date() < last_day(period_end(published_at, period))
    else:
        short = deadline - published_at < period  # a demo period of minutes: the exact duration
    if short:
        raise DecisionRefused(
            RefusalKind.INVALID,
            f"the bid deadline must be at least {rules.min_bid_period.days} days after publication",
            [{"loc": ["body", "bid_deadline"], "msg": f"less than {rules.min_bid_period.days} days after publication", "type": "value_error"}],
        )


def deadline_after_clarification(
    deadline: datetime, clarified_at: datetime, rules: TenderRules = TENDER, *, whole_days: bool = True,
) -> datetime:
    """A clarification less than 15 days before the deadline moves it (实施条例 Art. 21).

    Counted in whole city calendar days as the bid period is (``check_bid_deadline``; 民法典 Art. 201):
    early enough when the deadline falls on the 15th day after the clarification's day or later; else
    the deadline moves to that 15th day at its announced hour. ``whole_days=False`` is the exact
    duration that cases recorded before the ``tender-clarification-whole-days`` patch counted; the
    demo's minutes always count exactly.
    """
    lead = rules.clarification_lead
    if not whole_days or not counts_in_days(lead):
        return clarified_at + lead if deadline - clarified_at < lead else deadline
    local = deadline.astimezone(CITY_TZ)
    day = last_day(period_end(clarified_at, lead))
    if local.date() >= day:
        return deadline
    return datetime.combine(day, local.timetz()).astimezone(deadline.tzinfo)


def check_scores(scores: ScoreData, bidder_ids: list[str], rules: TenderRules = TENDER) -> None:
    """A member scores every valid bidder, and only them, within 0..max."""
    given, wanted = set(scores.scores), set(bidder_ids)
    if given != wanted:
        missing, extra = sorted(wanted - given), sorted(given - wanted)
        raise DecisionRefused(RefusalKind.INVALID, f"scores must cover exactly the valid bidders; missing {missing}, not bidding {extra}")
    bad = [c for c, s in scores.scores.items() if not 0 <= s <= rules.max_score]
    if bad:
        raise DecisionRefused(RefusalKind.INVALID, f"scores must be between 0 and {rules.max_score}: {sorted(bad)}")


TIE_RULE = "equal standing: lower price first, then the earlier registered bid"


def rank_bids(method: Method, bids: list[Bid], scores: list[dict[str, int]], rules: TenderRules = TENDER) -> list[Ranked]:
    """Rank the bids by the stated method; ties go by the recorded rule (``TIE_RULE``)."""
    if not scores:
        raise ValueError("no scores: the committee has not scored")
    ranked: list[tuple[tuple[Any, ...], Ranked]] = []
    for bid in bids:
        total = sum(s[bid.company_id] for s in scores)
        average = total / len(scores)
        qualified = method == Method.COMPREHENSIVE or average >= rules.qualifying_score
        line = Ranked(rank=0, company_id=bid.company_id, company_name=bid.company_name, average_score=round(average, 2),
                      price_fen_per_m2=bid.price_fen_per_m2, qualified=qualified)
        # Compare totals (integers), not rounded averages: every member scores every bid.
        if method == Method.COMPREHENSIVE:
            key = (0, -total, bid.price_fen_per_m2, bid.registered_at)
        else:
            key = (0 if qualified else 1, bid.price_fen_per_m2, -total, bid.registered_at)
        ranked.append((key, line))
    ranked.sort(key=lambda kv: kv[0])
    return [line.model_copy(update={"rank": i + 1}) for i, (_, line) in enumerate(ranked)]


GRADE_ORDER = ("C", "B", "A", "AA", "AAA")


def bidder_refusal(*, exists: bool, blacklisted: bool, business_licence: str | None, credit_grade: str | None) -> str | None:
    """Why a company may not bid, or None: registration, blacklist (山东社会信用条例 Art. 30).

    The credit grade bars nobody: for a resettlement estate's first company the policy encourages a
    grade (``grade_encouraged``), and the tender's officials weigh it.
    """
    if not exists:
        return "not a property service company on record"
    if not business_licence:
        return "no business registration on record (营业执照)"
    if blacklisted:
        return "the company is on the credit blacklist (山东社会信用条例 Art. 30: barred from tenders)"
    return None


def encourages_grade(*, resettlement: bool, selection: Selection) -> bool:
    """Whether the grade encouragement applies: a resettlement estate choosing its first company (前期物业).

    青政办发〔2020〕26号 附件3 item 8(2) asks resettlement estates to select, by open tender, companies of
    credit grade A and above (鼓励): it speaks of the developer's first selection, not of the owners'
    re-selection, which is theirs to decide (民法典 Art. 278).
    """
    return resettlement and selection == Selection.FIRST


def grade_encouraged(credit_grade: str | None, *, resettlement: bool, selection: Selection, rules: TenderRules = TENDER) -> bool | None:
    """Whether a bidder meets the encouraged grade (A and above); None where the encouragement does not apply."""
    if not encourages_grade(resettlement=resettlement, selection=selection):
        return None
    return credit_grade in GRADE_ORDER and GRADE_ORDER.index(credit_grade) >= GRADE_ORDER.index(rules.resettlement_min_grade)


def grade_encouragement(*, resettlement: bool, selection: Selection, rules: TenderRules = TENDER) -> str | None:
    """What the tender's officials read about the encouraged grade, or None where it does not apply."""
    if not encourages_grade(resettlement=resettlement, selection=selection):
        return None
    return (f"安置小区前期物业：鼓励选聘信用等级{rules.resettlement_min_grade}级及以上的物业服务企业"
            f"（青政办发〔2020〕26号 附件3 第八条第二项）；等级不足者不因此被拒绝投标")
