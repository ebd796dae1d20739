"""The faults, one per phase, each injected at random moments while that phase's cases run.

Every injector is bounded in count and returns once its phase's cases are done; blocking steps
(``pg_ctl``, waiting for a port) run in a thread so the cases keep going meanwhile.
"""

from __future__ import annotations

import asyncio
import random
import signal
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bench.chaos.stack import ChaosStack


@dataclass
class Injection:
    """What one phase did to the stack, with the seconds since the phase began."""

    events: list[tuple[float, str]] = field(default_factory=list)
    t0: float = field(default_factory=time.monotonic)
    # The restore phase: its middle cases start once the backup is taken (``backed_up``), the
    # backup goes back in once they are all at their notice (``middle_done``: first payment made,
    # decisions recorded after the backup), and its late cases start after that (``restored``).
    backed_up: asyncio.Event = field(default_factory=asyncio.Event)
    middle_done: asyncio.Event = field(default_factory=asyncio.Event)
    restored: asyncio.Event = field(default_factory=asyncio.Event)

    def note(self, what: str) -> None:
        self.events.append((round(time.monotonic() - self.t0, 1), what))


Injector = Callable[[ChaosStack, Injection, asyncio.Event, int], Awaitable[None]]


async def _pause(done: asyncio.Event, low: float, high: float) -> bool:
    """Sleep a random while; True when the phase's cases finished meanwhile."""
    try:
        await asyncio.wait_for(done.wait(), random.uniform(low, high))
    except TimeoutError:
        return False
    return True


async def kill_worker(stack: ChaosStack, inj: Injection, done: asyncio.Event, times: int) -> None:
    for n in range(times):
        if await _pause(done, 0.5 if n == 0 else 1.0, 1.5 if n == 0 else 3.0):
            return
        await asyncio.to_thread(stack.kill_one_worker)
        inj.note("worker SIGKILL")
        await asyncio.sleep(random.uniform(0.2, 2.5))
        await asyncio.to_thread(stack.start_workers)
        inj.note("worker started")


async def kill_temporal(stack: ChaosStack, inj: Injection, done: asyncio.Event, times: int) -> None:
    for n in range(times):
        if await _pause(done, 0.5 if n == 0 else 1.0, 1.5 if n == 0 else 3.0):
            return
        await asyncio.to_thread(stack.kill, "temporal")
        inj.note("temporal kill -9")
        await asyncio.sleep(random.uniform(1.0, 4.0) if n % 3 < 2 else random.uniform(10.0, 15.0))
        await asyncio.to_thread(stack.start_temporal)
        inj.note("temporal started (same data file)")


async def kill_api(stack: ChaosStack, inj: Injection, done: asyncio.Event, times: int) -> None:
    for n in range(times):
        if await _pause(done, 0.5 if n == 0 else 1.0, 1.5 if n == 0 else 3.0):
            return
        sig = signal.SIGKILL if n % 2 == 0 else signal.SIGTERM
        await asyncio.to_thread(stack.kill, "api", sig)
        inj.note(f"api {sig.name}")
        await asyncio.sleep(random.uniform(0.2, 2.0))
        await asyncio.to_thread(stack.start_fixed_api)
        inj.note("api started")


async def stop_postgres(stack: ChaosStack, inj: Injection, done: asyncio.Event, times: int) -> None:
    assert stack.cluster is not None
    for n in range(times):
        if await _pause(done, 0.5 if n == 0 else 1.0, 1.5 if n == 0 else 3.0):
            return
        mode = "immediate" if n % 2 == 0 else "fast"
        await asyncio.to_thread(stack.cluster.stop, mode)
        inj.note(f"postgres stop -m {mode}")
        await asyncio.sleep(random.uniform(2.0, 6.0))
        await asyncio.to_thread(stack.cluster.start)
        inj.note("postgres started")


async def nothing(stack: ChaosStack, inj: Injection, done: asyncio.Event, times: int) -> None:
    """The duplicate bursts are made by the driver; nothing is killed."""
    inj.note("every start and decision sent 10 times at once (one key; every other decision 10 keys)")


async def restore_backup(stack: ChaosStack, inj: Injection, done: asyncio.Event, times: int) -> None:
    """Back up the database while the early cases run, let the middle ones get past their first payment, put the backup back."""
    assert stack.cluster is not None
    try:
        await asyncio.sleep(random.uniform(1.5, 3.0))
        await asyncio.to_thread(stack.cluster.backup)
        inj.note("backup taken (file copy while stopped)")
        inj.backed_up.set()
        try:
            await asyncio.wait_for(inj.middle_done.wait(), 90)
        except TimeoutError:
            inj.note("the middle cases did not all reach their notice within 90 s")
        await asyncio.sleep(random.uniform(0.0, 1.0))
        await asyncio.to_thread(restore_procedure, stack, inj)
    finally:
        inj.backed_up.set()
        inj.restored.set()


def restore_procedure(stack: ChaosStack, inj: Injection) -> None:
    """deploy/README.md's restore: stop the API and the workers, restore (and migrate), reconcile, start the workers, then the API."""
    assert stack.cluster is not None
    stack.kill("api", signal.SIGTERM)
    stack.kill("worker", signal.SIGTERM)
    inj.note("api and workers stopped")
    stack.cluster.restore()
    stack.prepare_database(migrate_only=True)
    inj.note("backup restored and migrated: everything written since is gone")
    inj.note(f"reconciled with Temporal: {stack.reconcile()}")
    stack.start_workers()
    stack.start_fixed_api()
    inj.note("workers and api started")


@dataclass(frozen=True)
class Fault:
    name: str
    label: str
    inject: Injector
    times_quick: int
    times_full: int
    staged: bool = False  # early / middle / late cases, as for the restore (see Injection)
    burst: bool = False


FAULTS = [
    Fault("restore", "database restore from a mid-run backup", restore_backup, 1, 1, staged=True),
    Fault("worker", "worker SIGKILL at random moments", kill_worker, 3, 12),
    Fault("temporal", "Temporal kill -9 and restart, same data file", kill_temporal, 2, 6),
    Fault("api", "API kill (SIGKILL / SIGTERM) and restart", kill_api, 2, 10),
    Fault("postgres", "PostgreSQL stop (immediate / fast) and start", stop_postgres, 2, 6),
    Fault("duplicates", "duplicate bursts: 10 at once with one key, 10 with different keys", nothing, 0, 0, burst=True),
]
