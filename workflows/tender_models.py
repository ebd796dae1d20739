"""The tender workflow's payloads: its input, and the bidders', clerk's and objectors' updates."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from domain.access import Actor
from domain.rules import HANDOVER, TENDER, HandoverRules, TenderRules
from domain.tender import BidData, TenderStart


class TenderInput(BaseModel):
    """Start a tender: the clerk's announcement, who published it, the rules it runs under."""

    case_id: str
    request: TenderStart
    initiator: Actor
    rules: TenderRules = TENDER
    handover_rules: HandoverRules = HANDOVER
    # When the API published the tender and checked its deadline; None (older cases): the workflow's start.
    published_at: datetime | None = None


class BidInput(BaseModel):
    """A company registers its bid; the company is the caller's (from the token)."""

    bid: BidData
    actor: Actor


class ClarificationInput(BaseModel):
    """澄清或者修改 of the tender documents, sent to every potential bidder."""

    text: str = Field(min_length=1, max_length=4000)
    actor: Actor


class TenderObjectionInput(BaseModel):
    """An objection to the evaluation result during the publicity (实施条例 Art. 54)."""

    text: str = Field(min_length=1, max_length=4000)
    actor: Actor
