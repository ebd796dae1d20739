"""The process kinds the system runs, with their Chinese labels for kinds and steps."""

from __future__ import annotations

from domain import election, fund_emergency, handover, tender, ticket
from domain.tasks import DECISION_LABELS

PROCESS_LABELS: dict[str, str] = {
    fund_emergency.PROCESS_KIND: fund_emergency.PROCESS_LABEL,
    tender.PROCESS_KIND: tender.PROCESS_LABEL,
    handover.PROCESS_KIND: handover.PROCESS_LABEL,
    election.PROCESS_KIND: election.PROCESS_LABEL,
    ticket.PROCESS_KIND: ticket.PROCESS_LABEL,
}

STEP_LABELS: dict[str, dict[str, str]] = {
    fund_emergency.PROCESS_KIND: fund_emergency.STEP_LABELS,
    tender.PROCESS_KIND: tender.STEP_LABELS,
    handover.PROCESS_KIND: handover.STEP_LABELS,
    election.PROCESS_KIND: election.STEP_LABELS,
    ticket.PROCESS_KIND: ticket.STEP_LABELS,
}

# Process-specific decision codes get their Chinese labels beside the shared ones.
DECISION_LABELS.update({**tender.DECISION_LABELS, **handover.DECISION_LABELS})
DECISION_LABELS.update(election.DECISION_LABELS)
DECISION_LABELS.update(ticket.DECISION_LABELS)


def process_label(kind: str) -> str:
    return PROCESS_LABELS.get(kind, kind)


def step_label(kind: str, step: str) -> str:
    return STEP_LABELS.get(kind, {}).get(step, step)
