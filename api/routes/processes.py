"""The registered processes: their steps, the decisions at each step and each decision's JSON Schema.

This is what a client (the web workbench) builds its task forms from: the schemas are generated
from the same pydantic models the workflows' validators check a decision's ``data`` against.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from api.deps import ActorDep
from api.errors import NotFound
from api.schemas import Labelled, decision_l, schema_path
from core.registry import REGISTRY, ProcessSpec

router = APIRouter(prefix="/processes", tags=["processes 流程"])


class DecisionRead(BaseModel):
    code: str
    label: str
    # The JSON Schema of the decision's ``data``; None: the decision takes no data (a comment may say why).
    data_schema: dict[str, Any] | None
    schema_url: str


class StepRead(BaseModel):
    code: str
    label: str
    decisions: list[DecisionRead]


class ProcessRead(BaseModel):
    kind: str
    label: str
    first_step: Labelled
    startable: bool
    steps: list[StepRead]
    facts_schema: dict[str, Any] | None = None


@cache
def json_schema(model: type[BaseModel]) -> dict[str, Any]:
    """A model's JSON Schema: built once per model (building it cost ~10 ms a model, on every call of these routes)."""
    return model.model_json_schema()


def process_read(spec: ProcessSpec) -> ProcessRead:
    steps = []
    for step, decisions in spec.step_decisions.items():
        out = []
        for code in decisions:
            model = spec.decision_data.get((step, code))
            out.append(DecisionRead(
                code=code, label=decision_l(code, spec.kind).label,
                data_schema=json_schema(model) if model is not None else None,
                schema_url=schema_path(spec.kind, step, code),
            ))
        steps.append(StepRead(code=step, label=spec.step_labels.get(step, step), decisions=out))
    return ProcessRead(
        kind=spec.kind, label=spec.label, first_step=Labelled(code=spec.first_step, label=spec.first_step_label),
        startable=spec.start_input is not None, steps=steps,
        facts_schema=json_schema(spec.facts_model) if spec.facts_model is not None else None,
    )


def _spec(kind: str) -> ProcessSpec:
    spec = REGISTRY.get(kind)
    if spec is None:
        raise NotFound(f"no process {kind}")
    return spec


@router.get("", response_model=list[ProcessRead], summary="Every registered process with its steps and decision schemas")
async def list_processes(actor: ActorDep) -> list[ProcessRead]:
    return [process_read(spec) for spec in REGISTRY.specs()]


@router.get("/{kind}", response_model=ProcessRead, summary="One process: its steps, decisions and their schemas")
async def get_process(kind: str, actor: ActorDep) -> ProcessRead:
    return process_read(_spec(kind))


@router.get(
    "/{kind}/steps/{step}/decisions/{decision}/schema", response_model=dict[str, Any],
    summary="The JSON Schema of one decision's data (an empty object schema when it takes none)",
)
async def decision_schema(kind: str, step: str, decision: str, actor: ActorDep) -> dict[str, Any]:
    spec = _spec(kind)
    if decision not in spec.step_decisions.get(step, ()):
        raise NotFound(f"{kind} has no decision {decision} at step {step}")
    model = spec.decision_data.get((step, decision))
    return json_schema(model) if model is not None else {"type": "object", "properties": {}}
