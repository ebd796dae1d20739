"""The handover workflow's input (one payload model), kept out of the workflow module.

Passed through the sandbox, so the model is built once instead of for every workflow run.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from domain.access import Actor, Scope
from domain.rules import HANDOVER, TENDER, HandoverRules, TenderRules
from domain.tender import ExitReason


class HandoverInput(BaseModel):
    """Who hands over to whom, why, and under which rules."""

    case_id: str
    tender_case_id: str | None = None
    estate_id: str
    estate_name: str
    scope: Scope
    has_owners_committee: bool = True
    incoming_company_id: str
    outgoing_company_id: str | None = None  # None: the developer hands over to the first company
    reason: ExitReason | None = None
    agreed_exit_days: int | None = None
    # The contract's own notice period (民法典 Art. 946 / 947 "unless agreed") and its term's last day.
    agreed_notice_days: int | None = None
    contract_ends_on: date | None = None
    initiator: Actor
    rules: HandoverRules = HANDOVER
    tender_rules: TenderRules = TENDER
