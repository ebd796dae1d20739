"""The toy approval's workflow input (passed through the sandbox)."""

from __future__ import annotations

from pydantic import BaseModel

from domain.access import Actor, Scope
from tests.toy_process.domain import ToyRules, ToyStart


class ToyInput(BaseModel):
    case_id: str
    request: ToyStart
    initiator: Actor
    scope: Scope
    rules: ToyRules
