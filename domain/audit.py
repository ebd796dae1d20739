"""The audit log's hash chain, and how a workflow's entries are told apart from a failed task's.

Each entry's hash covers its content and the previous hash. The workflow numbers its entries
(``<case>:<n>``); an entry that a workflow task wrote before the task failed is withdrawn by a
correction entry, never changed or removed, so the chain stays append-only and explains itself.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field

GENESIS_HASH = "0" * 64


class AuditEvent(BaseModel):
    """One business event on a case: a decision, a step change, a timer, a refused attempt."""

    key: str
    at: datetime
    kind: str  # decision / step / timer / rejected / system / correction
    step: str | None = None
    task_id: str | None = None
    actor_subject: str | None = None
    actor_name: str | None = None
    actor_role: str | None = None
    actor_organisation: str | None = None
    decision: str | None = None
    comment: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)
    # The Workflow Update (its id is the request's Idempotency-Key) whose handler recorded the event.
    update_id: str | None = None


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def chain_hash(prev_hash: str, case_id: str, seq: int, event: AuditEvent) -> str:
    """sha256 over the previous hash and the canonical JSON of the entry (sorted keys, UTC times)."""
    body = event.model_dump(mode="json")
    body["at"] = _utc_iso(event.at)
    if body.get("update_id") is None:  # entries from before update ids keep their hashes
        body.pop("update_id", None)
    payload = json.dumps(
        {"prev": prev_hash, "case_id": case_id, "seq": seq, "event": body},
        sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_canonical,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _utc_iso(at: datetime) -> str:
    # Microseconds are dropped: not every engine keeps them, and the hash must survive a round trip.
    return at.astimezone(UTC).replace(microsecond=0).isoformat()


class ChainBreak(BaseModel):
    """The first entry whose stored hash does not match its recomputed hash or predecessor."""

    seq: int
    reason: str


class WorkflowAuditHead(BaseModel):
    """What a case's workflow says of its audit chain (its ``audit_head`` query): the events it has projected."""

    case_id: str
    events_projected: int


@dataclass(frozen=True)
class ChainHead:
    """Where a chain ends, as anchored outside the audit log: its last sequence number and hash."""

    seq: int
    hash: str


def verify_chain(
    case_id: str, entries: list[tuple[int, str, str, AuditEvent]], head: ChainHead | None = None,
) -> ChainBreak | None:
    """Check ``(seq, prev_hash, hash, event)`` rows in order, then the last against the anchored ``head``;
    return the first broken link (or the first missing entry of a cut tail), if any."""
    expected_prev = GENESIS_HASH
    for position, (seq, prev_hash, stored, event) in enumerate(entries, start=1):
        if seq != position:
            return ChainBreak(seq=position, reason=f"sequence gap: entry {position} is missing (the next stored is {seq})")
        if prev_hash != expected_prev:
            return ChainBreak(seq=seq, reason="previous-hash link does not match the entry before")
        if chain_hash(prev_hash, case_id, seq, event) != stored:
            return ChainBreak(seq=seq, reason="content does not match its hash")
        expected_prev = stored
    return None if head is None else check_head(len(entries), expected_prev, head)


def check_head(last_seq: int, last_hash: str, head: ChainHead) -> ChainBreak | None:
    """The stored chain's last entry against its anchor: a cut tail names its first missing entry."""
    if head.seq > last_seq:
        return ChainBreak(
            seq=last_seq + 1,
            reason=f"missing tail: the chain's anchored head is entry {head.seq}, entries {last_seq + 1}–{head.seq} are missing",
        )
    if head.seq < last_seq:
        return ChainBreak(seq=head.seq + 1, reason=f"entries after the anchored head (entry {head.seq}) were written around the anchor")
    if head.hash != last_hash:
        return ChainBreak(seq=last_seq, reason="the last entry's hash does not match the anchored head")
    return None


def missing_workflow_event(case_id: str, entries: Sequence[StoredEntry], produced: int) -> tuple[int, int] | None:
    """The first of the workflow's ``produced`` timeline events (numbered 1..produced) the log does not hold,
    as ``(event number, chain position)``: the position right after the entry of the event before it.

    The workflow is the second anchor: it counts the entries it has projected, and a deleted tail
    (even with the stored head moved back, or a chain restored from an older backup) lacks the last of them.
    """
    live = live_workflow_entries(case_id, entries)
    missing = next((n for n in range(1, produced + 1) if n not in live), None)
    if missing is None:
        return None
    return missing, (live[missing - 1].seq + 1 if missing > 1 else 1)


# ----------------------------------------------------------------- the workflow's entries

CORRECTION = "correction"


def event_number(case_id: str, key: str) -> int | None:
    """The workflow's number of an entry (``<case>:<n>``, re-written ``<case>:<n>@<position>``); None for others."""
    prefix = f"{case_id}:"
    if not key.startswith(prefix):
        return None
    number = key[len(prefix):].split("@", 1)[0]
    return int(number) if number.isdigit() else None


def event_digest(event: AuditEvent) -> str:
    """What an event says, without its key and its time.

    A workflow task that is retried re-runs the same code on the same history and records the
    same events, only at the retry's clock: equal digests at the same number are the same event.
    """
    body = event.model_dump(mode="json", exclude={"key", "at"})
    payload = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_canonical)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class StoredEntry:
    """An audit entry as stored: its position in the chain, its key and what it says."""

    seq: int
    key: str
    event: AuditEvent


def withdrawn_by(entries: Iterable[tuple[int, str, dict[str, Any] | None]]) -> dict[int, int]:
    """From ``(position, kind, data)`` of a chain's entries: each withdrawn position -> its correction's."""
    out: dict[int, int] = {}
    for seq, kind, data in entries:
        if kind == CORRECTION:
            for withdrawn in (data or {}).get("withdrawn", []):
                out[int(withdrawn)] = seq
    return out


def withdrawals(entries: Sequence[StoredEntry]) -> dict[int, int]:
    """Chain position of each withdrawn entry -> the position of the correction that withdrew it."""
    return withdrawn_by((entry.seq, entry.event.kind, entry.event.data) for entry in entries)


def live_workflow_entries(case_id: str, entries: Sequence[StoredEntry]) -> dict[int, StoredEntry]:
    """The workflow's entries that stand (not withdrawn), by the workflow's event number."""
    withdrawn = withdrawals(entries)
    live: dict[int, StoredEntry] = {}
    for entry in entries:
        number = event_number(case_id, entry.key)
        if number is not None and entry.seq not in withdrawn:
            live[number] = entry
    return live


@dataclass(frozen=True)
class TailPlan:
    """How the stored tail of a case's workflow entries becomes what the workflow says it is."""

    withdraw: list[StoredEntry]  # written by a task that did not complete; the workflow never recorded them
    append: list[AuditEvent]  # the correction (if any) first, then the workflow's events not yet stored


WITHDRAWN_COMMENT = "撤销所列记录：写入这些记录的工作流任务未能完成，工作流历史中没有这些记录；以工作流重新执行的结果为准。"


def plan_tail(
    case_id: str, entries: Sequence[StoredEntry], events: Sequence[AuditEvent], events_through: int, *,
    at: datetime, context: dict[str, Any] | None = None,
) -> TailPlan:
    """Reconcile the stored entries with a projection of the workflow's events up to ``events_through``.

    The workflow is the source of truth. Stored entries numbered below the projection's first
    event were projected (and checked) before. From the first event on, the stored entries that
    say what the workflow says stand; from the first one that differs (or that the workflow has
    not produced at all) every stored entry is withdrawn by one correction entry, and the
    workflow's events are appended after it. Keys taken by withdrawn entries are not reused: a
    re-written event gets ``<case>:<n>@<position>``.
    """
    first = events_through - len(events) + 1
    live = live_workflow_entries(case_id, entries)
    tail = [live[n] for n in sorted(live) if n >= first]
    keep = 0
    while (
        keep < len(tail) and keep < len(events) and event_number(case_id, tail[keep].key) == first + keep
        and event_digest(tail[keep].event) == event_digest(events[keep])
    ):
        keep += 1
    withdraw, fresh = tail[keep:], list(events[keep:])
    position = (entries[-1].seq if entries else 0) + 1
    taken = {entry.key for entry in entries}
    append: list[AuditEvent] = []
    if withdraw:
        append.append(AuditEvent(
            key=f"{case_id}:{CORRECTION}:{position}", at=at, kind=CORRECTION, actor_subject="system", actor_name="系统",
            comment=WITHDRAWN_COMMENT,
            data={
                "withdrawn": [entry.seq for entry in withdraw], "withdrawn_keys": [entry.key for entry in withdraw],
                "reason": "written by a workflow task that did not complete: the workflow's history does not hold them",
                "events_through": events_through, **(context or {}),
            },
        ))
        position += 1
    for event in fresh:
        if event.key in taken:
            event = event.model_copy(update={"key": f"{event.key}@{position}"})
        append.append(event)
        position += 1
    return TailPlan(withdraw=withdraw, append=append)


# Records that are not cases keep a chain of their own in the audit log, under a key of their own
# (the log's ``case_id`` column names the chain): a household's fund account, an estate's committee.
def account_chain(household_id: str) -> str:
    """The audit chain of a household's fund account (分户账): its deposits."""
    return f"fund-account:{household_id}"


def committee_chain(estate_id: str) -> str:
    """The audit chain of an estate's owners' committee registry: registrations by the street office."""
    return f"owners-committee:{estate_id}"


def request_digest(*parts: str) -> str:
    """A fixed-length key for a request (who sent it and its Idempotency-Key), whatever their length."""
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()
