"""Inputs of the fund-emergency workflow and its updates.

Kept out of the workflow module so the sandbox imports them once (passed through) instead of
rebuilding the pydantic models for every workflow run.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from domain.access import Actor
from domain.fund_emergency import FundEmergencyStart
from domain.rules import FUND_EMERGENCY, FundEmergencyRules


class FundEmergencyInput(BaseModel):
    """Start a case: the clerk's report and who made it."""

    case_id: str
    request: FundEmergencyStart
    initiator: Actor
    rules: FundEmergencyRules = FUND_EMERGENCY


class ObjectionInput(BaseModel):
    """An owner's objection during the public notice (公示异议)."""

    text: str = Field(min_length=1, max_length=4000)
    actor: Actor
