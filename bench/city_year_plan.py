"""The generated inputs of a city year: which estate reports what, when; pure and seeded.

A year is ``days`` days from the simulation's start. Tickets are spread over the 13 streets with a
weekday rhythm (weekends a third of a weekday) and a summer peak (July and August about 1.6 times
March); fund emergencies are uniform. The same seed gives the same year, to the ticket.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from db.seed import STREETS
from domain.calendar import CITY_TZ

# The year's caseload at full scale (issue 18).
YEAR_TICKETS, YEAR_FUNDS, YEAR_ELECTIONS, YEAR_TENDERS = 10_000, 200, 100, 50
# An election's estate: 200 to 3,000 households (buildings of 200 units), drawn log-uniform.
ELECTION_HOUSEHOLDS = (200, 3_000)
UNITS_PER_BUILDING = 200
# Civic cases start early enough to finish within the year and its drain (an election takes ~2 months).
CIVIC_LAST_START_SHARE = 0.8
ESTATES_PER_STREET = 2
COMPANIES = ("co-yuejia", "co-huacheng", "co-anju")
AGENCY = "pa-qzzj"
# When people act, city time: a morning and an afternoon round.
SLOTS = (time(9, 0), time(15, 0))
# Ticket categories and their weights (service quality and disputes are most of the hotline's load).
CATEGORIES: dict[str, int] = {
    "service_quality": 30, "property_dispute": 15, "parking": 10, "property_fees": 8, "illegal_construction": 8,
    "committee_conduct": 5, "owners_assembly": 3, "utility_supply": 6, "blocked_access": 4, "fire_safety": 3,
    "public_order": 3, "pollution": 2, "public_facilities": 3,
}


@dataclass(frozen=True)
class Estate:
    id: str
    street: str
    community: str
    company: str


@dataclass(frozen=True)
class TicketIntake:
    n: int
    day: int
    slot: int
    estate: Estate
    category: str


@dataclass(frozen=True)
class FundStart:
    n: int
    day: int
    slot: int
    estate: Estate


@dataclass(frozen=True)
class ElectionStart:
    """An owners' committee re-election in an estate of its own, of ``households`` units."""

    n: int
    day: int
    slot: int
    street: str
    households: int

    @property
    def estate_id(self) -> str:
        return f"year-vote-{self.n:03d}"


@dataclass(frozen=True)
class TenderStart:
    """A property-service re-selection in a small estate of its own; ``bidders`` companies bid."""

    n: int
    day: int
    slot: int
    street: str
    company: str
    bidders: tuple[str, ...]

    @property
    def estate_id(self) -> str:
        return f"year-tender-{self.n:03d}"


@dataclass
class YearPlan:
    start: date
    days: int
    estates: list[Estate]
    tickets: list[TicketIntake] = field(default_factory=list)
    funds: list[FundStart] = field(default_factory=list)
    elections: list[ElectionStart] = field(default_factory=list)
    tenders: list[TenderStart] = field(default_factory=list)

    def moment(self, day: int, slot: int) -> datetime:
        """The instant (city time) of ``slot`` on simulated day ``day``."""
        return datetime.combine(self.start + timedelta(days=day), SLOTS[slot], tzinfo=CITY_TZ)

    def intake_by_month(self) -> Counter[tuple[str, str]]:
        """Tickets taken in per (month, street) and per (month, "city"), from the inputs alone."""
        out: Counter[tuple[str, str]] = Counter()
        for t in self.tickets:
            month = (self.start + timedelta(days=t.day)).strftime("%Y-%m")
            out[(month, "city")] += 1
            out[(month, t.estate.street)] += 1
        return out


def estates() -> list[Estate]:
    """Two estates in every street's first community, companies in turn."""
    out = []
    for s, (street, _, _) in enumerate(STREETS):
        for e in range(ESTATES_PER_STREET):
            out.append(Estate(f"year-{street}-e{e}", street, f"{street}-c1", COMPANIES[(s + e) % len(COMPANIES)]))
    return out


def day_weight(day: date) -> float:
    """Relative intake on ``day``: weekends a third, a smooth seasonal wave peaking in late July."""
    weekday = 1.0 if day.weekday() < 5 else 1 / 3
    season = 1.0 + 0.3 * math.cos(2 * math.pi * (day.timetuple().tm_yday - 205) / 365)
    return weekday * season


def make_plan(seed: int, scale: float, start: date) -> YearPlan:
    """``scale`` of a year (1.0: 365 days, 10,000 tickets, 200 fund cases) from ``start``."""
    rnd = random.Random(seed)
    days = max(1, round(365 * scale))
    plan = YearPlan(start=start, days=days, estates=estates())
    weights = [day_weight(start + timedelta(days=d)) for d in range(days)]
    cats, cat_w = list(CATEGORIES), list(CATEGORIES.values())
    ticket_days = sorted(rnd.choices(range(days), weights=weights, k=round(YEAR_TICKETS * scale)))
    for n, day in enumerate(ticket_days):
        plan.tickets.append(TicketIntake(n, day, rnd.randrange(len(SLOTS)), rnd.choice(plan.estates), rnd.choices(cats, cat_w)[0]))
    fund_days = sorted(rnd.randrange(days) for _ in range(max(1, round(YEAR_FUNDS * scale))))
    for n, day in enumerate(fund_days):
        plan.funds.append(FundStart(n, day, rnd.randrange(len(SLOTS)), rnd.choice(plan.estates)))
    _civic(plan, random.Random(f"{seed}:civic"), scale)
    return plan


# Bidders a tender draws from (eligible: registered, graded, not blacklisted); the outgoing company never bids.
TENDER_BIDDERS = ("co-huacheng", "co-lvyuan", "co-xinda", "co-anju")
FAILED_TENDER_SHARE = 0.08  # fewer than three bids: not opened, re-tendered


def _civic(plan: YearPlan, rnd: random.Random, scale: float) -> None:
    """The year's elections and tenders, started on working days over the first 80% of the year."""
    last = max(1, round(plan.days * CIVIC_LAST_START_SHARE))
    lo, hi = (math.log(h) for h in ELECTION_HOUSEHOLDS)
    streets = [s for s, _, _ in STREETS]
    for n, day in enumerate(sorted(_working_day(plan, rnd, last) for _ in range(max(1, round(YEAR_ELECTIONS * scale))))):
        size = max(1, round(math.exp(rnd.uniform(lo, hi)) / UNITS_PER_BUILDING)) * UNITS_PER_BUILDING
        plan.elections.append(ElectionStart(n, day, rnd.randrange(len(SLOTS)), rnd.choice(streets), size))
    for n, day in enumerate(sorted(_working_day(plan, rnd, last) for _ in range(max(1, round(YEAR_TENDERS * scale))))):
        company = "co-yuejia"
        bidders = [c for c in TENDER_BIDDERS if c != company]
        count = 2 if rnd.random() < FAILED_TENDER_SHARE else 3
        plan.tenders.append(TenderStart(n, day, rnd.randrange(len(SLOTS)), rnd.choice(streets), company,
                                        tuple(rnd.sample(bidders, count))))


def _working_day(plan: YearPlan, rnd: random.Random, last: int) -> int:
    while True:
        day = rnd.randrange(last)
        if (plan.start + timedelta(days=day)).weekday() < 5:
            return day
