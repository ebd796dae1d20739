"""After a database restore: bring the read model, the audit log and the fund's money back to what Temporal holds.

A restore of ``wuyeflow`` alone leaves Temporal ahead of it (deploy/README.md, "Restoring the
database from a backup"): decisions, payments and notices the workflows made after the backup are
in their histories but no longer in the database. For every case workflow Temporal lists (running
and closed within retention) this replays its history as the consistency check does
(``core.consistency.history_projections``) and

- appends the audit entries the restore cut off, in their original order (the chain is
  append-only: a restore cuts its tail, and appending the tail is what mends it), and writes the
  case row from the history's last projection when the stored one is older;
- re-applies every notice freeze and every payment the history completed, with the same payment
  key, through the activities' own idempotent code (``apply_freeze``, ``apply_payment``): a payment
  that survived is found by its key and debited nothing; one the restore rolled back gets its
  ledger lines and its ``fund_payments`` row again, so the final payment (which debits the
  settlement less what the first payment's key paid) never debits the first payment twice.

Run it after the migrations and before the workers and the API start:
``python -m core.reconcile`` (exits 1 when a case could not be reconciled).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TextIO

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import workflow as temporal_workflow
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client, WorkflowHistory

from activities.fund_emergency import FreezeNoticeRequest, PaymentRequest, apply_freeze, apply_payment
from core.consistency import history_projections
from core.logging import configure_logging
from core.settings import get_settings
from core.temporal import connect
from db.models import FundPayment
from db.repositories import audit as audit_repo
from db.repositories import cases as cases_repo
from db.repositories import fund as fund_repo
from db.session import make_engine, make_session_factory, transaction
from domain.audit import event_number, plan_tail
from domain.projection import ProjectionAnchor

PAY = "fund_emergency_pay"
FREEZE = "fund_emergency_freeze_notice"
LIST_LIMIT = 100_000


@dataclass
class CaseRepair:
    """What reconciling one case did (or why it could not)."""

    case_id: str
    entries_appended: int = 0
    row_written: bool = False
    notices_refrozen: int = 0
    payments_reapplied: list[str] = field(default_factory=list)
    error: str | None = None


@dataclass(frozen=True)
class _Call:
    activity: str
    arg: bytes
    at: datetime  # when the activity completed
    result: bytes


def completed_calls(history: WorkflowHistory, names: set[str]) -> list[_Call]:
    """The activities named ``names`` the history completed, in the order they were scheduled."""
    scheduled: dict[int, HistoryEvent] = {}
    calls: list[tuple[int, _Call]] = []
    for event in history.events:
        if event.HasField("activity_task_scheduled_event_attributes"):
            if event.activity_task_scheduled_event_attributes.activity_type.name in names:
                scheduled[event.event_id] = event
        elif event.HasField("activity_task_completed_event_attributes"):
            done = event.activity_task_completed_event_attributes
            start = scheduled.get(done.scheduled_event_id)
            if start is None:
                continue
            attrs = start.activity_task_scheduled_event_attributes
            result = done.result.payloads[0].data if done.result.payloads else b"null"
            calls.append((start.event_id, _Call(
                activity=attrs.activity_type.name, arg=attrs.input.payloads[0].data,
                at=event.event_time.ToDatetime(tzinfo=UTC), result=result,
            )))
    return [call for _, call in sorted(calls, key=lambda c: c[0])]


async def _repair_money(sessions: async_sessionmaker[AsyncSession], history: WorkflowHistory, repair: CaseRepair) -> None:
    """Re-apply the history's notice freezes and payments; each is idempotent, so one that survived writes nothing."""
    for call in completed_calls(history, {PAY, FREEZE}):
        async with transaction(sessions) as session:
            if call.activity == FREEZE:
                freeze = FreezeNoticeRequest.model_validate_json(call.arg)
                if not await _notice_frozen(session, freeze):
                    await apply_freeze(session, freeze)
                    repair.notices_refrozen += 1
                continue
            if not json.loads(call.result).get("paid"):
                continue  # a shortfall: the history paid nothing then
            request = PaymentRequest.model_validate_json(call.arg)
            if await session.get(FundPayment, request.key) is not None:
                continue
            outcome = await apply_payment(session, request, call.at)
            if not outcome.paid:
                raise RuntimeError(f"payment {request.key} could not be made again: {len(outcome.shortfalls)} account(s) short")
            repair.payments_reapplied.append(request.key)


async def _notice_frozen(session: AsyncSession, request: FreezeNoticeRequest) -> bool:
    return bool(await fund_repo.notice_shares(session, case_id=request.case_id, notice_no=request.notice_no))


async def _repair_projection(sessions: async_sessionmaker[AsyncSession], history: WorkflowHistory, repair: CaseRepair) -> None:
    """Append the audit entries the restore cut off and write the case row when the history's is newer."""
    projections, error = await history_projections(history)
    if error is not None:
        raise RuntimeError(error)
    if not projections:
        return
    last = projections[-1]
    snap = last.snapshot
    expected = [event for projection in projections for event in projection.events]
    through = last.through()
    async with transaction(sessions) as session:
        stored = await cases_repo.lock_anchor(session, snap.case_id)
        entries = await audit_repo.stored_entries(session, snap.case_id)
        plan = plan_tail(snap.case_id, entries, expected, len(expected), at=snap.updated_at)
        if plan.withdraw:
            # The database holds entries the history does not: not a restore's cut, leave it to the consistency check.
            raise RuntimeError(f"{len(plan.withdraw)} stored entries differ from the history; run wuyeflow-audit consistency")
        repair.entries_appended = await audit_repo.append_events(session, snap.case_id, plan.append, maybe_stored=False)
        numbers = [n for n in (event_number(snap.case_id, e.key) for e in entries) if n is not None]
        anchor = ProjectionAnchor(at=snap.updated_at, history_length=last.history_length, version=snap.version,
                                  events_through=through, events_written=max([through, *numbers]))
        if stored is None or stored.rank() < anchor.rank():
            anchor = replace(anchor, events_written=max(anchor.events_written, stored.events_written if stored else 0))
            await cases_repo.put_snapshot(session, snap, anchor, inbox_changed=True)
            repair.row_written = True


async def reconcile_case(client: Client, sessions: async_sessionmaker[AsyncSession], workflow_id: str, run_id: str | None = None) -> CaseRepair:
    """Reconcile one case with its workflow's history (raises RPCError if Temporal has none)."""
    history = await client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()
    repair = CaseRepair(case_id=workflow_id)
    try:
        await _repair_projection(sessions, history, repair)
        await _repair_money(sessions, history, repair)
    except RuntimeError as exc:
        repair.error = str(exc)
    return repair


def case_workflow_names() -> set[str]:
    from core.registry import workflow_types

    names = set()
    for cls in workflow_types():
        definition = temporal_workflow._Definition.from_class(cls)
        if definition is not None and definition.name is not None:
            names.add(definition.name)
    return names


async def reconcile_all(client: Client, sessions: async_sessionmaker[AsyncSession], out: TextIO | None = None) -> list[CaseRepair]:
    """Every case workflow Temporal lists (running and closed within retention), oldest first."""
    names = case_workflow_names()
    executions = [e async for e in client.list_workflows(limit=LIST_LIMIT) if e.workflow_type in names]
    repairs = []
    for execution in sorted(executions, key=lambda e: e.start_time):
        repair = await reconcile_case(client, sessions, execution.id, execution.run_id)
        repairs.append(repair)
        if out is not None and (repair.error or repair.entries_appended or repair.row_written or repair.payments_reapplied
                                or repair.notices_refrozen):
            out.write(f"{repair.case_id}: {repair.entries_appended} audit entries appended, row "
                      f"{'written' if repair.row_written else 'kept'}, {repair.notices_refrozen} notices and "
                      f"{len(repair.payments_reapplied)} payments re-applied{f'; ERROR {repair.error}' if repair.error else ''}\n")
    return repairs


async def run(out: TextIO) -> int:
    settings = get_settings()
    configure_logging(settings)
    engine = make_engine(settings)
    try:
        client = await connect(settings)
        repairs = await reconcile_all(client, make_session_factory(engine), out)
    finally:
        await engine.dispose()
    failed = [r for r in repairs if r.error]
    out.write(f"reconciled {len(repairs)} case workflows: {sum(r.entries_appended for r in repairs)} audit entries appended, "
              f"{sum(r.row_written for r in repairs)} case rows written, "
              f"{sum(len(r.payments_reapplied) for r in repairs)} payments re-applied, {len(failed)} failed\n")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(prog="python -m core.reconcile", description=__doc__.splitlines()[0] if __doc__ else None).parse_args(argv)
    return asyncio.run(run(sys.stdout))


if __name__ == "__main__":
    raise SystemExit(main())
