"""The audit log: append with the hash chain, read a timeline, check the chain."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.errors import ConflictingWrite
from db.models import AuditEntry, AuditHead
from domain.audit import GENESIS_HASH, AuditEvent, ChainBreak, ChainHead, StoredEntry, chain_hash, verify_chain


def _event_of(row: AuditEntry) -> AuditEvent:
    return AuditEvent(
        key=row.entry_key, at=row.at, kind=row.kind, step=row.step, task_id=row.task_id,
        actor_subject=row.actor_subject, actor_name=row.actor_name, actor_role=row.actor_role,
        actor_organisation=row.actor_organisation, decision=row.decision, comment=row.comment,
        data=row.data or {}, update_id=row.update_id,
    )


# Built once; the projection runs these at every waiting point of every case.
_ENTRIES = cast(Table, AuditEntry.__table__)
_LAST_LINK = (
    select(_ENTRIES.c.seq, _ENTRIES.c.hash).where(_ENTRIES.c.case_id == bindparam("case_id"))
    .order_by(_ENTRIES.c.seq.desc()).limit(1)
)
_APPEND = insert(_ENTRIES)
_HEADS = cast(Table, AuditHead.__table__)
_HEAD = select(_HEADS.c.seq, _HEADS.c.hash).where(_HEADS.c.chain_id == bindparam("case_id"))


def _head_upsert(insert_fn: Any) -> Any:
    ins = insert_fn(_HEADS)
    # Never backwards: a head only moves on to a longer chain.
    return ins.on_conflict_do_update(
        index_elements=[_HEADS.c.chain_id], set_={"seq": ins.excluded.seq, "hash": ins.excluded.hash},
        where=_HEADS.c.seq < ins.excluded.seq,
    )


_HEAD_UPSERT = {"postgresql": _head_upsert(pg_insert), "sqlite": _head_upsert(sqlite_insert)}


async def _chain_end(session: AsyncSession, case_id: str) -> tuple[int, str]:
    """Where the next entry chains on: the anchored head, or the stored last entry if that is further on.

    Chaining on the head keeps a cut tail visible: new entries follow the missing ones, and the
    gap stays in the sequence numbers instead of being filled by fresh entries.
    """
    last = (await session.execute(_LAST_LINK, {"case_id": case_id})).first()
    head = (await session.execute(_HEAD, {"case_id": case_id})).first()
    ends = [(int(row[0]), str(row[1])) for row in (last, head) if row is not None]
    return max(ends, default=(0, GENESIS_HASH))


async def append_events(session: AsyncSession, case_id: str, events: list[AuditEvent], *, maybe_stored: bool = True) -> int:
    """Append the events not yet stored (by key), chained to the case's last entry; returns how many.

    ``maybe_stored=False`` (a first attempt) skips the look-up of keys already written.
    """
    if not events:
        return 0
    fresh = events
    if maybe_stored:
        keys = [e.key for e in events]
        existing = set((await session.scalars(select(AuditEntry.entry_key).where(AuditEntry.entry_key.in_(keys)))).all())
        fresh = [e for e in events if e.key not in existing]
    if not fresh:
        return 0
    seq, prev = await _chain_end(session, case_id)
    rows = []
    for event in fresh:
        seq += 1
        digest = chain_hash(prev, case_id, seq, event)
        rows.append({
            "case_id": case_id, "seq": seq, "entry_key": event.key, "at": event.at, "kind": event.kind, "step": event.step,
            "task_id": event.task_id, "actor_subject": event.actor_subject, "actor_name": event.actor_name,
            "actor_role": event.actor_role, "actor_organisation": event.actor_organisation,
            "decision": event.decision, "comment": event.comment, "data": event.data, "prev_hash": prev, "hash": digest,
            "update_id": event.update_id,
        })
        prev = digest
    try:
        await session.execute(_APPEND, rows)  # one statement, no ORM objects to track
        bind = session.bind
        assert bind is not None, "a session bound to an engine"
        await session.execute(_HEAD_UPSERT[bind.dialect.name], {"chain_id": case_id, "seq": seq, "hash": prev})
    except IntegrityError as exc:
        # Another writer took the next sequence number (or stored the same event) first.
        raise ConflictingWrite(f"the audit log of {case_id} grew meanwhile; nothing was appended") from exc
    return len(fresh)


async def append_events_retrying(
    session_factory: async_sessionmaker[AsyncSession], case_id: str, events: list[AuditEvent], attempts: int = 5,
) -> int:
    """Append in its own transaction, retrying when a concurrent writer took the same sequence number."""
    for attempt in range(attempts):
        try:
            async with session_factory() as session, session.begin():
                return await append_events(session, case_id, events)
        except ConflictingWrite:
            if attempt == attempts - 1:
                raise
    return 0


async def timeline(session: AsyncSession, case_id: str) -> list[AuditEntry]:
    """Every audit entry of a case, in chain order."""
    rows = await session.scalars(select(AuditEntry).where(AuditEntry.case_id == case_id).order_by(AuditEntry.seq))
    return list(rows.all())


async def stored_entries(session: AsyncSession, case_id: str) -> list[StoredEntry]:
    """Every entry of a case as the domain reads it (position, key, content), in chain order."""
    return [StoredEntry(seq=r.seq, key=r.entry_key, event=_event_of(r)) for r in await timeline(session, case_id)]


async def head_of(session: AsyncSession, case_id: str) -> ChainHead | None:
    """The chain's anchored head (``audit_heads``), if it has one."""
    row = (await session.execute(_HEAD, {"case_id": case_id})).first()
    return ChainHead(seq=int(row[0]), hash=str(row[1])) if row is not None else None


async def check_chain(session: AsyncSession, case_id: str) -> tuple[int, ChainBreak | None]:
    """Recompute the case's chain up to its anchored head; returns the entry count and the first broken link
    (or the first missing entry of a cut tail), if any."""
    rows = await timeline(session, case_id)
    head = await head_of(session, case_id)
    return len(rows), verify_chain(case_id, [(r.seq, r.prev_hash, r.hash, _event_of(r)) for r in rows], head)
