"""The monthly check's rules: the month's first working day, the sheet's score and what a sheet must hold."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from domain.calendar import CITY_TZ, WorkingCalendar
from domain.credit_check import (
    CheckSheetData,
    check_case_id,
    first_working_day,
    months_of_quarter,
    opens_at,
    parse_month,
    sheet_errors,
    sheet_score,
)
from domain.rules import CREDIT_CHECK
from tests.factories_credit_check import sheet


@pytest.mark.parametrize(("month", "first"), [
    (date(2026, 1, 1), date(2026, 1, 4)),  # 元旦 1–3 January; Sunday 4 January is a 调休 working day
    (date(2026, 5, 1), date(2026, 5, 6)),  # 劳动节 1–5 May
    (date(2026, 10, 1), date(2026, 10, 8)),  # 国庆节 1–7 October
    (date(2026, 12, 1), date(2026, 12, 1)),  # a Tuesday
    (date(2026, 11, 1), date(2026, 11, 2)),  # a Sunday: Monday
])
def test_the_checks_open_on_the_months_first_working_day_on_the_calendar(month: date, first: date) -> None:
    assert first_working_day(month, WorkingCalendar.official()) == first


def test_an_unpublished_year_counts_monday_to_friday_so_new_year_2027_is_a_friday_until_published() -> None:
    assert first_working_day(date(2027, 1, 1), WorkingCalendar.official()) == date(2027, 1, 1)
    published = WorkingCalendar(holidays=[date(2027, 1, d) for d in (1, 2, 3)])
    assert first_working_day(date(2027, 1, 1), published) == date(2027, 1, 4)
    assert opens_at(date(2027, 1, 4), CREDIT_CHECK) == datetime(2027, 1, 4, 2, tzinfo=CITY_TZ)


def test_months_and_case_ids() -> None:
    assert parse_month("2027-01") == date(2027, 1, 1)
    for bad in ("2027-13", "2027-1", "27-01", "2027-00", ""):
        with pytest.raises(ValueError):
            parse_month(bad)
    assert months_of_quarter(date(2027, 4, 1)) == ["2027-04", "2027-05", "2027-06"]
    assert check_case_id("2027-01", "yidu", "co-yuejia") == "credit-monthly-check-2027-01-yidu-co-yuejia"


def test_the_sheet_scores_on_a_hundred_and_its_items_add_up_to_a_hundred() -> None:
    assert sum(i.max_score for i in CREDIT_CHECK.items.values()) == 100
    assert [i.label for i in CREDIT_CHECK.items.values()] == ["服务标准", "收费公示", "投诉处理", "安全管理"]
    assert sheet_score(CheckSheetData.model_validate(sheet()), CREDIT_CHECK) == Decimal(100)
    half = sheet(service_standards=20, fees_published=10, complaint_handling=10, safety=10)
    assert sheet_score(CheckSheetData.model_validate(half), CREDIT_CHECK) == Decimal(50)
    assert sheet_score(CheckSheetData.model_validate(sheet(safety=0, complaint_handling=13)), CREDIT_CHECK) == Decimal(73)


@pytest.mark.parametrize(("days", "ok"), [(0, False), (1, True), (30, True), (31, False)])
def test_the_rectification_period_is_set_within_the_rules_bounds(days: int, ok: bool) -> None:
    body = sheet(deficient="safety", days=days)
    if days < 1:  # the model itself refuses a period under a day
        with pytest.raises(ValueError):
            CheckSheetData.model_validate(body)
        return
    errors = sheet_errors(CheckSheetData.model_validate(body), CREDIT_CHECK)
    assert (errors == []) is ok


def test_a_sheet_names_every_item_once_within_its_maximum_and_says_what_is_deficient() -> None:
    def locs(body: dict[str, object]) -> list[list[object]]:
        return [e["loc"] for e in sheet_errors(CheckSheetData.model_validate(body), CREDIT_CHECK)]

    assert locs(sheet()) == []
    assert locs(sheet(service_standards=41)) == [["data", "items", 0, "score"]]
    doubled = sheet()
    doubled["items"] = [*doubled["items"], doubled["items"][0]]
    assert locs(doubled) == [["data", "items"]]
    silent = sheet(deficient="safety")
    silent["items"][3]["finding"] = " "
    assert locs(silent) == [["data", "items", 3, "finding"]]
    passed_with_period = sheet()
    passed_with_period["items"][2]["rectify_days"] = 5
    assert locs(passed_with_period) == [["data", "items", 2, "rectify_days"]]
