"""Benchmark 6: peak resident memory of the worker and the API with many open cases."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import httpx
from temporalio.client import Client

from bench import bare, driver
from bench.city import Cast
from bench.report import Metric
from bench.stack import Stack, memory_kib

CONCURRENCY = 8


async def _open(n: int, start_one: Callable[[int], Awaitable[object]]) -> None:
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(i: int) -> None:
        async with gate:
            await start_one(i)

    async with asyncio.timeout(1800):
        await asyncio.gather(*(one(i) for i in range(n)))


async def memory(stack: Stack, casts: dict[str, Cast], client: Client, task_queue: str, plan: list[list[str]],
                 cases: int, runs: int, log: Callable[[str], None]) -> list[Metric]:
    """Per run: fresh worker, API and bare worker; open ``cases`` cases on each side; read VmHWM in MiB."""
    note = f"{cases} open cases (started, waiting at their first task), fresh processes per run"
    worker = Metric("6. worker peak RSS", "MiB", note=note + "; bare = the bare worker with as many bare workflows")
    api_m = Metric("6. API peak RSS", "MiB", note=note + "; no bare counterpart")
    estates = list(casts)
    for r in range(runs):
        stack.stop("api", "worker", "bare-worker")
        ours_worker = stack.start_worker()
        api_proc, port = stack.start_api()
        bare_worker = stack.start_bare_worker(task_queue)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=120) as api:

            async def start_ours(i: int) -> None:
                estate = estates[i % len(estates)]
                await driver.start_case(api, casts[estate], estate, i)

            await _open(cases, start_ours)
        await _open(cases, lambda _i: bare.start_case(client, task_queue, plan, prefix="bare-mem"))
        worker.ours.append(memory_kib(ours_worker.pid)["VmHWM"] / 1024)
        worker.bare.append(memory_kib(bare_worker.pid)["VmHWM"] / 1024)
        api_m.ours.append(memory_kib(api_proc.pid)["VmHWM"] / 1024)
        log(f"  run {r + 1}: worker {worker.ours[-1]:.0f} MiB (bare {worker.bare[-1]:.0f}), API {api_m.ours[-1]:.0f} MiB")
    return [worker, api_m]
