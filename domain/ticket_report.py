"""The monthly ticket report: intake, closed, overdue, handling time, satisfaction, year on year.

The seed asks for a monthly analysis of each company's complaint handling, with satisfaction
counting in its assessment, and complaints down 30% year on year (附件3 item 10). Figures are
per street, per property company and for the whole city.

Definitions (documented in the README):
- intake: tickets created in the month; overdue: of those, the ones that went overdue;
- closed: tickets closed (销号) in the month, withdrawn ones excluded;
- average handling time: intake to closure of the closed ones;
- satisfaction rate: closed after a satisfied call, over all closed;
- year on year: intake against the same month a year before, target −30%.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, time

from pydantic import BaseModel

from domain.calendar import CITY_TZ
from domain.routing import UnitKind
from domain.rules import TICKET, TicketRules

MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
# The months a report may cover: none before the city's records, none past what a calendar holds
# (a month in year 0 or 1 cannot be turned into UTC bounds, nor compared with the year before).
FIRST_REPORT_MONTH = "2000-01"
LAST_REPORT_MONTH = "2099-12"

DIMENSIONS = ("city", "street", "company")
DIMENSION_LABELS = {"city": "全市", "street": "镇街", "company": "物业服务企业"}
CITY_KEY = "all"


class TicketFacts(BaseModel):
    """A ticket as the report counts it (one ledger row)."""

    street_id: str
    company_id: str | None = None  # the property company that handled it (see ``handling_company``)
    created_at: datetime
    closed_at: datetime | None = None
    closure: str | None = None  # satisfied / supervisor / withdrawn
    overdue: bool = False


class MonthlyFigures(BaseModel):
    """One line of the report: a month, a dimension (city / street / company) and its key."""

    month: str
    dimension: str
    key: str
    intake: int = 0
    closed: int = 0
    overdue: int = 0
    satisfied: int = 0
    avg_handling_seconds: int | None = None
    satisfaction_percent: float | None = None
    intake_last_year: int = 0
    yoy_change_percent: float | None = None
    yoy_target_met: bool | None = None


def handling_company(lead_unit_kind: str | None, lead_unit_id: str | None) -> str | None:
    """The company a ticket counts for: its lead unit when that is a property company (附件3 item 10), never the estate's."""
    return lead_unit_id if lead_unit_kind == UnitKind.COMPANY.value else None


def check_month(month: str) -> str:
    """A month as ``YYYY-MM``, or ValueError."""
    if not re.match(MONTH_PATTERN, month):
        raise ValueError(f"month must be YYYY-MM, got {month!r}")
    return month


def check_report_month(month: str) -> str:
    """A month the report can cover (``FIRST_REPORT_MONTH`` to ``LAST_REPORT_MONTH``), or ValueError."""
    if not FIRST_REPORT_MONTH <= check_month(month) <= LAST_REPORT_MONTH:
        raise ValueError(f"month must lie between {FIRST_REPORT_MONTH} and {LAST_REPORT_MONTH}, got {month!r}")
    return month


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """The month's first instant and the next month's first instant, city time, as UTC."""
    year, mon = (int(p) for p in check_month(month).split("-"))
    start = date(year, mon, 1)
    end = date(year + (mon == 12), mon % 12 + 1, 1)
    return (
        datetime.combine(start, time(0), tzinfo=CITY_TZ).astimezone(UTC),
        datetime.combine(end, time(0), tzinfo=CITY_TZ).astimezone(UTC),
    )


def previous_month(now: datetime) -> str:
    """The month before the one ``now`` falls in, city time (what a run on the 1st reports)."""
    local = now.astimezone(CITY_TZ).date()
    year, mon = (local.year - 1, 12) if local.month == 1 else (local.year, local.month - 1)
    return f"{year:04d}-{mon:02d}"


def same_month_last_year(month: str) -> str:
    year, mon = check_month(month).split("-")
    return f"{int(year) - 1:04d}-{mon}"


def _keys(t: TicketFacts) -> Iterable[tuple[str, str]]:
    yield "city", CITY_KEY
    yield "street", t.street_id
    if t.company_id:
        yield "company", t.company_id


def _round1(value: float) -> float:
    return round(value, 1)


def monthly_figures(
    month: str, tickets: Iterable[TicketFacts], last_year: Iterable[TicketFacts], rules: TicketRules = TICKET,
) -> list[MonthlyFigures]:
    """The month's figures per city, street and company from the tickets created or closed in it."""
    start, end = month_bounds(month)
    lines: dict[tuple[str, str], MonthlyFigures] = {}
    durations: dict[tuple[str, str], list[float]] = defaultdict(list)

    def line(key: tuple[str, str]) -> MonthlyFigures:
        if key not in lines:
            lines[key] = MonthlyFigures(month=month, dimension=key[0], key=key[1])
        return lines[key]

    def within(moment: datetime | None) -> bool:
        return moment is not None and start <= moment < end

    for t in tickets:
        for key in _keys(t):
            if within(t.created_at):
                line(key).intake += 1
                line(key).overdue += int(t.overdue)
            if within(t.closed_at) and t.closure != "withdrawn":
                assert t.closed_at is not None
                line(key).closed += 1
                line(key).satisfied += int(t.closure == "satisfied")
                durations[key].append((t.closed_at - t.created_at).total_seconds())
    last_start, last_end = month_bounds(same_month_last_year(month))
    for t in last_year:
        if last_start <= t.created_at < last_end:
            for key in _keys(t):
                line(key).intake_last_year += 1
    for key, figures in lines.items():
        if durations[key]:
            figures.avg_handling_seconds = round(sum(durations[key]) / len(durations[key]))
        if figures.closed:
            figures.satisfaction_percent = _round1(100 * figures.satisfied / figures.closed)
        if figures.intake_last_year:
            change = 100 * (figures.intake - figures.intake_last_year) / figures.intake_last_year
            figures.yoy_change_percent = _round1(change)
            figures.yoy_target_met = change <= rules.yoy_target_percent
    return sorted(lines.values(), key=lambda f: (DIMENSIONS.index(f.dimension), f.key))
