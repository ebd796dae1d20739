"""A fault-suite session: its own stack, one phase per fault, the notices' end, then the checks."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench.chaos.cases import CaseRun, Cast, Driver, buildings
from bench.chaos.checks import Verdict, check_all
from bench.chaos.client import Recorder, call
from bench.chaos.faults import FAULTS, Fault, Injection
from bench.chaos.pg import Cluster
from bench.chaos.stack import ChaosStack
from bench.city import create_estates, settings_for

PHASE_SECONDS = 400.0  # a phase's cases are abandoned (and reported stuck) after this
NOTICE_WAIT = 240.0  # the demo notice is 2 minutes; the final payment follows it


@dataclass(frozen=True)
class Plan:
    cases: int  # per fault
    in_flight: int
    estates: int
    workers: int
    faults: tuple[str, ...]

    def times(self, fault: Fault, full: bool) -> int:
        return fault.times_full if full else fault.times_quick


QUICK = Plan(cases=4, in_flight=4, estates=1, workers=1, faults=tuple(f.name for f in FAULTS))
FULL = Plan(cases=30, in_flight=10, estates=2, workers=2, faults=tuple(f.name for f in FAULTS))


@dataclass
class Phase:
    fault: Fault
    runs: list[CaseRun]
    rec: Recorder = field(default_factory=Recorder)
    injection: Injection = field(default_factory=Injection)
    seconds: float = 0.0


async def run_phase(phase: Phase, stack: ChaosStack, driver: Driver, plan: Plan, full: bool, say: Callable[[str], None]) -> None:
    """The phase's cases with at most ``in_flight`` at once, staggered, while its fault is injected."""
    gate = asyncio.Semaphore(plan.in_flight)
    done = asyncio.Event()
    stage = stages(len(phase.runs)) if phase.fault.staged else [0] * len(phase.runs)
    waits = {1: phase.injection.backed_up, 2: phase.injection.restored}
    middle = [i for i, s in enumerate(stage) if s == 1]

    async def one(i: int, run: CaseRun) -> None:
        if stage[i] in waits:
            await waits[stage[i]].wait()
        await asyncio.sleep(0.4 * (i % plan.in_flight))
        async with gate:
            await driver.drive(run, phase.rec)

    async def middle_done() -> None:
        await asyncio.gather(*(tasks[i] for i in middle), return_exceptions=True)
        phase.injection.middle_done.set()

    t0 = time.monotonic()
    injector = asyncio.create_task(phase.fault.inject(stack, phase.injection, done, plan.times(phase.fault, full)))
    tasks = [asyncio.create_task(one(i, r)) for i, r in enumerate(phase.runs)]
    watcher = asyncio.create_task(middle_done())
    try:
        await asyncio.wait(tasks, timeout=PHASE_SECONDS)
    finally:
        done.set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        watcher.cancel()
        await asyncio.wait_for(injector, timeout=120)
        await asyncio.to_thread(stack.ensure_up)
    phase.seconds = time.monotonic() - t0
    for run in phase.runs:
        if run.error is None and not run.reached_notice:
            run.error = f"not at the notice when the phase ended (at {run.last_step})"
    reached = sum(r.reached_notice for r in phase.runs)
    say(f"  {phase.fault.name}: {reached}/{len(phase.runs)} at the public notice in {phase.seconds:.0f} s; "
        f"injected {[e[1] for e in phase.injection.events]}")


def stages(n: int) -> list[int]:
    """Early (0: before the backup), middle (1: between backup and restore) and late (2: after) cases."""
    late, middle = n // 2, max(1, n // 4)
    early = max(0, n - late - middle)
    return [0] * early + [1] * middle + [2] * (n - early - middle)


async def wait_closed(http: httpx.AsyncClient, phases: list[Phase], casts: dict[str, Cast], say: Callable[[str], None]) -> None:
    """Poll until every case that reached its notice has closed (notice, then final payment), bounded."""
    rec = Recorder()
    pending = [r for p in phases for r in p.runs if r.reached_notice and r.case_id]
    deadline = time.monotonic() + NOTICE_WAIT
    while pending and time.monotonic() < deadline:
        still = []
        for run in pending:
            got = await call(http, rec, "GET", f"/cases/{run.case_id}", token=casts[run.estate_id].tokens["bureau"])
            if not (got.ok and got.body["status"]["code"] == "completed"):
                still.append(run)
        if len(still) != len(pending):
            say(f"  {len(pending) - len(still)} more closed, {len(still)} in their notice")
        pending = still
        if pending:
            await asyncio.sleep(3)


async def session(workdir: Path, plan: Plan, full: bool, say: Callable[[str], None]) -> tuple[list[Phase], Verdict, dict[str, Any]]:
    """Everything, in order; the stack and the cluster are stopped on the way out, also on error or Ctrl+C."""
    cluster = Cluster(workdir / "pg")
    with ChaosStack(workdir, cluster.url, cluster=cluster, workers=plan.workers) as stack:
        try:
            return await _session(stack, cluster, plan, full, say)
        finally:
            with contextlib.suppress(Exception):
                stack.stop()
            cluster.destroy()


async def _session(stack: ChaosStack, cluster: Cluster, plan: Plan, full: bool,
                   say: Callable[[str], None]) -> tuple[list[Phase], Verdict, dict[str, Any]]:
    say(f"creating PostgreSQL on port {cluster.port}, starting Temporal, migrating and seeding ...")
    await asyncio.to_thread(cluster.create)
    await asyncio.to_thread(stack.start_temporal)
    await asyncio.to_thread(stack.prepare_database)
    settings = settings_for(stack.database_url, stack.jwt_secret, stack.actor_seal_key)
    estates = await create_estates(settings, plan.estates)
    casts = {e: Cast.for_estate(settings, e) for e in estates}
    stack.start_workers()
    await asyncio.to_thread(stack.start_fixed_api)
    places = buildings(estates)
    phases: list[Phase] = []
    owned: dict[str, int] = {}
    async with httpx.AsyncClient(base_url=stack.api_url, timeout=httpx.Timeout(60, connect=3)) as http:
        n = 0
        for fault in (f for f in FAULTS if f.name in plan.faults):
            runs = []
            for _ in range(plan.cases):
                estate, building = places[n % len(places)]
                runs.append(CaseRun(n, fault.name, estate, building))
                n += 1
            phase = Phase(fault, runs)
            phases.append(phase)
            say(f"fault {fault.name}: {fault.label}, {plan.cases} cases")
            await run_phase(phase, stack, Driver(http, casts, owned, burst=fault.burst), plan, full, say)
        say("waiting for the public notices to end and the final payments ...")
        await wait_closed(http, phases, casts, say)
        say("checking every case ...")
        verdict = await check_all(http, settings, phases, casts, estates)
    return phases, verdict, {"estates": estates, "temporal_port": stack.temporal_port, "postgres_port": cluster.port}
