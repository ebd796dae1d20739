"""Inputs and results of the monthly check's workflows (passed through the sandbox, built once)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from domain.access import SYSTEM_ACTOR, Actor
from domain.credit_check import CheckPair
from domain.rules import CREDIT_CHECK, CreditCheckRules


class CreditCheckInput(BaseModel):
    """One street's check of one company in one month."""

    case_id: str
    month: str
    pair: CheckPair
    initiator: Actor = SYSTEM_ACTOR
    rules: CreditCheckRules = CREDIT_CHECK


class CreditMonthInput(BaseModel):
    """The month to open; empty: the run's city month (what the schedule sends).

    ``at_once``: open the checks now (the bureau, by hand) instead of on the month's first working day.
    """

    month: str | None = None
    at_once: bool = False
    initiator: Actor | None = None
    rules: CreditCheckRules = CREDIT_CHECK


class CreditMonthResult(BaseModel):
    month: str
    opens_on: date
    checks: int  # streets × companies found
    started: list[str]  # the case ids this run started (a re-fired run: none)
