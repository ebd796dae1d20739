"""Credit grades at every band edge, records in force, the blacklist and the 5-year disclosure limit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from domain.credit import (
    CreditRecordView,
    Grade,
    Quarter,
    QuarterFigures,
    RecordStatus,
    blacklist_entry,
    grade_for,
    publicly_disclosed,
    quarter_assessed_at,
    score,
    valid_until,
)
from domain.credit_facts import assess_company, current_standing, reassess
from domain.rules import CREDIT

T0 = datetime(2026, 7, 1, 8, tzinfo=UTC)


def rec(id: int, type: str, at: datetime = T0, *, points: int | None = None, revoked: datetime | None = None) -> CreditRecordView:
    t = CREDIT.record_types[type]
    return CreditRecordView(
        id=id, company_id="co", type=type, type_label=t.label, kind=t.kind, points=t.points if points is None else points,
        serious=t.serious, reason=f"记录{id}", recording_role=t.recording_role, recorded_at=at,
        valid_until=valid_until(type, at), revoked_at=revoked,
    )


@pytest.mark.parametrize(("total", "bad", "grade"), [
    ("85", False, Grade.AAA), ("84.99", False, Grade.AA), ("80", False, Grade.AA), ("79.99", False, Grade.A),
    ("70", False, Grade.A), ("69.99", False, Grade.B), ("60", True, Grade.B), ("60", False, Grade.B),
    ("59.99", True, Grade.C), ("59.99", False, Grade.B), ("0", False, Grade.B), ("100", True, Grade.AAA),
])
def test_grade_bands_have_inclusive_lower_ends(total: str, bad: bool, grade: Grade) -> None:
    assert grade_for(Decimal(total), has_bad_record=bad) == grade


def test_score_is_basic_plus_good_minus_bad_in_force_plus_weighted_figures() -> None:
    records = [rec(1, "award"), rec(2, "ticket_overdue"), rec(3, "ticket_overdue", T0 - timedelta(days=400))]
    figures = QuarterFigures(check_average=Decimal(90), tickets=4, overdue=1, closed=4, satisfied=3)
    s = score(records, figures, T0 + timedelta(days=1))
    # 55 + 5 − 2 (the old overdue record expired) + 90 × 0.1 + 0.75 × 10 − 0.25 × 10
    assert (s.basic, s.good, s.bad, s.checks, s.tickets) == (Decimal(55), Decimal(5), Decimal(2), Decimal("9.00"), Decimal("5.00"))
    assert s.total == Decimal("72.00")


def test_good_records_count_up_to_the_cap() -> None:
    records = [rec(i, "award") for i in range(10)]  # 50 points
    assert score(records, QuarterFigures(), T0).good == CREDIT.good_points_cap


def test_a_record_expires_after_a_year_and_a_revoked_one_counts_no_more() -> None:
    r = rec(1, "ticket_returned")
    assert r.status(T0 + timedelta(days=364)) == RecordStatus.IN_FORCE
    assert r.status(T0 + timedelta(days=365)) == RecordStatus.EXPIRED
    # An upheld objection finds the record wrong: it counts at no moment, even one before the revocation.
    revoked = rec(2, "ticket_returned", revoked=T0 + timedelta(days=2))
    assert not revoked.in_force(T0 + timedelta(days=1)) and revoked.status(T0 + timedelta(days=1)) == RecordStatus.REVOKED


def test_serious_dishonesty_is_disclosed_five_years_from_the_conduct_and_no_longer() -> None:
    r = rec(1, "serious_dishonesty")
    assert r.valid_until == datetime(2031, 7, 1, 8, tzinfo=UTC)
    assert publicly_disclosed(r, datetime(2031, 7, 1, 7, 59, 59, tzinfo=UTC))
    assert not publicly_disclosed(r, datetime(2031, 7, 1, 8, tzinfo=UTC))


def test_blacklist_by_a_serious_record_or_by_the_bad_points_threshold() -> None:
    assert blacklist_entry([rec(1, "handover_refused"), rec(2, "handover_overdue")], T0) is None  # 20 < 30
    entry = blacklist_entry([rec(1, "handover_refused"), rec(2, "handover_overdue"), rec(3, "tender_withdrawal", T0 + timedelta(days=1))],
                            T0 + timedelta(days=2))
    assert entry is not None and entry.since == T0 + timedelta(days=1) and entry.record_ids == [1, 2, 3]
    serious = blacklist_entry([rec(4, "serious_dishonesty")], T0)
    assert serious is not None and serious.record_ids == [4] and serious.until == datetime(2031, 7, 1, 8, tzinfo=UTC)
    assert blacklist_entry([rec(4, "serious_dishonesty", revoked=T0 + timedelta(hours=1))], T0 + timedelta(hours=1)) is None


def test_a_company_at_exactly_60_with_a_bad_record_is_b_and_below_it_c() -> None:
    # 55 + 10 (no tickets: full satisfaction) − 5 = 60 → B; one point more taken → C.
    line = assess_company("co", "某物业", [rec(1, "supervision_refused")], QuarterFigures(), T0)
    assert line.score.total == Decimal(60) and line.grade == Grade.B
    line = assess_company("co", "某物业", [rec(1, "supervision_refused"), rec(2, "ticket_returned")], QuarterFigures(), T0)
    assert line.score.total == Decimal(59) and line.grade == Grade.C and [r.id for r in line.bad_records] == [1, 2]


def test_reassessing_after_a_revocation_lifts_the_grade_unless_the_bureau_adjusted_it() -> None:
    records = [rec(1, "supervision_refused"), rec(2, "ticket_returned")]
    line = assess_company("co", "某物业", records, QuarterFigures(), T0)
    revoked = [records[0], rec(2, "ticket_returned", revoked=T0 + timedelta(days=3))]
    again = reassess(line, revoked, T0 + timedelta(days=3), "异议成立")
    assert again.grade == Grade.B and again.note == "异议成立" and [r.id for r in again.bad_records] == [1]
    adjusted = line.model_copy(update={"grade": Grade.A, "adjusted_reason": "复核", "adjusted_by": "bureau"})
    assert reassess(adjusted, revoked, T0 + timedelta(days=3), "n").grade == Grade.A


def test_the_standing_is_imported_until_the_first_assessment_and_computed_after() -> None:
    before = current_standing("co", [], None, "AA", False, T0)
    assert (before.grade, before.blacklist, before.basis) == (Grade.AA, None, "imported")
    # A serious record blacklists a company whatever its imported standing.
    assert current_standing("co", [rec(1, "serious_dishonesty")], None, "AAA", False, T0).blacklist is not None
    line = assess_company("co", "某物业", [], QuarterFigures(check_average=Decimal(100)), T0)
    assert line.grade == Grade.A  # 55 + 10 + 10 = 75
    after = current_standing("co", [rec(1, "handover_refused")], line, "AAA", True, T0 + timedelta(days=1))
    assert (after.grade, after.blacklist, after.basis) == (Grade.B, None, "assessment")  # 65


def test_quarters() -> None:
    q = Quarter.parse("2026q3")
    assert str(q) == "2026Q3" and q.start() == datetime(2026, 6, 30, 16, tzinfo=UTC) and q.end() == datetime(2026, 9, 30, 16, tzinfo=UTC)
    assert str(q.next().next()) == "2027Q1" and str(Quarter.parse("2027Q1").previous()) == "2026Q4"
    # The schedule fires on 1 October 02:00 city time (18:00 UTC the day before): the third quarter is assessed.
    assert str(quarter_assessed_at(datetime(2026, 9, 30, 18, tzinfo=UTC))) == "2026Q3"
    for bad in ("2026", "2026Q5", "Q3", "abcdQ1", "1999Q1"):
        with pytest.raises(ValueError):
            Quarter.parse(bad)


def test_the_overview_counts_grades_per_quarter_moves_and_records_by_type() -> None:
    from domain.credit_report import PublishedGrade, credit_overview

    def line(q: str, co: str, g: Grade, black: bool = False) -> PublishedGrade:
        return PublishedGrade(quarter=q, company_id=co, company_name=co, grade=g, blacklisted=black)

    lines = [line("2026Q3", "a", Grade.B), line("2026Q3", "b", Grade.AA), line("2026Q3", "c", Grade.C, True),
             line("2026Q4", "a", Grade.A), line("2026Q4", "b", Grade.AA), line("2026Q4", "c", Grade.C), line("2026Q4", "d", Grade.B)]
    records = [rec(1, "ticket_overdue"), rec(2, "ticket_overdue", T0 - timedelta(days=400)),
               rec(3, "ticket_overdue", revoked=T0), rec(4, "award")]
    report = credit_overview(lines, records, T0 + timedelta(hours=1))
    assert [(q.quarter, q.grades["B"], q.grades["AA"], q.grades["C"], q.blacklisted, q.companies) for q in report.quarters] == [
        ("2026Q3", 1, 1, 1, 1, 3), ("2026Q4", 1, 1, 1, 0, 4)]
    assert [(m.company_id, m.previous_grade, m.grade, m.direction) for m in report.moves] == [("a", Grade.B, Grade.A, "up")]
    assert [(r.type, r.total, r.in_force, r.expired, r.revoked) for r in report.records] == [
        ("award", 1, 1, 0, 0), ("ticket_overdue", 3, 1, 1, 1)]


def test_the_demo_compresses_the_objection_window_only() -> None:
    from core.registry import REGISTRY

    spec = REGISTRY["credit-assessment"]
    assert spec.rules_for(False) is CREDIT
    demo = spec.rules_for(True)
    assert demo is not None and demo.objection_window == timedelta(minutes=15)  # type: ignore[attr-defined]
    assert demo.model_copy(update={"objection_window": CREDIT.objection_window}) == CREDIT
