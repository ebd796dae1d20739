"""Inputs of the credit assessment's workflows and updates (passed through the sandbox, built once)."""

from __future__ import annotations

from pydantic import BaseModel

from domain.access import SYSTEM_ACTOR, Actor, Role
from domain.credit_facts import AdjustGrade
from domain.rules import CREDIT, CreditRules


class CreditAssessmentInput(BaseModel):
    quarter: str
    initiator: Actor = SYSTEM_ACTOR
    rules: CreditRules = CREDIT


class AdjustInput(BaseModel):
    """The bureau adjusts one draft grade during its review (the actor from the token)."""

    data: AdjustGrade
    actor: Actor


class ObjectionInput(BaseModel):
    """A company objects to one of its records; the API looked the record up and checked it is the company's."""

    record_id: int
    company_id: str
    recording_role: Role
    joint: bool
    text: str
    actor: Actor


class CreditQuarterInput(BaseModel):
    """The quarter to assess; empty: the one that ended before the run's city date (what the schedule sends)."""

    quarter: str | None = None
    # Who asked (the bureau, by hand); the schedule sends none and the system starts the case.
    initiator: Actor | None = None
    rules: CreditRules = CREDIT


class CreditQuarterResult(BaseModel):
    quarter: str
    case_id: str
    started: bool
