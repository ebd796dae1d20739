"""The audit log's hash chain: each entry's hash covers its content and the previous hash."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from typing import Any

from pydantic import BaseModel, Field

GENESIS_HASH = "0" * 64


class AuditEvent(BaseModel):
    """One business event on a case: a decision, a step change, a timer, a refused attempt."""

    key: str
    at: datetime
    kind: str  # decision / step / timer / rejected / system
    step: str | None = None
    task_id: str | None = None
    actor_subject: str | None = None
    actor_name: str | None = None
    actor_role: str | None = None
    actor_organisation: str | None = None
    decision: str | None = None
    comment: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def chain_hash(prev_hash: str, case_id: str, seq: int, event: AuditEvent) -> str:
    """sha256 over the previous hash and the canonical JSON of the entry (sorted keys, UTC times)."""
    body = event.model_dump(mode="json")
    body["at"] = _utc_iso(event.at)
    payload = json.dumps(
        {"prev": prev_hash, "case_id": case_id, "seq": seq, "event": body},
        sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_canonical,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _utc_iso(at: datetime) -> str:
    # Microseconds are dropped: not every engine keeps them, and the hash must survive a round trip.
    return at.astimezone(timezone.utc).replace(microsecond=0).isoformat()


class ChainBreak(BaseModel):
    """The first entry whose stored hash does not match its recomputed hash or predecessor."""

    seq: int
    reason: str


def verify_chain(case_id: str, entries: list[tuple[int, str, str, AuditEvent]]) -> ChainBreak | None:
    """Check ``(seq, prev_hash, hash, event)`` rows in order; return the first broken link, if any."""
    expected_prev = GENESIS_HASH
    for position, (seq, prev_hash, stored, event) in enumerate(entries, start=1):
        if seq != position:
            return ChainBreak(seq=seq, reason=f"sequence gap: expected {position}")
        if prev_hash != expected_prev:
            return ChainBreak(seq=seq, reason="previous-hash link does not match the entry before")
        if chain_hash(prev_hash, case_id, seq, event) != stored:
            return ChainBreak(seq=seq, reason="content does not match its hash")
        expected_prev = stored
    return None


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
