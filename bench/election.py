"""Benchmark 4: an election of 10,000 households through the real ballot path (EXTENSION POINT).

The election process is being built. This module already measures everything the issue asks
(ballots per second, the exact tally, the history's event count over all runs, whether
continue-as-new happened) for any :class:`BallotPath`. To switch it on:

1. register the election workflow in ``worker.WORKFLOWS`` (its ``kind`` contains ``election``);
2. implement :class:`BallotPath` for the real path in a module of ``bench/`` and return it from
   :func:`ballot_path`: ``open`` starts an election through the API and drives it to its voting
   step, ``cast`` posts one household's ballot the way an owner (or a clerk's paper batch) does,
   ``tally`` closes voting and reads the stored result.

Until both are done the benchmark is skipped with a printed note saying which step is missing.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable
from typing import Protocol

import httpx
from temporalio.client import Client

from bench.report import Metric

# Temporal allows at most 10 updates in flight per workflow; ballots must not exceed it.
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

    async def tally(self) -> dict[str, int]:
        """Close voting and return the counted votes per choice."""
        ...


def election_workflow() -> type | None:
    """The registered election workflow, if the worker has one yet."""
    from worker import WORKFLOWS

    return next((wf for wf in WORKFLOWS if "election" in str(getattr(wf, "kind", "")).lower()), None)


def ballot_path(api: httpx.AsyncClient, client: Client) -> BallotPath | None:
    """The real ballot path; returns None until it is implemented (see the module docstring)."""
    return None


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


async def _vote(path: BallotPath, gate: asyncio.Semaphore, household: int) -> None:
    async with gate:
        await path.cast(household, CHOICES[household % len(CHOICES)])


async def election(path: BallotPath, client: Client, households: int, runs: int, log: Callable[[str], None]) -> list[Metric]:
    """Per run: one election, every household votes once with at most 10 ballots in flight."""
    note = f"{households} households, {IN_FLIGHT} ballots in flight"
    rate = Metric("4. election ballots", "ballots/s", note=note)
    exact = Metric("4. election tally exact", "1 = yes", target=(">=", 1, "value"), note=note)
    events = Metric("4. election history (largest run)", "events", target=("<=", HISTORY_LIMIT, "value"), note=note)
    chain = Metric("4. election runs (1 = no continue-as-new)", "runs", note=note)
    for r in range(runs):
        workflow_id = await path.open(households)
        expected = Counter(CHOICES[h % len(CHOICES)] for h in range(households))
        gate = asyncio.Semaphore(IN_FLIGHT)
        t0 = time.perf_counter()
        async with asyncio.timeout(3600):
            await asyncio.gather(*(_vote(path, gate, h) for h in range(households)))
        rate.ours.append(households / (time.perf_counter() - t0))
        exact.ours.append(1.0 if Counter(await path.tally()) == expected else 0.0)
        largest, n_runs = await history_of(client, workflow_id)
        events.ours.append(largest)
        chain.ours.append(n_runs)
        log(f"  run {r + 1}: {rate.ours[-1]:.1f} ballots/s, exact={bool(exact.ours[-1])}, {largest} events, {n_runs} run(s)")
    return [rate, exact, events, chain]


def skip_reason(api: httpx.AsyncClient, client: Client) -> tuple[str | None, BallotPath | None]:
    """Why the election benchmark cannot run yet (None when it can), and the path to use."""
    if election_workflow() is None:
        return "skipped: no election workflow in worker.WORKFLOWS yet (bench/election.py is the extension point)", None
    path = ballot_path(api, client)
    if path is None:
        return "skipped: the election workflow is registered, but bench/election.py has no BallotPath for it yet", None
    return None, path
