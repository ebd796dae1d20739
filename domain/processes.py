"""The process kinds the system runs, with their Chinese labels for kinds and steps."""

from __future__ import annotations

from domain import fund_emergency

PROCESS_LABELS: dict[str, str] = {
    fund_emergency.PROCESS_KIND: fund_emergency.PROCESS_LABEL,
}

STEP_LABELS: dict[str, dict[str, str]] = {
    fund_emergency.PROCESS_KIND: fund_emergency.STEP_LABELS,
}


def process_label(kind: str) -> str:
    return PROCESS_LABELS.get(kind, kind)


def step_label(kind: str, step: str) -> str:
    return STEP_LABELS.get(kind, {}).get(step, step)
