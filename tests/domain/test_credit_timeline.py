"""A company's credit timeline: records, blacklist entry and exit with reason, date and source, grade changes."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from domain.credit import QuarterFigures
from domain.credit_facts import assess_company
from domain.credit_timeline import AuditRef, PublishedRow, blacklist_events, company_timeline, grade_events
from tests.domain.test_credit import T0, rec


def test_a_serious_record_enters_the_blacklist_when_written_and_leaves_it_when_its_disclosure_ends() -> None:
    serious = rec(1, "serious_dishonesty").model_copy(update={"case_id": "tender-x-1"})
    assert serious.valid_until is not None
    before_end = blacklist_events([serious], serious.valid_until - timedelta(seconds=1))
    assert [(e.kind, e.at, e.source, e.case_id) for e in before_end] == [("blacklist_entry", T0, "case", "tender-x-1")]
    [entry, exit_] = blacklist_events([serious], serious.valid_until)
    assert (exit_.kind, exit_.at, exit_.source, exit_.record_ids) == ("blacklist_exit", serious.valid_until, "rules", [1])
    assert "第三十八条" in (exit_.reason or "") and "严重失信" in (entry.reason or "")


def test_bad_points_reach_the_threshold_at_the_record_that_crosses_it_and_leave_when_the_first_expires() -> None:
    # 3 × 10 points: the third, a month later, reaches 30 [C]; the first expires after a year, leaving 20.
    records = [rec(i, "handover_refused", T0 + timedelta(days=15 * (i - 1))) for i in (1, 2, 3)]
    first_end = records[0].valid_until
    assert first_end is not None
    events = blacklist_events(records, first_end + timedelta(days=1))
    assert [(e.kind, e.at) for e in events] == [("blacklist_entry", records[2].recorded_at), ("blacklist_exit", first_end)]
    assert events[0].source == "bureau" and events[1].source == "rules"  # no case named: the bureau's entry


def test_an_upheld_objection_takes_the_company_off_the_blacklist_and_the_history_keeps_the_entry() -> None:
    revoked_at = T0 + timedelta(days=10)
    serious = rec(1, "serious_dishonesty", revoked=revoked_at).model_copy(update={"revoked_reason": "异议成立：材料属实"})
    [entry, exit_] = blacklist_events([serious], T0 + timedelta(days=20))
    assert (entry.at, exit_.at, exit_.source) == (T0, revoked_at, "objection")
    bureau = serious.model_copy(update={"revoked_reason": "行政处罚决定被撤销（第四十条）"})
    assert blacklist_events([bureau], T0 + timedelta(days=20))[1].source == "bureau"


def test_grade_changes_list_the_first_quarter_and_each_change_with_old_new_and_score() -> None:
    def row(quarter: str, check: int, *, missing: bool = False) -> PublishedRow:
        line = assess_company("co", "某物业", [], QuarterFigures(check_average=Decimal(check)), T0, registered=not missing)
        return PublishedRow(quarter=quarter, case_id=f"credit-assessment-{quarter}", published_at=T0, line=line)

    rows = [row("2026Q1", 0, missing=True), row("2026Q2", 0), row("2026Q3", 0), row("2026Q4", 100)]
    events = grade_events(rows, None, [])
    assert [(e.quarter, e.grade_before, e.grade_after, e.score) for e in events] == [
        ("2026Q2", "C（缺失）", "B", Decimal(65)), ("2026Q4", "B", "A", Decimal(75)),
    ]
    assert [e.quarter for e in grade_events(rows[1:], "AA", [])] == ["2026Q2", "2026Q4"]  # AA imported → B


def test_adjustments_and_corrections_come_from_the_assessment_cases_audit_entries() -> None:
    line = assess_company("co", "某物业", [], QuarterFigures(), T0)
    rows = [PublishedRow(quarter="2026Q3", case_id="credit-assessment-2026Q3", published_at=T0, line=line)]
    entries = [
        AuditRef(case_id="credit-assessment-2026Q3", seq=4, at=T0, decision="adjust", comment="整改到位", actor_subject="bureau-li",
                 data={"company_id": "co", "grade_before": "B", "grade": "A"}),
        AuditRef(case_id="credit-assessment-2026Q3", seq=9, at=T0 + timedelta(days=2), decision=None, comment="记录已撤销",
                 actor_subject=None, data={"company_id": "co", "record_id": 7, "grade_before": "C", "grade_after": "B"}),
        AuditRef(case_id="credit-assessment-2025Q1", seq=2, at=T0, decision="adjust", comment="other", actor_subject="x", data={}),
    ]
    events = {e.kind: e for e in grade_events(rows, None, entries)}
    adj, fix = events["grade_adjusted"], events["grade_republished"]
    assert (adj.grade_before, adj.grade_after, adj.reason, adj.by, adj.audit_seq) == ("B", "A", "整改到位", "bureau-li", 4)
    assert (fix.grade_before, fix.grade_after, fix.record_ids, fix.source) == ("C", "B", [7], "objection")


def test_the_timeline_is_newest_first_with_expiry_and_revocation_of_records() -> None:
    old = rec(1, "ticket_returned").model_copy(update={"case_id": "ticket-x-1"})
    revoked = rec(2, "supervision_refused", T0 + timedelta(days=1), revoked=T0 + timedelta(days=3)).model_copy(
        update={"revoked_reason": "异议成立：已提供资料"})
    assert old.valid_until is not None
    events = company_timeline([old, revoked], [], None, [], old.valid_until + timedelta(days=1))
    assert [e.kind for e in events] == ["record_expired", "record_revoked", "record", "record"]
    assert [e.at for e in events] == sorted((e.at for e in events), reverse=True)
    assert events[1].source == "objection" and events[0].source == "rules"
