"""The facts a ticket case shows (矛盾纠纷工单), typed: what happened to it so far, never the caller's contact.

The JSON of ``TicketFacts`` is the case's ``facts``, with the keys the API, the README and the
tests use. ``TicketProgress`` is the part the workflow's state and the facts share.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field

from domain.access import Role
from domain.routing import Unit
from domain.rules import TicketRules
from domain.ticket import Channel, Closure
from domain.ticket_whistle import Whistle


class TicketReturn(BaseModel):
    """退回: a unit sent the ticket back to the hotline centre, with its reason (潍坊12345条例 Art. 22)."""

    unit: str
    reason: str | None = None
    at: datetime


class HandlingReply(BaseModel):
    """答复: the lead unit's reply with its result, once per handling round."""

    round: int
    unit: str
    by: str
    result: str | None = None
    at: datetime


class SatisfactionCall(BaseModel):
    """回访: the hotline centre's call to the caller (潍坊12345条例 Art. 25)."""

    outcome: str  # satisfied / unsatisfied
    by: str
    remark: str | None = None
    at: datetime


class CoHandlingOpinion(BaseModel):
    """协办: a co-handler's opinion on the ticket."""

    unit: str | None = None
    by: str
    opinion: str | None = None
    at: datetime | None = None


class SupervisionCause(StrEnum):
    """Why a ticket is under supervision (潍坊12345条例 Art. 26)."""

    OVERDUE = "overdue"  # (2) 逾期未办理
    UNSATISFIED = "unsatisfied"  # (3)/(4): unsatisfied after re-handling


SUPERVISION_CAUSE_LABELS: dict[str, str] = {SupervisionCause.OVERDUE: "逾期未办结", SupervisionCause.UNSATISFIED: "重办后仍不满意"}


class Supervision(BaseModel):
    """督办: the ticket put under its unit's supervisor (街道 for a company or community, the hotline centre for a department or street)."""

    cause: SupervisionCause
    cause_label: str
    round: int
    unit: str
    supervisor: Role
    task_id: str
    at: datetime
    outcome: str | None = None  # order / close / rehandle, or cancelled once the unit replied
    by: str | None = None
    order: str | None = None
    decided_at: datetime | None = None


class TicketProgress(BaseModel):
    """What has happened to the ticket so far: kept by the workflow, shown in the facts."""

    returnable: bool = True
    returned: bool = False
    accepted_at: datetime | None = None
    replied_at: datetime | None = None
    extension_days: int = 0
    overdue: bool = False
    unsatisfied: int = 0
    supervised: bool = False
    replies: list[HandlingReply] = Field(default_factory=list)
    callbacks: list[SatisfactionCall] = Field(default_factory=list)
    co_handling: list[CoHandlingOpinion] = Field(default_factory=list)
    returns: list[TicketReturn] = Field(default_factory=list)
    whistles: list[Whistle] = Field(default_factory=list)
    supervisions: list[Supervision] = Field(default_factory=list)


class TicketFacts(TicketProgress):
    """The facts of a ticket case, as the read model stores them and the API shows them."""

    kind: Literal["ticket"] = "ticket"
    channel: Channel
    channel_label: str
    external_ref: str
    category: str
    description: str
    closure: Closure | None = None
    closure_label: str | None = None
    lead_unit: Unit | None = None
    co_handlers: list[Unit] = Field(default_factory=list)
    # The route the ticket started with and its estate, once the workflow has loaded them.
    category_label: str | None = None
    routing_basis: str | None = None
    estate_name: str | None = None
    property_company_id: str | None = None
    rules: TicketRules
