"""Benchmark 4: an election of many households through the real ballot path.

Per run one election (``bench/election_path.py``): every household casts one ballot with at most
10 in flight. Measured: ballots per second (first ballot sent to last answer), whether the stored
tally equals, per candidate, the headcount and area the sent ballots add up to (every ballot
counted exactly once), the largest run's history event count and the number of runs (more than
one means continue-as-new happened).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Protocol

from temporalio.client import Client

from bench.report import Metric
from bench.stats import CpuMeter

# Ten owners voting at the same moment, as Temporal's limit of updates in flight per workflow
# would allow if ballots went through the workflow (ours go to the ballot box directly).
IN_FLIGHT = 10
HISTORY_LIMIT = 10_240
CHOICES = ("A", "B", "C")


class BallotPath(Protocol):
    """How the benchmark reaches the voting step, casts one household's ballot, and reads the tally."""

    async def open(self, households: int) -> str:
        """Prepare an estate of ``households`` households and bring an election to voting; returns the workflow id."""
        ...

    async def cast(self, household: int, choice: str) -> None:
        """Cast household number ``household``'s ballot for ``choice`` exactly as a voter would."""
        ...

    def expected(self, choices: list[str]) -> dict[str, tuple[int, int]]:
        """Per candidate, (headcount, area) if household ``i`` cast ``choices[i]`` and every ballot counted once."""
        ...

    async def tally(self) -> dict[str, tuple[int, int]]:
        """Wait for voting to close and return the stored count per candidate: (headcount, area)."""
        ...


def election_workflow() -> type | None:
    """The registered election workflow."""
    from core.registry import REGISTRY

    spec = REGISTRY.get("owners-election")
    return spec.workflow if spec is not None else None


async def history_of(client: Client, workflow_id: str, max_runs: int = 100) -> tuple[int, int]:
    """(events of the largest run, number of runs) following the continue-as-new chain back from the latest run."""
    largest, runs, run_id = 0, 0, None
    for _ in range(max_runs):
        history = await client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()
        largest, runs = max(largest, len(history.events)), runs + 1
        run_id = history.events[0].workflow_execution_started_event_attributes.continued_execution_run_id or None
        if run_id is None:
            break
    return largest, runs


async def _vote(path: BallotPath, gate: asyncio.Semaphore, household: int, choice: str) -> None:
    async with gate:
        await path.cast(household, choice)


async def election(path: BallotPath, client: Client, households: int, runs: int, pids: dict[str, int],
                   log: Callable[[str], None]) -> list[Metric]:
    """Per run: one election, every household votes once with at most 10 ballots in flight."""
    note = f"{households} households, {IN_FLIGHT} ballots in flight"
    rate = Metric("4. election ballots", "ballots/s", note=note)
    exact = Metric("4. election tally exact", "1 = yes", target=(">=", 1, "value"), note=note)
    events = Metric("4. election history (largest run)", "events", target=("<=", HISTORY_LIMIT, "value"), note=note)
    chain = Metric("4. election runs (1 = no continue-as-new)", "runs", note=note)
    choices = [CHOICES[h % len(CHOICES)] for h in range(households)]
    for r in range(runs):
        workflow_id = await path.open(households)
        gate = asyncio.Semaphore(IN_FLIGHT)
        with CpuMeter(pids) as cpu:
            async with asyncio.timeout(3600):
                await asyncio.gather(*(_vote(path, gate, h, choices[h]) for h in range(households)))
        rate.ours.append(households / cpu.seconds)
        rate.server_cpu.append({"ours": cpu.shares.get("temporal", 0.0)})
        rate.process_cpu.append({"ours": cpu.shares})
        counted, expected = await path.tally(), path.expected(choices)
        exact.ours.append(1.0 if counted == expected else 0.0)
        largest, n_runs = await history_of(client, workflow_id)
        events.ours.append(largest)
        chain.ours.append(n_runs)
        log(f"  run {r + 1}: {rate.ours[-1]:.1f} ballots/s, exact={bool(exact.ours[-1])}, {largest} events, "
            f"{n_runs} run(s), CPU {cpu.shares}")
        if not exact.ours[-1]:
            log(f"    counted {counted} != expected {expected}")
    return [rate, exact, events, chain]
