"""A company's credit timeline (信用档案时间线): records, grade changes, adjustments, blacklist entry and exit.

Pure: built from what is stored (the records with their dates, each published quarter's line, and
the assessment cases' audit entries of adjustments and republications), so it is the same
whenever it is read. The blacklist's entries and exits are derived at every moment a record
starts, expires or is revoked: an entry names the records and the case (or the bureau's entry)
that put the company there, an exit says why it ended — the records reached the end of their
validity (one year [S], serious dishonesty five years from the end of the conduct, 山东社会信用条例
Art. 38) or were revoked (an upheld objection, Art. 39, or the bureau's revocation, Art. 40).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field

from domain.credit import BlacklistEntry, CreditRecordView, blacklist_entry, grade_label
from domain.credit_facts import AssessmentLine
from domain.rules import CREDIT, CreditRules

EVENT_LABELS: dict[str, str] = {
    "record": "信用记录", "record_expired": "记录到期", "record_revoked": "记录撤销",
    "blacklist_entry": "列入黑名单", "blacklist_exit": "移出黑名单",
    "grade_published": "公布信用等级", "grade_adjusted": "住建局调整等级", "grade_republished": "更正并重新公布",
}
SOURCE_LABELS: dict[str, str] = {"case": "案件", "bureau": "住建局决定", "objection": "异议成立", "rules": "有效期届满"}


class TimelineEvent(BaseModel):
    """One change on a company's credit file: when, what, why, and where it comes from."""

    at: datetime
    kind: str
    label: str
    reason: str | None = None
    # Where it comes from: a case (its id), the bureau's decision, an upheld objection, or the rules (expiry).
    source: str
    source_label: str
    case_id: str | None = None
    record_ids: list[int] = Field(default_factory=list)
    quarter: str | None = None
    grade_before: str | None = None
    grade_after: str | None = None
    score: Decimal | None = None
    by: str | None = None
    # The audit-log entry that holds the act (the case's hash chain, or the company's credit chain).
    audit_case_id: str | None = None
    audit_seq: int | None = None


class PublishedRow(BaseModel):
    """A company's published line of one quarter, as stored."""

    quarter: str
    case_id: str
    published_at: datetime
    line: AssessmentLine


class AuditRef(BaseModel):
    """An audit entry of an assessment case or of the company's credit chain that concerns the company."""

    case_id: str
    seq: int
    at: datetime
    decision: str | None
    comment: str | None
    actor_subject: str | None
    data: dict[str, Any]


def _event(kind: str, at: datetime, source: str, **fields: Any) -> TimelineEvent:
    return TimelineEvent(kind=kind, label=EVENT_LABELS[kind], at=at, source=source, source_label=SOURCE_LABELS[source], **fields)


def credit_file_chain(company_id: str) -> str:
    """The audit chain of a company's credit file: the bureau's own acts on it (records entered by hand, revocations)."""
    return f"credit-file:{company_id}"


def _source_of(record: CreditRecordView) -> str:
    # A person entered it (the bureau, by hand) or a case wrote it.
    return "bureau" if record.recorded_by or not record.case_id else "case"


def record_events(records: list[CreditRecordView], now: datetime, entries: list[AuditRef]) -> list[TimelineEvent]:
    """Each record written, expired (validity reached) and revoked, with its source."""
    by_record = {e.data.get("record_id"): e for e in entries if e.decision == "credit_record"}
    by_revocation = {e.data.get("record_id"): e for e in entries if e.decision == "revoke_record"}
    out: list[TimelineEvent] = []
    for r in records:
        entered = by_record.get(r.id) if _source_of(r) == "bureau" else None
        out.append(_event("record", r.recorded_at, _source_of(r), reason=f"{r.type_label}（{r.points:+d}分）：{r.reason}", case_id=r.case_id,
                          record_ids=[r.id], by=r.recorded_by, audit_case_id=entered.case_id if entered else r.case_id,
                          audit_seq=entered.seq if entered else None))
        if r.revoked_at is not None and r.revoked_at <= now:
            revoked = by_revocation.get(r.id)
            out.append(_event("record_revoked", r.revoked_at, "objection" if (r.revoked_reason or "").startswith("异议成立") else "bureau",
                              reason=r.revoked_reason, record_ids=[r.id], case_id=r.case_id, by=revoked.actor_subject if revoked else None,
                              audit_case_id=revoked.case_id if revoked else None, audit_seq=revoked.seq if revoked else None))
        elif r.valid_until is not None and r.valid_until <= now:
            out.append(_event("record_expired", r.valid_until, "rules", reason=f"{r.type_label}有效期届满", record_ids=[r.id]))
    return out


def _as_of(records: list[CreditRecordView], at: datetime) -> list[CreditRecordView]:
    """The records as they stood at ``at``: a record revoked later still counted then."""
    return [r.model_copy(update={"revoked_at": None}) if r.revoked_at is not None and r.revoked_at > at else r for r in records]


def blacklist_events(records: list[CreditRecordView], now: datetime, rules: CreditRules = CREDIT) -> list[TimelineEvent]:
    """Every entry on and exit from the blacklist, at the moments the records changed."""
    moments = sorted({m for r in records for m in (r.recorded_at, r.valid_until, r.revoked_at) if m is not None and m <= now})
    by_id = {r.id: r for r in records}
    out: list[TimelineEvent] = []
    on: BlacklistEntry | None = None
    for at in moments:
        entry = blacklist_entry(_as_of(records, at), at, rules)
        if on is None and entry is not None:
            cause = [by_id[i] for i in entry.record_ids if by_id[i].recorded_at == at] or [by_id[entry.record_ids[-1]]]
            out.append(_event("blacklist_entry", at, _source_of(cause[0]), reason=entry.reason, case_id=cause[0].case_id,
                              record_ids=entry.record_ids))
        elif on is not None and entry is None:
            out.append(_exit(on, [by_id[i] for i in on.record_ids], at))
        on = entry
    return out


def _exit(on: BlacklistEntry, held: list[CreditRecordView], at: datetime) -> TimelineEvent:
    revoked = [r for r in held if r.revoked_at == at]
    if revoked:
        source = "objection" if (revoked[0].revoked_reason or "").startswith("异议成立") else "bureau"
        return _event("blacklist_exit", at, source, reason=f"记录 {', '.join(str(r.id) for r in revoked)} 撤销：{revoked[0].revoked_reason}",
                      record_ids=[r.id for r in revoked], case_id=revoked[0].case_id)
    ended = [r for r in held if r.valid_until == at] or held
    serious = any(r.serious for r in ended)
    why = "严重失信信息披露期限届满（山东社会信用条例第三十八条）" if serious else "不良记录有效期届满，累计扣分低于黑名单标准"
    return _event("blacklist_exit", at, "rules", reason=f"{why}；原因：{on.reason}", record_ids=[r.id for r in ended])


def grade_events(rows: list[PublishedRow], imported_grade: str | None, entries: list[AuditRef]) -> list[TimelineEvent]:
    """Each published quarter whose grade differs from the one before (the first always), its adjustments and corrections."""
    out: list[TimelineEvent] = []
    before = imported_grade or grade_label(None)
    for row in sorted(rows, key=lambda r: r.quarter):
        label = grade_label(row.line.grade, missing=row.line.missing)
        if label != before:
            out.append(_event("grade_published", row.published_at, "case", quarter=row.quarter, grade_before=before, grade_after=label,
                              score=row.line.score.total, case_id=row.case_id, reason=row.line.adjusted_reason,
                              audit_case_id=row.case_id))
        before = label
    quarters = {r.case_id: r.quarter for r in rows}
    for e in entries:
        if e.case_id not in quarters:
            continue
        if e.decision == "adjust":
            out.append(_event("grade_adjusted", e.at, "bureau", quarter=quarters[e.case_id], grade_before=e.data.get("grade_before"),
                              grade_after=e.data.get("grade"), reason=e.comment, by=e.actor_subject, case_id=e.case_id,
                              audit_case_id=e.case_id, audit_seq=e.seq))
        elif "grade_after" in e.data and e.data.get("record_id") is not None:
            out.append(_event("grade_republished", e.at, "objection", quarter=quarters[e.case_id], grade_before=e.data.get("grade_before"),
                              grade_after=e.data.get("grade_after"), reason=e.comment, record_ids=[e.data["record_id"]],
                              case_id=e.case_id, audit_case_id=e.case_id, audit_seq=e.seq))
    return out


def company_timeline(
    records: list[CreditRecordView], rows: list[PublishedRow], imported_grade: str | None, entries: list[AuditRef], now: datetime,
    rules: CreditRules = CREDIT,
) -> list[TimelineEvent]:
    """The whole timeline, newest first."""
    events = [*record_events(records, now, entries), *blacklist_events(records, now, rules), *grade_events(rows, imported_grade, entries)]
    order = list(EVENT_LABELS)
    return sorted(events, key=lambda e: (e.at, order.index(e.kind)), reverse=True)
