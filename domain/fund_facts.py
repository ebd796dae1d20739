"""维修资金应急使用: what one case has decided and paid (its state), and the facts the case shows.

The workflow keeps the typed state (``FundMoney``, ``PublicNotice``); ``fund_facts`` turns it into
``FundFacts``, the JSON the read model stores and the API shows (the keys clients already read:
``requested_fen``, ``approved_fen``, ``public_notice.start`` / ``end`` / ``settlement_fen``,
``objections``, ``rules`` …). The API reads these models without importing workflow code.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal, Protocol

from pydantic import BaseModel, Field

from domain.fund_emergency import (
    CATEGORY_LABELS,
    SCOPE_LABELS,
    AffectedScope,
    EmergencyCategory,
    FundEmergencyStart,
    first_payment_fen,
)
from domain.fund_ledger import Shortfall
from domain.objections import NoticePeriod, Objection
from domain.rules import FundEmergencyRules


class Budget(BaseModel):
    """提交预算: what the company (or the street in its place) asks for."""

    amount_fen: int
    contractor: str
    items: list[str] = Field(default_factory=list)


class PriceReview(BaseModel):
    """预算核价 / 结算审价: the pricing agency's approved amount out of the submitted one."""

    submitted_fen: int
    approved_fen: int
    reasons: str | None = None

    @property
    def reduction_fen(self) -> int:
        return self.submitted_fen - self.approved_fen


class Settlement(BaseModel):
    """提交结算: the settled cost after completion, with the acceptance certificate."""

    amount_fen: int
    acceptance_certificate: str


class PaymentKind(StrEnum):
    FIRST = "first"  # 首付款: at most half of the approved budget
    FINAL = "final"  # 尾款: the settlement less what the first payment took


class Payment(BaseModel):
    """One payment out of the fund, made in full (a shortfall pays nothing)."""

    kind: PaymentKind
    amount_fen: int
    paid_at: datetime
    households: int
    # Households left below the top-up threshold by this payment (潍坊 Art. 66).
    top_ups_due: list[str] = Field(default_factory=list)


class FundMoney(BaseModel):
    """The amounts of one case, as each step decides them."""

    budget: Budget | None = None
    price_review: PriceReview | None = None
    settlement: Settlement | None = None
    settlement_review: PriceReview | None = None
    payments: list[Payment] = Field(default_factory=list)

    def paid(self, kind: PaymentKind) -> Payment | None:
        return next((p for p in self.payments if p.kind == kind), None)


class StreetUrge(BaseModel):
    """督促限期完成 (聊城 Art. 51): the street office's order to a stalled repair's responsible party, and its deadline."""

    urged_at: datetime
    deadline: datetime


class PublicNotice(NoticePeriod):
    """公示 of the settlement and each household's share (淄博 Art. 67): ≥ 5 days, to 24:00 of the 5th."""

    settlement_fen: int
    # The case's n-th notice, whose shares were stored when it started (None: a case from before, whose
    # notice shows the shares of the registry at each read).
    notice_no: int | None = None
    households: int | None = None


class FundEstate(Protocol):
    """What the case knows of its estate once loaded."""

    estate_name: str
    households: int
    area_hundredths: int
    property_company_id: str | None
    pricing_agency_id: str | None


class FundFacts(BaseModel):
    """The facts of a fund-emergency case, as the API shows them (``facts`` of the case)."""

    kind: Literal["fund-emergency"] = "fund-emergency"
    category: EmergencyCategory
    category_label: str
    affected_scope: AffectedScope
    affected_scope_label: str
    scope_id: str | None = None
    description: str
    attachments: list[str] = Field(default_factory=list)
    resubmission_of: str | None = None
    street_takeover: bool = False
    # A repair that stalled after its verification: when the street urged it, and the deadline it set.
    street_urged_at: datetime | None = None
    street_urge_deadline: datetime | None = None
    rules: FundEmergencyRules
    # The estate, once loaded.
    estate_name: str | None = None
    households: int | None = None
    area_m2: str | None = None
    property_company_id: str | None = None
    pricing_agency_id: str | None = None
    # 提交预算 → 预算核价 → 首付款.
    requested_fen: int | None = None
    contractor: str | None = None
    budget_items: list[str] | None = None
    approved_fen: int | None = None
    reduction_fen: int | None = None
    price_review_reasons: str | None = None
    first_payment_max_fen: int | None = None
    first_payment_fen: int | None = None
    first_paid_at: datetime | None = None
    top_ups_due: list[str] = Field(default_factory=list)
    shortfalls: list[Shortfall] = Field(default_factory=list)
    # 提交结算 → 结算审价 → 公示 → 尾款.
    settlement_fen: int | None = None
    acceptance_certificate: str | None = None
    settlement_approved_fen: int | None = None
    settlement_review_reasons: str | None = None
    public_notice: PublicNotice | None = None
    objections: list[Objection] = Field(default_factory=list)
    final_payment_fen: int | None = None
    final_paid_at: datetime | None = None


def fund_facts(
    request: FundEmergencyStart, rules: FundEmergencyRules, *, takeover: bool, estate: FundEstate | None, money: FundMoney,
    notice: PublicNotice | None, objections: list[Objection], shortfalls: list[Shortfall], urge: StreetUrge | None = None,
) -> FundFacts:
    """The case's facts from its request, rules and state."""
    facts = FundFacts(
        category=request.category, category_label=CATEGORY_LABELS[request.category], affected_scope=request.scope,
        affected_scope_label=SCOPE_LABELS[request.scope], scope_id=request.scope_id, description=request.description,
        attachments=list(request.attachments), resubmission_of=request.resubmission_of, street_takeover=takeover,
        rules=rules, public_notice=notice, objections=objections, shortfalls=list(shortfalls),
        top_ups_due=[h for p in money.payments for h in p.top_ups_due],
        street_urged_at=urge.urged_at if urge else None, street_urge_deadline=urge.deadline if urge else None,
    )
    if estate is not None:
        facts.estate_name, facts.households = estate.estate_name, estate.households
        facts.area_m2 = f"{estate.area_hundredths / 100:.2f}"
        facts.property_company_id, facts.pricing_agency_id = estate.property_company_id, estate.pricing_agency_id
    if money.budget is not None:
        facts.requested_fen, facts.contractor, facts.budget_items = money.budget.amount_fen, money.budget.contractor, money.budget.items
    if (review := money.price_review) is not None:
        facts.approved_fen, facts.reduction_fen, facts.price_review_reasons = review.approved_fen, review.reduction_fen, review.reasons
        facts.first_payment_max_fen = first_payment_fen(review.approved_fen, rules)
    if money.settlement is not None:
        facts.settlement_fen, facts.acceptance_certificate = money.settlement.amount_fen, money.settlement.acceptance_certificate
    if (review := money.settlement_review) is not None:
        facts.settlement_approved_fen, facts.settlement_review_reasons = review.approved_fen, review.reasons
    if (first := money.paid(PaymentKind.FIRST)) is not None:
        facts.first_payment_fen, facts.first_paid_at = first.amount_fen, first.paid_at
    if (final := money.paid(PaymentKind.FINAL)) is not None:
        facts.final_payment_fen, facts.final_paid_at = final.amount_fen, final.paid_at
    return facts
