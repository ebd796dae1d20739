"""A toy two-step approval: the street office checks, the housing bureau approves."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field

PROCESS_KIND = "toy-approval"
PROCESS_LABEL = "两级审批（示例）"


class Step(StrEnum):
    REQUESTED = "requested"
    STREET_CHECK = "street_check"
    BUREAU_APPROVAL = "bureau_approval"
    CLOSED = "closed"


STEP_LABELS = {Step.REQUESTED: "申请", Step.STREET_CHECK: "街道初审", Step.BUREAU_APPROVAL: "住建局审批", Step.CLOSED: "办结"}
DECISION_LABELS = {"countersign": "会签"}


class ToyRules(BaseModel):
    check_working_days: int = 2


class ToyStart(BaseModel):
    estate_id: str
    subject: str = Field(min_length=1, max_length=200)


class CheckData(BaseModel):
    """The street's findings; the bureau sees them before deciding."""

    findings: str = Field(min_length=1, max_length=500)


class ToyFacts(BaseModel):
    subject: str
    findings: str | None = None
