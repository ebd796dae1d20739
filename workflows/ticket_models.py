"""Inputs of the ticket workflow and its updates, passed through the sandbox (built once)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from domain.access import Actor
from domain.rules import TICKET, TicketRules
from domain.ticket import TicketStart


class TicketInput(BaseModel):
    """Start a ticket: the intake (without the caller's contact) and who took it."""

    case_id: str
    request: TicketStart
    initiator: Actor
    rules: TicketRules = TICKET


class WhistleInput(BaseModel):
    """社区吹哨: the community summons a department; ``actor`` is filled from the token."""

    department_id: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=2000)
    actor: Actor
