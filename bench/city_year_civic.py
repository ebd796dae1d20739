"""The city year's civic processes: owners' committee elections, tenders with their handovers, credit quarters.

Each election has an estate of its own (200 to 3,000 units, one owner each). The street's clerk
starts it, the street forms and publishes the preparatory group, the community nominates six
candidates (three Party members) during the nomination period, the street reviews them, and
during the seven days of voting the owners vote: most on written ballots the street's clerk enters
in batches (``POST …/ballots/paper``, up to 500 lines each), some electronically, each owner with
their own token (``POST …/ballots/electronic``). Who votes and how is drawn per election, so the
bench knows every ballot it sent and checks the stored tally against its own count.

Each tender re-selects the company of a small estate of its own; the drawn bidders register their
bids before the deadline, the drawn experts score, the committee and the winner sign, and the
handover between the companies runs as its own case. A share of tenders draw only two bidders:
not opened, re-tendered. Every quarter the housing bureau starts the credit assessment on the
first day (as the schedule would), reviews the draft grades and publishes them.
"""

from __future__ import annotations

import asyncio
import random
import uuid
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from bench.city_year_people import AGENCY, Json, People
from bench.city_year_plan import COMPANIES, TENDER_BIDDERS, UNITS_PER_BUILDING, ElectionStart, TenderStart, YearPlan
from bench.city_year_sim import Tracked, Year
from core.settings import Settings
from db.models import CreditRecord, Household
from db.seed import EstatePlan, create_estate
from db.session import make_engine, make_session_factory
from domain.access import Role
from domain.apportionment import area_to_hundredths
from domain.calendar import CITY_TZ
from domain.credit import Quarter, quarter_assessed_at

CANDIDATES = 6
SEATS = 5
# Six candidates; a ballot names five of them. Choice A, B or C leaves out the sixth, fifth or fourth.
BALLOTS = {"A": (0, 1, 2, 3, 4), "B": (0, 1, 2, 3, 5), "C": (0, 1, 2, 4, 5)}
PAPER_BATCH = 500
ELECTRONIC_MAX = 20  # owners voting on their phones, one request each; the rest on paper
BID_DAYS = 21
MORE_BIDDERS = ("co-hengtai",)  # invited to a re-tender besides the usual bidders


@dataclass
class ElectionBook:
    """One election: its estate's owners and the ballots the bench sent and saw accepted."""

    start: ElectionStart
    names: dict[str, str]
    areas: dict[str, int]
    case_id: str = ""
    candidates: list[str] = field(default_factory=list)
    accepted: dict[str, tuple[int, ...]] = field(default_factory=dict)  # household -> candidate indexes


@dataclass
class TenderBook:
    start: TenderStart
    case_id: str = ""
    bids: dict[int, list[str]] = field(default_factory=dict)  # round -> companies whose bid was accepted
    refused: set[str] = field(default_factory=set)  # companies the tender refused (blacklisted)
    handover_id: str = ""


class Civic:
    """Plans and makes the civic processes' calls in a :class:`Year`; keeps what the end checks compare."""

    def __init__(self, plan: YearPlan, seed: int) -> None:
        self.plan, self.seed = plan, seed
        self.elections: dict[str, ElectionBook] = {}  # by estate
        self.tenders: dict[str, TenderBook] = {}
        self.quarters: list[str] = []
        self.record_ceiling: dict[str, int] = {}  # quarter -> the last credit record when its draft was taken

    def attach(self, year: Year, people: People) -> None:
        self.year, self.people = year, people
        year.hooks.append(self._hook)
        year.period_ends = self._period_ends

    # ----------------------------------------------------------------- setup

    async def create_estates(self, settings: Settings) -> None:
        """The elections' estates (buildings of 200 units) and the tenders' small estates, with their owners."""
        self.settings = settings
        engine = make_engine(settings)
        try:
            for i, e in enumerate(self.plan.elections):
                async with make_session_factory(engine)() as session:
                    await create_estate(session, EstatePlan(
                        id=e.estate_id, name=f"选举小区{e.n:03d}", street_id=e.street, community_id=f"{e.street}-c1",
                        property_company_id=COMPANIES[i % len(COMPANIES)], pricing_agency_id=AGENCY, has_owners_committee=True,
                        buildings=e.households // UNITS_PER_BUILDING, units=5, floors=20, rooms=2,
                    ))
                    await session.commit()
                    rows = (await session.execute(select(Household.id, Household.owner_name, Household.area_m2)
                                                  .where(Household.estate_id == e.estate_id))).all()
                self.elections[e.estate_id] = ElectionBook(e, {h: n for h, n, _ in rows}, {h: area_to_hundredths(a) for h, _, a in rows})
            async with make_session_factory(engine)() as session:
                for t in self.plan.tenders:
                    await create_estate(session, EstatePlan(
                        id=t.estate_id, name=f"招标小区{t.n:03d}", street_id=t.street, community_id=f"{t.street}-c1",
                        property_company_id=t.company, pricing_agency_id=None, has_owners_committee=True,
                        buildings=1, units=1, floors=1, rooms=2,
                    ))
                    self.tenders[t.estate_id] = TenderBook(t)
                await session.commit()
        finally:
            await engine.dispose()

    def plan_starts(self, horizon: datetime) -> None:
        for e in self.plan.elections:
            self.year.at(self.plan.moment(e.day, e.slot), lambda e=e: self._start_election(e))
        for t in self.plan.tenders:
            self.year.at(self.plan.moment(t.day, t.slot), lambda t=t: self._start_tender(t))
        moment = _next_quarter_start(self.plan.start)
        while moment <= horizon:
            quarter = str(quarter_assessed_at(moment))
            self.year.at(moment, lambda q=quarter: self._assess(q))
            moment = _next_quarter_start(moment.date() + timedelta(days=1))

    # ----------------------------------------------------------------- starts

    async def _start_election(self, e: ElectionStart) -> None:
        body = {"estate_id": e.estate_id, "kind": "re_election", "description": "业委会任期届满换届"}
        case = await self.year._post("/cases/owners-election", body, self.people.token(Role.CLERK, e.street))
        if case is not None:
            self.elections[e.estate_id].case_id = case["id"]
            self.year.observe(case, "owners-election", f"e{e.n}")

    async def _start_tender(self, t: TenderStart) -> None:
        deadline = self.year.now + timedelta(days=BID_DAYS)
        body = {"estate_id": t.estate_id, "selection": "reselection", "method": "comprehensive", "summary": "物业服务招标：服务期三年",
                "bid_deadline": deadline.isoformat(), "outgoing": {"reason": "non_renewal", "agreed_exit_days": 15}}
        case = await self.year._post("/cases/tender", body, self.people.token(Role.CLERK, t.street))
        if case is not None:
            self.tenders[t.estate_id].case_id = case["id"]
            self.year.observe(case, "tender", f"d{t.n}")

    async def _assess(self, quarter: str) -> None:
        """The bureau starts the quarter's assessment; nothing else happens at this moment, so the records the
        draft grades are those in the database now (the activities stamp a record with the wall clock, which
        runs behind the test server's: a record's time cannot tell whether the draft saw it)."""
        self.record_ceiling[quarter] = await _last_record_id(self.settings)
        r = await self.year.api.post("/credit/assessments", json={"quarter": quarter},
                                     headers={"Authorization": self.people.token(Role.HOUSING_BUREAU, None)})
        self.year.requests += 1
        if r.status_code != 200:
            self.year.errors.append(f"credit assessment {quarter}: {r.status_code} {r.text[:200]}")
            return
        self.quarters.append(quarter)
        case_id = r.json()["case_id"]
        await self._drafted(case_id)
        self.year.at(self.year.now + timedelta(minutes=5), lambda: self._follow(case_id, "credit-assessment", f"q{quarter}"), case_id)

    async def _drafted(self, case_id: str) -> None:
        """Wait (in wall time, the clock standing) until the draft grades are stored."""
        headers = {"Authorization": self.people.token(Role.HOUSING_BUREAU, None)}
        for _ in range(600):
            r = await self.year.api.get(f"/cases/{case_id}", headers=headers)
            if r.status_code == 200 and r.json()["step"]["code"] != "drafting":
                return
            await asyncio.sleep(0.1)
        self.year.errors.append(f"{case_id}: no draft after 60 s")

    async def _follow(self, case_id: str, process: str, key: str) -> None:
        """Start tracking a case the bench did not start itself (a quarter's assessment, a tender's handover)."""
        r = await self.year.api.get(f"/cases/{case_id}", headers={"Authorization": self.people.token(Role.HOUSING_BUREAU, None)})
        self.year.requests += 1
        if r.status_code == 404:  # not projected yet: look again at the next round
            self.year.at(self.year.next_round(self.year.now + timedelta(minutes=1), Role.DISPATCHER),
                         lambda: self._follow(case_id, process, key), case_id)
            return
        if r.status_code != 200:
            self.year.errors.append(f"follow {case_id}: {r.status_code} {r.text[:200]}")
            return
        self.year.observe(r.json(), process, key)

    # ----------------------------------------------------------------- what each answer plans

    def _hook(self, tracked: Tracked) -> None:
        case = tracked.last
        step = case["step"]["code"]
        if tracked.process == "owners-election":
            book = self.elections.get(case["estate_id"])
            if book is not None and step == "nomination" and "nominated" not in tracked.flags:
                tracked.flags.add("nominated")
                self._later(tracked, "nominate", Role.COMMUNITY, lambda: self._nominate(book), days=(0.5, 5))
            if book is not None and step == "voting" and "voted" not in tracked.flags:
                tracked.flags.add("voted")
                self._plan_ballots(tracked, book)
        elif tracked.process == "tender":
            self._tender_hook(tracked, case, step)
        elif tracked.process == "handover" and case["status"]["code"] == "completed" and "closed" not in tracked.flags:
            tracked.flags.add("closed")
            self.year.orphans_closing.append(case["id"])

    def _tender_hook(self, tracked: Tracked, case: Json, step: str) -> None:
        book = self.tenders.get(case["estate_id"])
        if book is None:
            return
        facts = case.get("facts") or {}
        rnd = facts.get("round", 1)
        if step == "bidding" and f"bids{rnd}" not in tracked.flags:
            tracked.flags.add(f"bids{rnd}")
            # A re-tender invites every registered company not refused before (a blacklisted one cannot bid).
            invited = book.start.bidders if rnd == 1 else [c for c in (*TENDER_BIDDERS, *MORE_BIDDERS) if c not in book.refused]
            for company in invited:
                self._later(tracked, f"bid{rnd}{company}", Role.PROPERTY_COMPANY,
                            lambda c=company, r=rnd: self._bid(book, c, r), days=(1, 12))
        # The handover is the tender's child, named after it; the tender ends once it has started.
        handover = facts.get("handover_case_id") or (case["id"].replace("tender-", "handover-", 1) if case["status"]["code"] == "completed" else "")
        if handover and not book.handover_id:
            book.handover_id = handover
            self.year.at(self.year.now + timedelta(minutes=5), lambda: self._follow(handover, "handover", f"h{book.start.n}"), handover)

    def _later(self, tracked: Tracked, what: str, role: Role, call: Callable[[], Awaitable[None]], days: tuple[float, float]) -> None:
        rnd = self.year.draw(tracked, what, role, "delay")
        when = self.year.next_round(self.year.now + timedelta(days=rnd.uniform(*days)), role)
        self.year.at(when, call, tracked.last["id"])

    async def _nominate(self, book: ElectionBook) -> None:
        e = book.start
        token = self.people.token(Role.COMMUNITY, f"{e.street}-c1")
        units = sorted(book.names)[10 : 10 + CANDIDATES]
        for i, h in enumerate(units):
            body = {"household_id": h, "name": book.names[h], "party_member": i < 3, "channel": "party_org" if i < 3 else "residents_committee"}
            case = await self.year._post(f"/cases/owners-election/{book.case_id}/nominations", body, token, what="owners-election/nomination")
            if case is None:
                return
            book.candidates.append(case["facts"]["candidates"][-1]["id"])
            self.year.observe(case)

    def _plan_ballots(self, tracked: Tracked, book: ElectionBook) -> None:
        """Who votes, how and when: 75–95% of the owners, choices A > B > C, a few electronically, the rest on paper."""
        rnd = random.Random(f"{self.seed}:{tracked.key}:ballots")
        units = sorted(book.names)
        rnd.shuffle(units)
        voters = units[: round(len(units) * rnd.uniform(0.75, 0.95))]
        shares = (rnd.uniform(0.40, 0.50), rnd.uniform(0.28, 0.36))
        cut_a, cut_b = round(len(voters) * shares[0]), round(len(voters) * (shares[0] + shares[1]))
        choices = {h: "A" if i < cut_a else "B" if i < cut_b else "C" for i, h in enumerate(voters)}
        electronic = voters[: min(ELECTRONIC_MAX, len(voters) // 10)]
        paper = voters[len(electronic):]
        for h in electronic:
            self._later(tracked, f"e-{h}", Role.OWNER, lambda h=h: self._vote_electronic(book, h, choices[h]), days=(0.1, 4))
        for i in range(0, len(paper), PAPER_BATCH):
            batch = paper[i : i + PAPER_BATCH]
            self._later(tracked, f"p-{i}", Role.CLERK, lambda b=batch: self._vote_paper(book, b, choices), days=(0.5, 5))

    async def _vote_electronic(self, book: ElectionBook, household: str, choice: str) -> None:
        picked = [book.candidates[i] for i in BALLOTS[choice]]
        token = self.people.owner(book.start.estate_id, household)
        if await self.year._post(f"/cases/owners-election/{book.case_id}/ballots/electronic", {"choices": picked}, token,
                                 what="owners-election/ballot electronic") is not None:
            book.accepted[household] = BALLOTS[choice]

    async def _vote_paper(self, book: ElectionBook, households: list[str], choices: dict[str, str]) -> None:
        lines = [{"household_id": h, "choices": [book.candidates[i] for i in BALLOTS[choices[h]]]} for h in households]
        token = self.people.token(Role.CLERK, book.start.street)
        if await self.year._post(f"/cases/owners-election/{book.case_id}/ballots/paper", {"ballots": lines}, token,
                                 what="owners-election/ballots paper") is not None:
            book.accepted.update({h: BALLOTS[choices[h]] for h in households})

    async def _bid(self, book: TenderBook, company: str, rnd: int) -> None:
        body = {"price_fen_per_m2": 100 + zlib.crc32(company.encode()) % 40, "plan": "标准化服务方案"}
        headers = {"Authorization": self.people.token(Role.PROPERTY_COMPANY, company), "Idempotency-Key": uuid.uuid4().hex}
        r = await self.year.api.post(f"/cases/tender/{book.case_id}/bids", json=body, headers=headers)
        self.year.requests += 1
        if r.status_code == 200:
            book.bids.setdefault(rnd, []).append(company)
        elif r.status_code == 403 and "may not bid" in r.text:
            # The published credit quarter put the company on the blacklist (or below the grade tenders need).
            self.year.refused[f"tender/bid {r.status_code} (company may not bid)"] += 1
            book.refused.add(company)
        else:
            self.year.refused[f"tender/bid {r.status_code}"] += 1
            if r.status_code not in (403, 404, 409):
                self.year.errors.append(f"tender/bid: {r.status_code} {r.text[:200]}")

    def _period_ends(self, tracked: Tracked) -> list[datetime]:
        facts = tracked.last.get("facts") or {}
        keys = {"owners-election": ("nomination_end", "notice_end", "voting_end"), "tender": ("bid_deadline",)}.get(tracked.process, ())
        out = [datetime.fromisoformat(facts[k]) for k in keys if isinstance(facts.get(k), str)]
        publicity = facts.get("publicity")
        if isinstance(publicity, dict) and isinstance(publicity.get("end"), str):
            out.append(datetime.fromisoformat(publicity["end"]))
        return out


async def _last_record_id(settings: Settings) -> int:
    engine = make_engine(settings)
    try:
        async with make_session_factory(engine)() as session:
            return int(await session.scalar(select(func.max(CreditRecord.id))) or 0)
    finally:
        await engine.dispose()


def _next_quarter_start(after: date) -> datetime:
    """02:00 city time on the first day of a quarter, on or after ``after``."""
    start = Quarter.of(after).start().astimezone(CITY_TZ).date()
    if start < after:
        start = Quarter.of(after + timedelta(days=92 - (after - start).days)).start().astimezone(CITY_TZ).date()
    return datetime.combine(start, time(2, 0), tzinfo=CITY_TZ)
