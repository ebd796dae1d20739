"""Inputs of the election workflows and their updates (one payload model per call)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from domain.access import Actor
from domain.election import ElectionStart, NominationData, ObjectionData, Trigger
from domain.rules import ELECTION, ElectionRules


class ElectionInput(BaseModel):
    """Start an election case: the request, who started it (a clerk or the term timer), the rules."""

    case_id: str
    request: ElectionStart
    initiator: Actor
    rules: ElectionRules = ELECTION
    trigger: Trigger = Trigger.CLERK
    term_end: datetime | None = None


class NominationInput(BaseModel):
    """A nomination sent by the community (Party organisation, residents' committee) or an owner."""

    data: NominationData
    actor: Actor


class ObjectionInput(BaseModel):
    """An owner's objection during the candidate notice."""

    data: ObjectionData
    actor: Actor
