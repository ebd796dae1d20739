"""What a Workflow Update that did not go through answers: refusals logged, engine trouble as 503/429."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any, NoReturn

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client, RPCTimeoutOrCancelledError
from temporalio.service import RPCError, RPCStatusCode

from api.errors import RETRY_AFTER_SECONDS, Conflict, Overloaded, Problem, Unavailable
from db.repositories import audit as audit_repo
from db.repositories import cases as cases_repo
from domain.access import Actor
from domain.audit import AuditEvent

log = structlog.get_logger("api.cases")


def engine_problem(exc: RPCError) -> Problem | None:
    """The answer to a Temporal call that failed for want of capacity or time: retry with the same key."""
    if exc.status == RPCStatusCode.RESOURCE_EXHAUSTED:  # e.g. "too many in-flight updates" on one workflow
        return Overloaded(f"the workflow engine is busy with this case ({exc.message}); retry with the same Idempotency-Key",
                          retry_after=RETRY_AFTER_SECONDS)
    # UNKNOWN: the client's connection broke on the way ("transport error", Temporal restarting); the
    # decision may or may not have arrived, and a retry with the same key finds out without doubling it.
    if exc.status in (RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED, RPCStatusCode.CANCELLED, RPCStatusCode.UNKNOWN):
        return Unavailable("the workflow engine did not answer; retry with the same Idempotency-Key")
    return None


async def rpc_failed(
    exc: RPCError, *, client: Client, sessions: async_sessionmaker[AsyncSession], case_id: str, actor: Actor,
    audit_context: dict[str, Any],
) -> NoReturn:
    if exc.status == RPCStatusCode.NOT_FOUND:
        await log_refusal(sessions, case_id, actor, "conflict", "the case is no longer running", audit_context)
        raise Conflict("the case is no longer running") from None
    if exc.status == RPCStatusCode.RESOURCE_EXHAUSTED:  # refused before it reached the workflow: nothing to resync
        raise engine_problem(exc) or Unavailable(exc.message) from None
    # The decision may have reached a workflow task that then failed, after that task had
    # written the read model: the workflow writes it again from what its history holds.
    await resync_read_model(client, sessions, case_id)
    if (problem := engine_problem(exc)) is not None:
        raise problem from None
    if exc.status == RPCStatusCode.FAILED_PRECONDITION:  # Temporal: "Workflow Task in failed state"
        detail = f"决定未被记录：流程处理该请求时工作流任务失败（{exc.message}）"
        await log_refusal(sessions, case_id, actor, "conflict", detail, audit_context)
        raise Conflict(detail, recorded=False) from None
    raise Conflict(str(exc.message)) from None


RESYNC_WAIT = 5.0  # seconds the API waits for the workflow to write its read model again


async def resync_read_model(client: Client, sessions: async_sessionmaker[AsyncSession], case_id: str) -> bool:
    """Ask the case's workflow to write its read model from its state, and wait (briefly) until it has.

    The workflow's next projection replaces whatever a failed workflow task wrote and withdraws its
    audit entries with a correction (``domain.projection``). The signal waits in the history while a
    workflow task keeps failing; this returns False if the write did not come within ``RESYNC_WAIT``.
    """
    async with sessions() as session:
        before = await cases_repo.anchor_of(session, case_id)
    try:
        await client.get_workflow_handle(case_id).signal("resync", rpc_timeout=timedelta(seconds=RESYNC_WAIT))
    except (RPCError, RPCTimeoutOrCancelledError) as exc:
        log.warning("read model resync not requested", case_id=case_id, error=str(exc))
        return False
    deadline = asyncio.get_running_loop().time() + RESYNC_WAIT
    while asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.05)
        async with sessions() as session:
            if await cases_repo.anchor_of(session, case_id) != before:
                return True
    log.warning("read model resync requested but not yet written", case_id=case_id)
    return False


async def log_refusal(
    sessions: async_sessionmaker[AsyncSession], case_id: str, actor: Actor, code: str, detail: str, context: dict[str, Any],
) -> None:
    """Refused attempts leave nothing in Temporal's history, so the API keeps them in the audit log.

    Of the refused request's body only its size and hash are kept (``context["body"]``): a refused
    body may be anything, and the log keeps what was decided, not what was attempted.
    """
    log.warning("decision refused", case_id=case_id, code=code, detail=detail, **{k: v for k, v in context.items() if k != "data"})
    event = AuditEvent(
        key=f"{case_id}:rejected:{uuid.uuid4()}", at=datetime.now(UTC), kind="rejected",
        step=context.get("step"), task_id=context.get("task_id"), actor_subject=actor.subject, actor_name=actor.name,
        actor_role=",".join(r.value for r in actor.roles), actor_organisation=actor.organisation,
        decision=context.get("decision"), comment=detail, data={"problem": code, **context.get("body", {})},
    )
    await audit_repo.append_events_retrying(sessions, case_id, [event])
