"""月检查 as a process: the month, the check sheet, each item's rectification and the case's facts.

On the first working day of each month every street office checks every property company serving
an estate in its jurisdiction (one case per street and company): it fills in the sheet of the rules
(``domain.credit_check_rules``), scoring each item and marking a deficient one with a finding and a
rectification period. The company rectifies (整改) and reports, the street re-checks (复查); an item
still unrectified is a bad credit record (``monthly_check_unrectified``). The sheet's score (0–100)
feeds the quarterly assessment's monthly-check average.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from domain.calendar import CITY_TZ, WorkingCalendar
from domain.rules import CreditCheckRules

PROCESS_KIND = "credit-monthly-check"
PROCESS_LABEL = "物业企业月检查"
CENT = Decimal("0.01")


class Step(StrEnum):
    CHECK = "check"
    RECTIFICATION = "rectification"
    RECHECK = "recheck"
    CLOSED = "closed"


STEP_LABELS: dict[str, str] = {
    Step.CHECK: "月检查", Step.RECTIFICATION: "整改", Step.RECHECK: "复查", Step.CLOSED: "检查结束",
}

RECTIFIED = "rectified"
UNRECTIFIED = "unrectified"
DECISION_LABELS: dict[str, str] = {
    "submit": "提交", RECTIFIED: "复查合格（已整改）", UNRECTIFIED: "复查不合格（未整改）",
}


# ----------------------------------------------------------------- the month

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def parse_month(text: str) -> date:
    """"2027-01" → its first day; ValueError otherwise."""
    found = _MONTH.match(text)
    if found is None:
        raise ValueError(f"a month is written YYYY-MM, not {text!r}")
    return date(int(found.group(1)), int(found.group(2)), 1)


def month_of(moment: datetime) -> str:
    """The city month a moment falls in, as "YYYY-MM"."""
    return moment.astimezone(CITY_TZ).strftime("%Y-%m")


def first_working_day(month: date, calendar: WorkingCalendar) -> date:
    """The month's first working day on the calendar (1 January 2027 on a published New Year → 4 January)."""
    day = month.replace(day=1)
    return day if calendar.is_working_day(day) else calendar.next_working_day(day)


def opens_at(day: date, rules: CreditCheckRules) -> datetime:
    """When the month's checks open: the first working day at the schedule's hour, city time."""
    return datetime.combine(day, time(rules.schedule_hour), tzinfo=CITY_TZ).astimezone(UTC)


def months_of_quarter(first_day: date) -> list[str]:
    return [f"{first_day.year}-{first_day.month + i:02d}" for i in range(3)]


def check_case_id(month: str, street_id: str, company_id: str) -> str:
    """One case per street, company and month: a schedule fired twice finds the same one."""
    return f"{PROCESS_KIND}-{month}-{street_id}-{company_id}"


class CheckPair(BaseModel):
    """A street and a property company serving an estate in it: one check a month."""

    street_id: str
    street_name: str
    company_id: str
    company_name: str
    estates: list[str]


# ----------------------------------------------------------------- the sheet (the street's decision data)

class ItemFinding(BaseModel):
    """One item as the street found it."""

    item: str = Field(min_length=1, max_length=48, description="检查项目代码", examples=["service_standards"])
    score: int = Field(ge=0, le=100, description="得分（不超过该项满分）")
    deficient: bool = Field(default=False, description="存在问题，需限期整改")
    finding: str | None = Field(default=None, max_length=2000, description="发现的问题")
    rectify_days: int | None = Field(default=None, ge=1, le=366, description="整改期限（日）")


class CheckSheetData(BaseModel):
    """月检查表: every item of the rules once, with its score and findings."""

    items: list[ItemFinding] = Field(min_length=1, max_length=20)


class RectificationData(BaseModel):
    """The company's report: what it did about the item."""

    action: str = Field(min_length=2, max_length=2000, description="整改措施及结果")


def sheet_errors(sheet: CheckSheetData, rules: CreditCheckRules) -> list[dict[str, Any]]:
    """What is wrong with a sheet under the rules (empty: it is complete and within bounds)."""
    errors: list[dict[str, Any]] = []

    def error(i: int | None, field: str, msg: str) -> None:
        loc: list[str | int] = ["data", "items"] if i is None else ["data", "items", i, field]
        errors.append({"loc": loc, "msg": msg, "type": "value_error"})

    seen = [f.item for f in sheet.items]
    missing = [code for code in rules.items if code not in seen]
    if missing or len(set(seen)) != len(seen):
        error(None, "", f"检查表须逐项填写且每项一次：{'、'.join(rules.items[c].label for c in rules.items)}")
    for i, finding in enumerate(sheet.items):
        item = rules.items.get(finding.item)
        if item is None:
            error(i, "item", f"无此检查项目：{finding.item}")
            continue
        if finding.score > item.max_score:
            error(i, "score", f"{item.label}满分 {item.max_score} 分")
        if finding.deficient:
            if not (finding.finding or "").strip():
                error(i, "finding", "存在问题的项目须写明发现的问题")
            if finding.rectify_days is None or not rules.rectify_min_days <= finding.rectify_days <= rules.rectify_max_days:
                error(i, "rectify_days", f"整改期限为 {rules.rectify_min_days}–{rules.rectify_max_days} 日")
        elif finding.rectify_days is not None:
            error(i, "rectify_days", "无问题的项目不设整改期限")
    return errors


def sheet_score(sheet: CheckSheetData, rules: CreditCheckRules) -> Decimal:
    """The sheet's score on 0–100: the points given over the points possible."""
    possible = sum(item.max_score for item in rules.items.values())
    given = sum(f.score for f in sheet.items if f.item in rules.items)
    return (Decimal(100) * Decimal(given) / Decimal(possible)).quantize(CENT)


# ----------------------------------------------------------------- the case's facts

class ItemStatus(StrEnum):
    PASSED = "passed"
    RECTIFYING = "rectifying"
    RECHECKING = "rechecking"
    RECTIFIED = "rectified"
    UNRECTIFIED = "unrectified"


ITEM_STATUS_LABELS = {
    ItemStatus.PASSED: "合格", ItemStatus.RECTIFYING: "整改中", ItemStatus.RECHECKING: "待复查",
    ItemStatus.RECTIFIED: "已整改", ItemStatus.UNRECTIFIED: "逾期未整改",
}


class ItemState(BaseModel):
    """One item of the sheet through its rectification."""

    item: str
    label: str
    max_score: int
    score: int
    status: ItemStatus
    status_label: str
    finding: str | None = None
    rectify_days: int | None = None
    rectify_by: datetime | None = None
    reported: str | None = None  # the company's report
    rechecked: str | None = None  # the street's comment at the re-check
    credit_record_id: int | None = None

    def moved(self, status: ItemStatus, **changes: Any) -> None:
        self.status, self.status_label = status, ITEM_STATUS_LABELS[status]
        for key, value in changes.items():
            setattr(self, key, value)


def item_states(sheet: CheckSheetData, rules: CreditCheckRules) -> dict[str, ItemState]:
    out: dict[str, ItemState] = {}
    for f in sheet.items:
        status = ItemStatus.RECTIFYING if f.deficient else ItemStatus.PASSED
        item = rules.items[f.item]
        out[f.item] = ItemState(item=f.item, label=item.label, max_score=item.max_score, score=f.score, status=status,
                                status_label=ITEM_STATUS_LABELS[status], finding=f.finding, rectify_days=f.rectify_days)
    return out


class CreditCheckFacts(BaseModel):
    """What a monthly check case shows: whom, where, the score, and each item's state."""

    month: str
    street_id: str
    street_name: str
    company_id: str
    company_name: str
    estates: list[str]
    score: Decimal | None = None
    checked_at: datetime | None = None
    items: list[ItemState] = Field(default_factory=list)
