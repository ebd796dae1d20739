"""Importing the housing registry: a dry run that reads, checks and plans a file; applying a reviewed dry run.

Used by the API (``POST /imports/{kind}``) and the command line (``wuyeflow-import``) alike. The
rules are in ``domain.registry_import`` / ``domain.registry_plan``, the storage in ``db``.
"""

from __future__ import annotations

import gc
import hashlib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core.spreadsheets import read_table
from db.errors import ConflictingWrite, NotFound
from db.models import RegistryImport
from db.repositories import registry_import as import_repo
from db.repositories.registry_view import registry_view
from domain.access import Actor
from domain.registry_import import COLUMNS, KIND_LABELS, ImportKind, ParsedRow, Record, parse_rows
from domain.registry_plan import Plan, plan_import


@contextmanager
def _bulk() -> Iterator[None]:
    """The cyclic garbage collector paused while a file's rows are held: a 50,000-row plan is millions of
    small objects, and full collections over them took a quarter of the time. Nothing here makes cycles."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class DryRunRefused(ConflictingWrite):
    """The dry run cannot be applied as it is (refused rows, applied already, another kind)."""


async def _plan(session: AsyncSession, kind: ImportKind, rows: list[ParsedRow]) -> Plan:
    return plan_import(kind, rows, await registry_view(session, kind, rows))


def _stored_rows(records: list[Any]) -> list[ParsedRow]:
    return [ParsedRow(row=r["row"], key=r["key"], record=r["record"], errors=r["errors"]) for r in records]


async def dry_run(
    session: AsyncSession, *, kind: ImportKind, content: bytes, file_name: str | None, actor: Actor, secret: str,
) -> RegistryImport:
    """Read and check every row, plan it against the registry, store the dry run; nothing in the registry changes.

    Raises ``core.spreadsheets.UnreadableFile`` or ``domain.registry_import.FileRefused`` for a file
    that cannot be read as a whole.
    """
    with _bulk():
        headers, table = read_table(content)
        rows = parse_rows(kind, headers, table, secret=secret)
        plan = await _plan(session, kind, rows)
    records: list[Record] = [{"row": r.row, "key": r.key, "record": r.record, "errors": r.errors} for r in rows]
    run = RegistryImport(
        id=f"imp-{uuid.uuid4().hex[:16]}", kind=kind.value, file_name=(file_name or "")[:200] or None,
        file_sha256=hashlib.sha256(content).hexdigest(), created_at=datetime.now(UTC), created_by=actor.subject,
        status="dry_run", plan_digest=plan.digest, counts=plan.counts, records=records, outcomes=plan.outcomes, changed=0,
    )
    await import_repo.save_run(session, run)
    return run


async def apply(session: AsyncSession, *, kind: ImportKind, run_id: str, actor: Actor) -> RegistryImport:
    """Apply a reviewed dry run: all its changes or none, only while the registry is as the dry run saw it."""
    run = await import_repo.run_for_update(session, run_id)
    if run is None or run.kind != kind.value:
        raise NotFound(f"no dry run {run_id} of {kind.value}")
    if run.status != "dry_run":
        raise DryRunRefused(f"试运行 {run_id} 已于 {run.applied_at} 导入，不能重复导入")
    if run.counts.get("refused"):
        raise DryRunRefused(f"试运行中有 {run.counts['refused']} 行被拒绝：请修改文件后重新试运行")
    with _bulk():
        plan = await _plan(session, kind, _stored_rows(run.records))
        if plan.digest != run.plan_digest or plan.refused:
            raise DryRunRefused("登记数据在试运行之后已有变化（试运行已过期）：请重新试运行并复核")
        at = datetime.now(UTC)
        run.changed = await import_repo.apply_changes(session, kind=kind.value, run_id=run.id, changes=plan.changes, actor=actor, at=at,
                                                      reason=f"导入{KIND_LABELS[kind]}：{run.file_name or run.file_sha256[:12]}")
    run.status, run.applied_at, run.applied_by = "applied", at, actor.subject
    await session.flush()
    return run


class RecordRefused(ValueError):
    """One record written through the administration API was refused; ``errors`` name the field and the reason."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__("; ".join(f"{e['column']}: {e['reason']}" for e in errors))
        self.errors = errors


async def change_record(
    session: AsyncSession, *, kind: ImportKind, cells: dict[str, str], actor: Actor, reason: str, secret: str,
) -> dict[str, Any]:
    """Create or update one record as a one-row import: the same checks, the same audit (with the reason); its outcome.

    ``cells`` are the template's fields as the spreadsheet would hold them.
    """
    headers = [c.header for c in COLUMNS[kind]]
    rows = parse_rows(kind, headers, [[cells.get(c.field, "") for c in COLUMNS[kind]]], secret=secret)
    plan = await _plan(session, kind, rows)
    outcome = plan.outcomes[0]
    if outcome["outcome"] == "refused":
        raise RecordRefused(outcome["errors"])
    await import_repo.apply_changes(session, kind=kind.value, run_id=f"api-{uuid.uuid4().hex[:12]}", changes=plan.changes,
                                    actor=actor, at=datetime.now(UTC), reason=reason)
    return outcome
