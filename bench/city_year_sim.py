"""The city year's event loop: people act at their moments, Temporal's clock skips between them.

The time-skipping test server owns the clock. The loop holds an agenda of what people will do and
when (an intake, a decision, a look at a case, a monthly report run); it moves the server's clock
to the next moment (every timer due on the way fires, and each woken workflow finishes its
reaction first), then does everything due at that moment through the HTTP API, a bounded number
at once. Moments are the two daily rounds (9:00 and 15:00 city time; working days for everyone but
the hotline centre), so a year is at most 730 clock moves.

What a decision answers (the case with its open tasks) schedules the next decisions; a timer's
work (a card, an escalation, a takeover, a supervision order) is found by a look at the case
scheduled just after the earliest due or escalation time of its open tasks.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import os
import random
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx
from temporalio.api.testservice.v1 import SleepRequest, UnlockTimeSkippingRequest
from temporalio.testing import WorkflowEnvironment

from bench.city_year_civic_policy import CIVIC, civic_choice
from bench.city_year_people import PACES, Json, Pace, People, choose
from bench.city_year_plan import SLOTS, FundStart, TicketIntake, YearPlan
from domain.access import Role
from domain.calendar import CITY_TZ

FINAL = {"completed", "rejected", "withdrawn"}
CITY_READER = {"ticket": Role.DISPATCHER, **dict.fromkeys(("fund-emergency", *CIVIC), Role.HOUSING_BUREAU)}
LOOK_AT_LEAST_EVERY = timedelta(days=7)  # a civic case's periods run without tasks (nominations, notices, voting)
DEFAULT_PACE = Pace(24, 0.0, (0, 0))
SKIP_TIMEOUT = timedelta(minutes=15)
CALL_TIMEOUT = 300  # seconds: one person's call (or a case's calls at one moment) that hangs is an error, not a stuck year
# A case's calls wait while one of its timers is due this close after the moment: the test server
# strands a run whose workflow task cancels a timer that fired while the task was with the worker
# (it refuses the completion, "invalid history builder state for action", and never hands the task
# out again; its time-skipping lock stays taken and the year stands still). Our workflows cancel
# their one wake-up timer when a decision moves the nearest deadline, and an hours-long deadline
# set at one round falls due at a later round's calls. The calls go on just after the timer.
TIMER_GUARD = timedelta(minutes=5)
TIMER_LATENCY = timedelta(seconds=10)  # a timer fires and its workflow task runs within this after it is due
STALL_CHECK = 10.0  # seconds of wall time between looks at a clock move under way
STALL_LIMIT = 120.0  # seconds the clock may stand still during a move before the year is given up
DEBUG = bool(os.environ.get("WUYEFLOW_BENCH_DEBUG"))  # each moment and its calls, to follow a stuck year


@dataclass
class Tracked:
    """What the simulation knows of one case: its last answer and which decisions it has planned."""

    process: str
    last: Json
    key: str  # the generated input it came from (t12, f3): what seeds its people's dice
    planned: set[tuple[str, str]] = field(default_factory=set)
    look_at: datetime | None = None
    flags: set[str] = field(default_factory=set)  # what a process's own calls have planned already (bids, ballots)


@dataclass(order=True)
class Entry:
    when: datetime
    seq: int
    what: Callable[[], Awaitable[None]] = field(compare=False)
    case: str = field(default="", compare=False)  # calls on one case at one moment are made in the order planned


class Year:
    """One simulated year against a running API and worker on the time-skipping server."""

    def __init__(self, env: WorkflowEnvironment, api: httpx.AsyncClient, people: People, plan: YearPlan, seed: int,
                 concurrency: int, say: Callable[[str], None]) -> None:
        self.env, self.api, self.people, self.plan = env, api, people, plan
        self.seed = seed
        self.gate = asyncio.Semaphore(concurrency)
        self.say = say
        self.agenda: list[Entry] = []
        self.seq = itertools.count()
        self.cases: dict[str, Tracked] = {}
        self.now: datetime = datetime.min.replace(tzinfo=CITY_TZ)
        self.requests = 0
        self.refused: Counter[str] = Counter()
        self.decided: Counter[str] = Counter()
        self.closures: Counter[tuple[str, str, str]] = Counter()  # (month, key, closed|satisfied)
        self.ticket_street: dict[str, str] = {}
        self.errors: list[str] = []
        self.clock_moves = 0
        self.clock_seconds = 0.0  # wall time spent moving the clock (timers firing, workflows reacting)
        # Calls of a process beyond its tasks (nominations, ballots, bids), planned from each answer seen.
        self.hooks: list[Callable[[Tracked], None]] = []
        # Moments a case's facts name (a period's end) at which a look finds what its timer did.
        self.period_ends: Callable[[Tracked], list[datetime]] = lambda _tracked: []
        # Abandoned children the bench saw complete, whose leaked time-skipping lock is released at the next move.
        self.orphans_closing: list[str] = []
        self.locks_released = 0
        self.deferred = 0  # cases whose calls at a moment waited for a timer due just after it (TIMER_GUARD)

    # ----------------------------------------------------------------- agenda

    def at(self, when: datetime, what: Callable[[], Awaitable[None]], case: str = "") -> None:
        heapq.heappush(self.agenda, Entry(when, next(self.seq), what, case))

    def next_round(self, after: datetime, role: Role | None = None) -> datetime:
        """The first daily round at or after ``after``; on a working day unless the hotline centre acts."""
        local = after.astimezone(CITY_TZ)
        day = local.date()
        while True:
            for slot in SLOTS:
                moment = datetime.combine(day, slot, tzinfo=CITY_TZ)
                weekday_ok = role == Role.DISPATCHER or moment.weekday() < 5
                if moment >= local and weekday_ok:
                    return moment
            day += timedelta(days=1)

    async def move_clock(self, to: datetime) -> None:
        await self._release_leaked_locks()
        current = await self.env.get_current_time()
        if to > current:
            t0 = time.perf_counter()
            # env.sleep with a longer RPC deadline: a skip over a busy day of timers can take minutes of wall time.
            req = SleepRequest()
            req.duration.FromTimedelta(to - current)
            if DEBUG:
                self.say(f"    skip {current:%m-%d %H:%M} -> {to:%m-%d %H:%M}")
            await self._skip(req)
            self.clock_seconds += time.perf_counter() - t0
            self.clock_moves += 1
        self.now = max(to, current)

    async def _skip(self, req: SleepRequest) -> None:
        """One clock move; a clock that stops moving during it ends the year with the cases that hold it."""
        skip = asyncio.ensure_future(self.env.client.service_client.test_service.unlock_time_skipping_with_sleep(req, timeout=SKIP_TIMEOUT))
        loop = asyncio.get_running_loop()
        seen, looked, still = await self.env.get_current_time(), loop.time(), 0.0
        while True:
            done, _ = await asyncio.wait({skip}, timeout=STALL_CHECK)
            if done:
                skip.result()
                return
            current, wall = await self.env.get_current_time(), loop.time()
            still = still + (wall - looked) if current - seen <= timedelta(seconds=wall - looked + 1) else 0.0
            if still >= STALL_LIMIT:
                skip.cancel()
                raise RuntimeError(f"the clock stopped at {current.isoformat()} during a move: {await self._holding()}")
            seen, looked = current, wall

    async def _holding(self) -> str:
        """The open cases with a workflow task or an activity under way (what holds the test server's clock)."""
        held = []
        for cid, tracked in self.cases.items():
            if tracked.last["status"]["code"] in FINAL:
                continue
            raw = (await self.env.client.get_workflow_handle(cid).describe()).raw_description
            if raw.HasField("pending_workflow_task") or raw.pending_activities:
                held.append(cid)
        return ", ".join(held) or "no open case has a workflow task or an activity under way (a lock the server leaked)"

    async def _release_leaked_locks(self) -> None:
        """The test server keeps a time-skipping lock each time a child workflow completes after its parent closed
        (a tender's handover, abandoned by the tender): time would never move again. Release one per such child."""
        for workflow_id in list(self.orphans_closing):
            desc = await self.env.client.get_workflow_handle(workflow_id).describe()
            if desc.close_time is None:
                continue
            await self.env.client.service_client.test_service.unlock_time_skipping(UnlockTimeSkippingRequest())
            self.orphans_closing.remove(workflow_id)
            self.locks_released += 1

    async def run_until(self, horizon: datetime, log_every: timedelta = timedelta(days=30)) -> None:
        next_log = self.plan.moment(0, 0) + log_every
        while self.agenda and self.agenda[0].when <= horizon:
            when = self.agenda[0].when
            await self.move_clock(when)
            # Different cases at once; one case's calls one after another, in the order they were planned,
            # so a co-handler's opinion and the lead's reply due at the same moment always meet in one order.
            batch: dict[str, list[Callable[[], Awaitable[None]]]] = {}
            while self.agenda and self.agenda[0].when <= when:
                entry = heapq.heappop(self.agenda)
                batch.setdefault(entry.case or f"#{entry.seq}", []).append(entry.what)
            self._defer_calls_near_timers(batch)
            if DEBUG:
                self.say(f"    {when:%Y-%m-%d %H:%M}: {sum(len(c) for c in batch.values())} calls")
            await asyncio.gather(*(self._in_turn(calls) for calls in batch.values()))
            if when >= next_log:
                open_cases = sum(1 for c in self.cases.values() if c.last["status"]["code"] not in FINAL)
                self.say(f"  {when:%Y-%m-%d}: {len(self.cases)} cases, {open_cases} open, {self.requests} requests")
                next_log += log_every

    def _defer_calls_near_timers(self, batch: dict[str, list[Callable[[], Awaitable[None]]]]) -> None:
        """Take out of ``batch`` the calls of every case with a timer due within ``TIMER_GUARD``; plan them just after it."""
        for cid in list(batch):
            tracked = self.cases.get(cid)
            if tracked is None or tracked.last["status"]["code"] in FINAL:
                continue
            due = [t for t in self._wake_ups(tracked) if self.now <= t <= self.now + TIMER_GUARD]
            if due:
                self.deferred += 1
                for what in batch.pop(cid):
                    self.at(max(due) + TIMER_LATENCY, what, cid)

    def _wake_ups(self, tracked: Tracked) -> list[datetime]:
        """The moments the case's timers are known to fire at: its open tasks' reminder, due and escalation
        times, and the period ends its facts name."""
        times = [datetime.fromisoformat(t[k]) for t in tracked.last["open_tasks"]
                 for k in ("remind_at", "due_at", "escalate_at") if t.get(k)]
        return times + self.period_ends(tracked)

    async def _in_turn(self, calls: list[Callable[[], Awaitable[None]]]) -> None:
        async with self.gate:
            for what in calls:
                try:
                    async with asyncio.timeout(CALL_TIMEOUT):
                        await what()
                except Exception as exc:  # one case's surprise must not end the year; it is reported
                    name = getattr(getattr(what, "__code__", None), "co_qualname", repr(what))
                    self.errors.append(f"{name}: {type(exc).__name__}: {exc}"[:300])

    # ----------------------------------------------------------------- intake

    def plan_intakes(self) -> None:
        for t in self.plan.tickets:
            self.at(self.plan.moment(t.day, t.slot), lambda t=t: self.take_ticket(t))
        for f in self.plan.funds:
            self.at(self.plan.moment(f.day, f.slot), lambda f=f: self.report_emergency(f))

    async def take_ticket(self, t: TicketIntake) -> None:
        body = {"channel": "hotline_12345", "external_ref": f"12345-year-{t.n:06d}", "category": t.category,
                "estate_id": t.estate.id, "description": "市民来电反映问题", "contact": {"name": "来电人", "phone": "13800000000"}}
        case = await self._post("/tickets", body, self.people.token(Role.DISPATCHER, None))
        if case is not None:
            self.ticket_street[case["id"]] = t.estate.street
            self.observe(case, "ticket", f"t{t.n}")

    async def report_emergency(self, f: FundStart) -> None:
        body = {"estate_id": f.estate.id, "category": "elevator_failure", "scope": "building",
                "scope_id": f"{f.estate.id}-b{f.n % 4 + 1}", "description": "电梯钢丝绳断股，已停运"}
        case = await self._post("/cases/fund-emergency", body, self.people.token(Role.CLERK, f.estate.street))
        if case is not None:
            self.observe(case, "fund-emergency", f"f{f.n}")

    # ----------------------------------------------------------------- cases

    def draw(self, tracked: Tracked, task_id: str, role: Role, what: str) -> random.Random:
        """The dice of one person at one task: seeded by the year, the input the case came from, the task
        and the role, so the year is the same whatever order concurrent answers arrive in."""
        return random.Random(f"{self.seed}:{tracked.key}:{task_id}:{role.value}:{what}")

    def observe(self, case: Json, process: str | None = None, key: str = "") -> None:
        """Remember the case's answer; plan a decision for every open task (and party) not planned yet, and a look."""
        tracked = self.cases.get(case["id"])
        if tracked is None:
            tracked = self.cases[case["id"]] = Tracked(process or case["process"], case, key or case["id"])
        tracked.last = case
        for hook in self.hooks:
            hook(tracked)
        if case["status"]["code"] in FINAL:
            return
        for task in case["open_tasks"]:
            for role in self._deciders(task):
                key = (task["id"], role.value)
                if key in tracked.planned:
                    continue
                tracked.planned.add(key)
                pace = PACES.get(role, DEFAULT_PACE)
                when = self.next_round(self.now + pace.delay(self.draw(tracked, task["id"], role, "delay")), role)
                self.at(when, lambda cid=case["id"], tid=task["id"], r=role: self.decide(cid, tid, r), case["id"])
        self._plan_look(tracked)

    def _deciders(self, task: Json) -> list[Role]:
        roles = [Role(r["code"]) for r in task["candidate_roles"]]
        if task.get("countersign"):
            return [Role(p["role"]["code"]) for p in task["countersign"] if not p.get("signed_by")]
        return roles[:1]

    def _plan_look(self, tracked: Tracked) -> None:
        future = [t for t in self._wake_ups(tracked) if t > self.now]
        when = min(future) + timedelta(minutes=1) if future else self.now + timedelta(days=2)
        if tracked.process in CIVIC:
            when = min(when, self.now + LOOK_AT_LEAST_EVERY)
        when = self.next_round(when, Role.DISPATCHER)
        if tracked.look_at is not None and self.now < tracked.look_at <= when:
            return
        tracked.look_at = when
        cid = tracked.last["id"]
        self.at(when, lambda: self.look(cid, when), cid)

    async def look(self, case_id: str, planned: datetime) -> None:
        tracked = self.cases[case_id]
        if tracked.look_at != planned or tracked.last["status"]["code"] in FINAL:
            return  # a later look replaced this one, or the case is done
        tracked.look_at = None
        token = self.people.token(CITY_READER[tracked.process], None)
        r = await self.api.get(f"/cases/{case_id}", headers={"Authorization": token})
        self.requests += 1
        if r.status_code != 200:
            self.refused[f"look {r.status_code}"] += 1
            return
        self.observe(r.json())

    async def decide(self, case_id: str, task_id: str, role: Role) -> None:
        tracked = self.cases[case_id]
        case = tracked.last
        task = next((t for t in case["open_tasks"] if t["id"] == task_id), None)
        if task is None:
            return await self.look(case_id, tracked.look_at) if tracked.look_at else None
        allowed = [d["code"] for d in task["decisions"]]
        rnd = self.draw(tracked, task_id, role, "choice")
        if tracked.process in CIVIC:
            choice = civic_choice(tracked.process, task["step"]["code"], rnd, case, task, self.now)
            choice = choice if choice is not None and choice[0] in allowed else None
        else:
            choice = choose(tracked.process, task["step"]["code"], rnd, case, allowed)
        if choice is None:
            self.refused[f"no policy {tracked.process}/{task['step']['code']}"] += 1
            return None
        decision, data, comment = choice
        body: Json = {"decision": decision, "data": data}
        if comment:
            body["comment"] = comment
        answer = await self._post(f"/cases/{case_id}/tasks/{task_id}/decisions", body, self.people.for_task(case, role, task["step"]["code"], task.get("assignee")),
                                  what=f"{tracked.process}/{task['step']['code']}/{decision}")
        if answer is None:
            tracked.planned.discard((task_id, role.value))  # the next look plans it again if it is still open
            tracked.look_at = None
            self._plan_look(tracked)
            return None
        self.decided[f"{tracked.process}/{task['step']['code']}/{decision}"] += 1
        if tracked.process == "ticket" and answer["status"]["code"] == "completed":
            month = self.now.astimezone(CITY_TZ).strftime("%Y-%m")
            closure = (answer.get("facts") or {}).get("closure")
            for key in ("city", self.ticket_street[case_id]):
                self.closures[(month, key, "closed")] += 1
                self.closures[(month, key, "satisfied")] += int(closure == "satisfied")
        self.observe(answer)
        return None

    async def _post(self, path: str, body: Json, token: str, what: str = "") -> Json | None:
        headers = {"Authorization": token, "Idempotency-Key": uuid.uuid4().hex}
        r = await self.api.post(path, json=body, headers=headers)
        self.requests += 1
        if r.status_code in (200, 201):
            answer: Json = r.json()
            return answer
        # 409: the task was closed meanwhile (deemed signed, taken over, cancelled): a real race, counted.
        self.refused[f"{what or path} {r.status_code}"] += 1
        if r.status_code not in (403, 404, 409):
            self.errors.append(f"{what or path}: {r.status_code} {r.text[:200]}")
        return None
