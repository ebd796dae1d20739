"""One fund-emergency case driven through the API by its people, from the report to the public notice.

The driver reads the case and makes the next decision it shows, so it keeps going whatever a
fault did to the previous request (an answer lost with a killed API, a retry, a refusal). The
notice and the final payment then run on the workflow's own timer (the demo's 2 minutes).
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from api.auth import issue_token
from bench.chaos.client import Outcome, Recorder, call
from bench.city import AGENCY, BUILDINGS, COMPANY, STREET, actor
from core.settings import Settings
from domain.access import Level, Role

NOTICE_STEP = "public_notice"
DONE = {"completed", "rejected", "withdrawn"}
# Small sums, so the many cases of a run on one building never run its accounts dry.
BUDGET, APPROVED, SETTLED, APPROVED_SETTLEMENT = 500_000, 420_000, 410_000, 400_000
# step -> the single decider's (cast key, decision, data); countersign steps are decided per party.
SINGLE: dict[str, tuple[str, str, dict[str, Any]]] = {
    "budget_submission": ("company", "submit", {"amount_fen": BUDGET, "contractor": "青州建安维修工程有限公司"}),
    "price_review": ("agency", "approve", {"approved_amount_fen": APPROVED, "reasons": "按信息价核减"}),
    "bureau_review": ("bureau", "approve", {}),
    "settlement_submission": ("company", "submit", {"amount_fen": SETTLED, "acceptance_certificate": "YS-CHAOS"}),
    "settlement_review": ("agency", "approve", {"approved_amount_fen": APPROVED_SETTLEMENT, "reasons": "按实结算"}),
}
PARTY = {"owner_rep": "owner_rep", "owners_committee": "committee", "property_company": "company"}
COUNTERSIGN_DATA = {"completion_acceptance": {"certificate": "YS-CHAOS"}}
THINK = (0.1, 0.5)  # seconds a person takes between two decisions: a case spans several seconds, faults land inside it
MAX_ROUNDS = 60
MAX_CASE_SECONDS = 300.0


@dataclass
class Cast:
    """Bearer tokens and subjects of everyone acting on one estate's cases, plus a city-wide auditor."""

    tokens: dict[str, str]
    subjects: dict[str, str]

    @classmethod
    def for_estate(cls, settings: Settings, estate_id: str) -> Cast:
        people = {
            "clerk": actor("chaos-clerk", Role.CLERK, Level.STREET, STREET),
            "owner_rep": actor(f"chaos-rep-{estate_id}", Role.OWNER_REP, Level.ESTATE, estate_id),
            "committee": actor(f"chaos-committee-{estate_id}", Role.OWNERS_COMMITTEE, Level.ESTATE, estate_id),
            "company": actor("chaos-company", Role.PROPERTY_COMPANY, Level.COMPANY, COMPANY),
            "agency": actor("chaos-agency", Role.PRICING_AGENCY, Level.COMPANY, AGENCY),
            "bureau": actor("chaos-bureau", Role.HOUSING_BUREAU, Level.CITY, None),
            "auditor": actor("chaos-auditor", Role.AUDITOR, Level.CITY, None),
        }
        return cls({k: f"Bearer {issue_token(settings, a)}" for k, a in people.items()}, {k: a.subject for k, a in people.items()})


@dataclass
class Sent:
    """A decision as the client sent it, and the answer it finally got."""

    task_id: str
    step: str
    who: str
    subject: str
    decision: str
    key: str
    status: int


@dataclass
class CaseRun:
    """What the client knows of one case: its id, scope, every decision and the last state it saw."""

    n: int
    phase: str
    estate_id: str
    building: str
    start_key: str = field(default_factory=lambda: uuid.uuid4().hex)
    case_id: str | None = None
    start_status: int | None = None
    start_ids: set[str] = field(default_factory=set)
    sent: list[Sent] = field(default_factory=list)
    decisions: int = 0
    reached_notice: bool = False
    last_step: str | None = None
    last_status: str | None = None
    error: str | None = None


@dataclass
class Driver:
    """Drives cases on one HTTP client; ``burst`` sends every request 10 times at once."""

    http: httpx.AsyncClient
    casts: dict[str, Cast]
    owned: dict[str, int]  # case id -> the run that started it (a start must never land on another's case)
    burst: bool = False

    async def start(self, run: CaseRun, rec: Recorder) -> None:
        cast = self.casts[run.estate_id]
        body = {"estate_id": run.estate_id, "category": "elevator_failure", "scope": "building", "scope_id": run.building,
                "description": f"电梯钢丝绳断股，已停运（故障演练 {run.phase} #{run.n}）"}
        copies = 10 if self.burst else 1
        outcomes = await asyncio.gather(*(call(self.http, rec, "POST", "/cases/fund-emergency", token=cast.tokens["clerk"],
                                               key=run.start_key, body=body) for _ in range(copies)))
        ok = [o for o in outcomes if o.ok]
        run.start_ids = {o.body["id"] for o in ok}
        run.start_status = ok[0].status if ok else outcomes[0].status
        if not ok:
            run.error = f"start answered {outcomes[0].status}: {str(outcomes[0].body)[:200]}"
            return
        case_id = ok[0].body["id"]
        if self.owned.setdefault(case_id, run.n) != run.n:
            run.error = f"the start answered with {case_id}, which another start created"
            return
        run.case_id = case_id

    async def drive(self, run: CaseRun, rec: Recorder) -> None:
        """Start the case and decide until its public notice, within bounded rounds and time."""
        await self.start(run, rec)
        if run.case_id is None:
            return
        deadline = time.monotonic() + MAX_CASE_SECONDS
        case: dict[str, Any] | None = None
        for _ in range(MAX_ROUNDS):
            if time.monotonic() > deadline:
                break
            if case is None:
                got = await call(self.http, rec, "GET", f"/cases/{run.case_id}", token=self.casts[run.estate_id].tokens["bureau"])
                case = got.body if got.ok else None
                if case is None:
                    await asyncio.sleep(1)
                    continue
            run.last_step, run.last_status = case["step"]["code"], case["status"]["code"]
            if run.last_step == NOTICE_STEP or run.last_status in DONE:
                run.reached_notice = run.last_step == NOTICE_STEP or run.last_status == "completed"
                return
            nxt = next_decision(case)
            if nxt is None:
                case = None
                await asyncio.sleep(0.5)
                continue
            await asyncio.sleep(random.uniform(*THINK))
            answer = await self.decide(run, rec, *nxt)
            case = answer.body if answer.ok else None
            if not answer.ok:
                await asyncio.sleep(0.5)
        run.error = f"gave up at {run.last_step} ({run.last_status})"

    async def decide(self, run: CaseRun, rec: Recorder, task: dict[str, Any], who: str, decision: str, data: dict[str, Any]) -> Outcome:
        """One decision; in a burst the same request 10 times with one key, or (every other step) with 10 keys."""
        cast = self.casts[run.estate_id]
        path = f"/cases/{run.case_id}/tasks/{task['id']}/decisions"
        one_key = uuid.uuid4().hex
        distinct = self.burst and run.decisions % 2 == 1
        run.decisions += 1
        keys = [uuid.uuid4().hex if distinct else one_key for _ in range(10 if self.burst else 1)]
        outcomes = await asyncio.gather(*(call(self.http, rec, "POST", path, token=cast.tokens[who], key=k,
                                               body={"decision": decision, "data": data}, expected_refusal=distinct)
                                          for k in keys))
        for key, outcome in zip(keys, outcomes, strict=True):
            run.sent.append(Sent(task["id"], task["step"]["code"], who, cast.subjects[who], decision, key, outcome.status))
        return next((o for o in outcomes if o.ok), outcomes[0])


def next_decision(case: dict[str, Any]) -> tuple[dict[str, Any], str, str, dict[str, Any]] | None:
    """The next (task, cast key, decision, data) the open tasks ask for, or None when none is ours to make."""
    for task in case["open_tasks"]:
        step = task["step"]["code"]
        if step in SINGLE:
            who, decision, data = SINGLE[step]
            return task, who, decision, data
        for party in task.get("countersign", []):
            if party.get("signed_by") is None and party["role"]["code"] in PARTY:
                return task, PARTY[party["role"]["code"]], "confirm", COUNTERSIGN_DATA.get(step, {})
    return None


def buildings(estates: list[str]) -> list[tuple[str, str]]:
    """Every (estate, building) pair, so that cases spread over all of them."""
    return [(e, f"{e}-b{b}") for b in range(1, BUILDINGS + 1) for e in estates]
