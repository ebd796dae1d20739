"""The missing grade (缺失): a company the credit system holds nothing on is C, marked missing.

DOMAIN.md (credit): "a company that serves estates but is not registered in the credit system is
C (缺失, missing)". The system holds something on a company once it has an imported grade, any
credit record (whatever its state), or a published line that was graded.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from domain.credit import Grade, QuarterFigures, grade_label
from domain.credit_facts import assess_company, current_standing, in_credit_system
from tests.domain.test_credit import T0, rec


def test_a_company_with_no_grade_no_record_and_no_assessment_is_c_missing() -> None:
    standing = current_standing("co", [], None, None, False, T0)
    assert (standing.grade, standing.missing, standing.basis, standing.grade_label) == (Grade.C, True, "missing", "C（缺失）")
    assert standing.blacklist is None


@pytest.mark.parametrize("imported", [None, "", "X", "缺失"])
def test_an_imported_grade_that_is_no_grade_leaves_the_company_missing(imported: str | None) -> None:
    assert current_standing("co", [], None, imported, False, T0).missing


def test_an_imported_grade_registers_the_company() -> None:
    standing = current_standing("co", [], None, "AA", False, T0)
    assert (standing.grade, standing.missing, standing.grade_label) == (Grade.AA, False, "AA")


@pytest.mark.parametrize("state", ["in_force", "expired", "revoked"])
def test_one_record_of_any_state_registers_the_company_and_its_grade_follows_the_records(state: str) -> None:
    at = T0 + (timedelta(days=400) if state == "expired" else timedelta(days=1))
    record = rec(1, "ticket_returned", revoked=T0 if state == "revoked" else None)
    assert in_credit_system([record], None, None)
    standing = current_standing("co", [record], None, None, False, at)
    # 55 + 10 (no closed ticket: fully satisfied) − 1 while the record is in force: B either way.
    assert (standing.grade, standing.missing, standing.basis) == (Grade.B, False, "assessment")


def test_a_published_missing_line_does_not_register_the_company() -> None:
    line = assess_company("co", "某物业", [], QuarterFigures(), T0, registered=False)
    assert not in_credit_system([], line, None)
    assert current_standing("co", [], line, None, False, T0 + timedelta(days=1)).missing


def test_a_monthly_check_in_the_quarter_registers_the_company() -> None:
    # A street's check sheet is something the credit system holds: the company is graded, not 缺失.
    assert not in_credit_system([], None, None)
    assert in_credit_system([], None, None, checked=True)


def test_an_unregistered_company_is_assessed_c_missing_whatever_its_score() -> None:
    line = assess_company("co", "某物业", [], QuarterFigures(check_average=Decimal(100)), T0, registered=False)
    assert line.score.total == Decimal(75)  # the score is shown; the grade is the missing one
    assert (line.grade, line.computed_grade, line.missing) == (Grade.C, Grade.C, True)
    graded = assess_company("co", "某物业", [], QuarterFigures(check_average=Decimal(100)), T0)
    assert (graded.grade, graded.missing) == (Grade.A, False)


def test_grade_labels() -> None:
    assert (grade_label(Grade.C, missing=True), grade_label(Grade.C), grade_label(None)) == ("C（缺失）", "C", "C（缺失）")
