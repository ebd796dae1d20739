"""新旧物业衔接: the state one handover keeps (checklist, exit, escalations, emergency service) and its facts.

``HandoverFacts`` is the JSON the read model stores for a handover (``facts`` of the case), with
the keys clients already read (``notice.exit_deadline``, ``checklist``, ``escalations``,
``emergency_service.from`` / ``until`` …). The API reads it without importing workflow code.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from domain.handover import CHECKLIST, Defect, JointMeetingData
from domain.rules import HandoverRules
from domain.tender import ExitReason


class ItemStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    DISPUTED = "disputed"


class ChecklistItem(BaseModel):
    """One item the outgoing company hands over, as the incoming company has found it."""

    label: str
    status: ItemStatus = ItemStatus.PENDING
    at: datetime | None = None  # when it was confirmed
    reason: str | None = None  # why it was disputed
    remedy: str | None = None  # what the outgoing party did about the dispute


def new_checklist() -> dict[str, ChecklistItem]:
    """Every item of the checklist (民法典 Art. 949; 物业管理条例 Art. 29), pending."""
    return {item.code: ChecklistItem(label=item.label) for item in CHECKLIST}


class ExitNotice(BaseModel):
    """通知: when the outgoing company was notified, when its contract ends and when it must be out."""

    notified_at: datetime
    contract_ends: datetime
    # 潍坊 Art. 50: the agreed exit period or 30 days after the contract ends, to 24:00 of the last day;
    # on a rest day, to 24:00 of the next working day (民法典 Art. 203 para. 1).
    exit_deadline: datetime
    # Who ends the contract and the notice that owes (民法典 Arts. 946–947); None for a case started
    # before the reasons were told apart.
    notice_days: int | None = None
    # The exit deadline was moved off a rest day; the holiday calendar of its year was not yet published
    # (the move is provisional: the weekend alone was known).
    exit_deadline_moved: bool = False
    calendar_published: bool = True


class ExitDecision(BaseModel):
    """The outgoing company's answer: it hands over (confirm) or refuses, with its comment."""

    outcome: str | None
    at: datetime
    comment: str | None = None


class Escalation(BaseModel):
    """拒不移交: a refusal or a missed exit deadline, its credit record and what the officials did."""

    cause: str
    reason: str
    at: datetime
    credit_record_id: int
    joint_meeting: JointMeetingData | None = None
    correction_order: str | None = None


class EmergencyService(BaseModel):
    """应急物业服务 for at most 6 months (潍坊 Art. 51), and the selection that follows it."""

    # The JSON key is "from" (a Python keyword): read as either name, written as "from".
    model_config = ConfigDict(serialize_by_alias=True)

    company_id: str
    company_name: str
    services: str
    since: datetime = Field(validation_alias=AliasChoices("from", "since"), serialization_alias="from")
    until: datetime
    follow_up_tender: str | None = None


class HandoverFacts(BaseModel):
    """The facts of a handover case, as the API shows them."""

    kind: Literal["handover"] = "handover"
    tender_case_id: str | None = None
    estate_name: str
    incoming_company_id: str
    outgoing_company_id: str | None = None
    reason: ExitReason | None = None
    reason_label: str
    agreed_exit_days: int | None = None
    checklist: dict[str, ChecklistItem] = Field(default_factory=new_checklist)
    rules: HandoverRules
    notice: ExitNotice | None = None
    exit: ExitDecision | None = None
    # The inspection's defects (承接查验); None until the incoming company has inspected.
    defects: list[Defect] | None = None
    escalations: list[Escalation] = Field(default_factory=list)
    emergency_service: EmergencyService | None = None
