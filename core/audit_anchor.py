"""The audit chain checked against both of its anchors: the stored head (``audit_heads``) and the case's workflow."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import Client, WorkflowQueryFailedError
from temporalio.service import RPCError

from db.repositories import audit as audit_repo
from domain.audit import ChainBreak, WorkflowAuditHead, missing_workflow_event

QUERY_TIMEOUT = timedelta(seconds=5)


@dataclass(frozen=True)
class ChainCheck:
    """A chain's verdict: its stored entries, the first break (or first missing entry), and what the workflow said."""

    entries: int
    broken: ChainBreak | None
    workflow_events: int | None  # None: no workflow answered (gone after its retention, not a case, engine down)


async def workflow_audit_head(client: Client, case_id: str) -> WorkflowAuditHead | None:
    """The case workflow's own count of the timeline events it projected; None when it cannot answer."""
    try:
        head: WorkflowAuditHead = await client.get_workflow_handle(case_id).query(
            "audit_head", result_type=WorkflowAuditHead, rpc_timeout=QUERY_TIMEOUT,
        )
    except (RPCError, WorkflowQueryFailedError):
        return None
    return head


async def check_anchored_chain(session: AsyncSession, client: Client | None, case_id: str) -> ChainCheck:
    """Recompute the chain up to its stored head, then hold the log against the workflow's count of its events.

    Someone who cuts the tail and moves the stored head back with it still leaves the workflow's
    count behind: the first of its events the log lacks is reported after the last stored entry.
    """
    count, broken = await audit_repo.check_chain(session, case_id)
    head = await workflow_audit_head(client, case_id) if client is not None else None
    if broken is None and head is not None:
        entries = await audit_repo.stored_entries(session, case_id)
        missing = missing_workflow_event(case_id, entries, head.events_projected)
        if missing is not None:
            number, position = missing
            broken = ChainBreak(
                seq=position,
                reason=f"missing tail: the workflow projected {head.events_projected} timeline events, "
                       f"its event {number} is not in the log (it belongs after entry {position - 1})",
            )
    return ChainCheck(entries=count, broken=broken, workflow_events=head.events_projected if head else None)
