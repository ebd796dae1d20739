"""维修资金应急使用: the rules of the emergency-use process that do not depend on I/O."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field, model_validator

from domain.cases import CaseStatus
from domain.rules import FUND_EMERGENCY, FundEmergencyRules
from domain.tasks import DecisionRefused, RefusalKind

PROCESS_KIND = "fund-emergency"
PROCESS_LABEL = "维修资金应急使用"


class EmergencyCategory(StrEnum):
    """The emergency situations that allow use without an owners' vote.

    淄博 Art. 66, 聊城 Art. 50, 滨州 Art. 42 [P].
    """

    ROOF_WATERPROOFING = "roof_waterproofing"
    ELEVATOR_FAILURE = "elevator_failure"
    FIRE_SYSTEM_FAILURE = "fire_system_failure"
    FACADE_FALLING = "facade_falling"
    CURTAIN_WALL_SHATTERED = "curtain_wall_shattered"
    DRAINAGE_BURST = "drainage_burst"
    GARAGE_FLOODING = "garage_flooding"
    OTHER_DANGER = "other_danger"


CATEGORY_LABELS: dict[EmergencyCategory, str] = {
    EmergencyCategory.ROOF_WATERPROOFING: "屋面、外墙防水严重损坏",
    EmergencyCategory.ELEVATOR_FAILURE: "电梯故障需立即维修",
    EmergencyCategory.FIRE_SYSTEM_FAILURE: "消防设施故障",
    EmergencyCategory.FACADE_FALLING: "外墙饰面、构件松动脱落",
    EmergencyCategory.CURTAIN_WALL_SHATTERED: "玻璃幕墙炸裂",
    EmergencyCategory.DRAINAGE_BURST: "排水管道爆裂、坍塌或堵塞",
    EmergencyCategory.GARAGE_FLOODING: "地下车库雨水倒灌",
    EmergencyCategory.OTHER_DANGER: "其他危及房屋或人身安全的情形",
}


class AffectedScope(StrEnum):
    """Who benefits and therefore pays (潍坊 Art. 67 [P]): the estate, a building, or a unit."""

    ESTATE = "estate"
    BUILDING = "building"
    UNIT = "unit"


SCOPE_LABELS = {AffectedScope.ESTATE: "全小区", AffectedScope.BUILDING: "楼栋", AffectedScope.UNIT: "单元"}


class Step(StrEnum):
    """The steps of the process, in order (淄博 Arts. 66–67, 聊城 Arts. 50–51, 滨州 Art. 43 [P])."""

    REPORTED = "reported"
    ONSITE_VERIFICATION = "onsite_verification"
    STREET_TAKEOVER = "street_takeover"
    STREET_URGE = "street_urge"
    BUDGET_SUBMISSION = "budget_submission"
    PRICE_REVIEW = "price_review"
    BUREAU_REVIEW = "bureau_review"
    FIRST_PAYMENT = "first_payment"
    TOP_UP = "top_up"
    COMPLETION_ACCEPTANCE = "completion_acceptance"
    SETTLEMENT_SUBMISSION = "settlement_submission"
    SETTLEMENT_REVIEW = "settlement_review"
    PUBLIC_NOTICE = "public_notice"
    OBJECTION = "objection"
    FINAL_PAYMENT = "final_payment"
    CLOSED = "closed"


STEP_LABELS: dict[str, str] = {
    Step.REPORTED: "报告",
    Step.ONSITE_VERIFICATION: "现场联合核实",
    Step.STREET_TAKEOVER: "街道组织维修",
    Step.STREET_URGE: "督促限期完成",
    Step.BUDGET_SUBMISSION: "提交预算",
    Step.PRICE_REVIEW: "预算核价",
    Step.BUREAU_REVIEW: "住建局审核",
    Step.FIRST_PAYMENT: "首付款拨付",
    Step.TOP_UP: "维修资金续交",
    Step.COMPLETION_ACCEPTANCE: "竣工验收",
    Step.SETTLEMENT_SUBMISSION: "提交结算",
    Step.SETTLEMENT_REVIEW: "结算审价",
    Step.PUBLIC_NOTICE: "公示",
    Step.OBJECTION: "异议答复",
    Step.FINAL_PAYMENT: "尾款拨付",
    Step.CLOSED: "结案",
}


class FundEmergencyStart(BaseModel):
    """What a clerk reports to start a case."""

    estate_id: str = Field(min_length=1, max_length=64, examples=["qz-yd-jinxiu"])
    category: EmergencyCategory = Field(examples=[EmergencyCategory.ELEVATOR_FAILURE])
    scope: AffectedScope = Field(examples=[AffectedScope.BUILDING])
    scope_id: str | None = Field(
        default=None, max_length=64, description="building or unit id; omitted for the whole estate",
        examples=["qz-yd-jinxiu-b3"],
    )
    description: str = Field(min_length=5, max_length=4000, examples=["3号楼1单元电梯钢丝绳断股，已停运"])
    attachments: list[str] = Field(default_factory=list, max_length=50, examples=[["photo://elevator-3-1.jpg"]])
    resubmission_of: str | None = Field(default=None, max_length=128, description="the rejected case this one resubmits")

    @model_validator(mode="after")
    def _scope_id_matches_scope(self) -> FundEmergencyStart:
        if self.scope == AffectedScope.ESTATE and self.scope_id is not None:
            raise ValueError("scope_id must be omitted when the scope is the whole estate")
        if self.scope != AffectedScope.ESTATE and not self.scope_id:
            raise ValueError(f"scope_id is required for scope '{self.scope.value}'")
        return self


class BudgetData(BaseModel):
    """提交预算: the contractor's budget.

    Money is an integer of fen, strictly: JSON ``true``, ``"100"`` or ``100.0`` is refused, never read as fen.
    """

    amount_fen: int = Field(gt=0, le=10_000_000_000, strict=True, description="requested amount in fen")
    contractor: str = Field(min_length=1, max_length=200)
    items: list[str] = Field(default_factory=list, max_length=200)


class PriceReviewData(BaseModel):
    """预算核价 / 结算审价: the pricing agency's approved amount, with reasons for any cut."""

    approved_amount_fen: int = Field(gt=0, le=10_000_000_000, strict=True)
    reasons: str | None = Field(default=None, max_length=4000)


class SettlementData(BaseModel):
    """提交结算: the settled cost after completion."""

    amount_fen: int = Field(gt=0, le=10_000_000_000, strict=True)
    acceptance_certificate: str = Field(min_length=1, max_length=500)


class AcceptanceData(BaseModel):
    """竣工验收: the acceptance certificate reference."""

    certificate: str | None = Field(default=None, max_length=500)


def resubmission_problem(estate_id: str, named: tuple[str, str, str | None] | None) -> str | None:
    """Why a case may not name another as the rejected case it resubmits, or None if it may.

    ``named`` is that case's (kind, status, estate) or None when there is no such case. Only a
    rejected emergency-use case of the same estate is resubmitted: the link is what an auditor follows.
    """
    # An unknown case and another estate's answer alike: the start route tells nobody what exists elsewhere.
    if named is None or named[0] != PROCESS_KIND or named[2] != estate_id:
        return "no emergency-use case of this estate has this id"
    status = named[1]
    if status != CaseStatus.REJECTED.value:
        return "only a rejected case is resubmitted"
    return None


def check_price_review(requested_fen: int, data: PriceReviewData, rules: FundEmergencyRules = FUND_EMERGENCY) -> None:
    """The approved amount may not exceed the request, and any reduction needs its reasons."""
    if data.approved_amount_fen > requested_fen:
        raise DecisionRefused(
            RefusalKind.INVALID,
            f"approved amount {data.approved_amount_fen} exceeds the requested {requested_fen} fen",
            errors=[{"loc": ["data", "approved_amount_fen"], "msg": f"审定金额不得超过申报金额 {requested_fen} 分", "type": "value_error"}],
        )
    if data.approved_amount_fen < requested_fen and not (data.reasons or "").strip():
        raise DecisionRefused(RefusalKind.INVALID, "a reduced amount needs its reasons in data.reasons",
                              errors=[{"loc": ["data", "reasons"], "msg": "核减须说明理由", "type": "value_error"}])


def first_payment_fen(approved_fen: int, rules: FundEmergencyRules = FUND_EMERGENCY) -> int:
    """首付款: at most half of the approved budget, rounded down to the fen."""
    return approved_fen * rules.first_payment_max_percent // 100
