"""Complaints year to date against the same period a year before (seed 附件3 item 10: −30% year on year).

Per street and per property company, beside the monthly figures: tickets taken in from 1 January
to a day (city time) against the same days of the year before (29 February counts as 28 February).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel

from domain.calendar import CITY_TZ
from domain.rules import TICKET, TicketRules


class ComplaintSample(BaseModel):
    created_at: datetime
    street_id: str | None
    company_id: str | None


class YtdLine(BaseModel):
    dimension: str  # city / street / company
    key: str
    ytd: int
    previous_ytd: int
    change_percent: Decimal | None  # None: nothing the year before
    target_met: bool | None


class ComplaintsYtdReport(BaseModel):
    through: date
    previous_through: date
    target_percent: int
    lines: list[YtdLine]


def same_day_a_year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def complaints_ytd(samples: list[ComplaintSample], through: date, rules: TicketRules = TICKET) -> ComplaintsYtdReport:
    """The year to date up to ``through`` (inclusive) against the same days of the year before."""
    before = same_day_a_year_before(through)
    now_counts: dict[tuple[str, str], int] = {}
    then_counts: dict[tuple[str, str], int] = {}
    for s in samples:
        day = s.created_at.astimezone(CITY_TZ).date()
        if date(through.year, 1, 1) <= day <= through:
            counts = now_counts
        elif date(before.year, 1, 1) <= day <= before:
            counts = then_counts
        else:
            continue
        keys = [("city", "city")] + ([("street", s.street_id)] if s.street_id else []) + ([("company", s.company_id)] if s.company_id else [])
        for place in keys:
            counts[place] = counts.get(place, 0) + 1
    lines = []
    for dimension, key in sorted(set(now_counts) | set(then_counts)):
        ytd, prev = now_counts.get((dimension, key), 0), then_counts.get((dimension, key), 0)
        change = (Decimal(ytd - prev) * 100 / prev).quantize(Decimal("0.1")) if prev else None
        lines.append(YtdLine(dimension=dimension, key=key, ytd=ytd, previous_ytd=prev, change_percent=change,
                             target_met=change <= rules.yoy_target_percent if change is not None else None))
    return ComplaintsYtdReport(through=through, previous_through=before, target_percent=rules.yoy_target_percent, lines=lines)
