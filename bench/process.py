"""Benchmarks 1 and 2: process throughput and decision latency, ours through HTTP versus the bare client."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx
from temporalio.client import Client

from bench import bare, driver
from bench.city import Cast
from bench.report import Metric
from bench.stats import CpuMeter, percentile

RunOne = Callable[[int, list[float]], Awaitable[str]]


@dataclass
class Sides:
    """How to run one case on each side, and the processes whose CPU is measured."""

    ours: RunOne
    bare: RunOne
    pids: dict[str, int]
    case_ids: list[str] = field(default_factory=list)


def make_sides(api: httpx.AsyncClient, casts: dict[str, Cast], client: Client, task_queue: str,
               plan: list[list[str]], pids: dict[str, int]) -> Sides:
    """Ours: a fund case through the HTTP API, spread over the estates; bare: the plan through the client."""
    estates = list(casts)

    async def ours(i: int, latencies: list[float]) -> str:
        estate = estates[i % len(estates)]
        return await driver.run_case(api, casts[estate], estate, i, latencies)

    async def bare_one(_: int, latencies: list[float]) -> str:
        return await bare.run_case(client, task_queue, plan, latencies)

    return Sides(ours, bare_one, pids)


@dataclass
class Batch:
    """One measured batch of cases on one side."""

    seconds: float
    ids: list[str]
    latencies: list[float]
    cpu: dict[str, float]

    @property
    def rate(self) -> float:
        return len(self.ids) / self.seconds

    def cpu_per_case(self) -> dict[str, float]:
        """CPU-seconds per case of every measured process that did work (share of a core ÷ cases per second)."""
        return {name: round(share / self.rate, 4) for name, share in self.cpu.items() if share > 0}


async def drive(run_one: RunOne, n: int, concurrency: int, pids: dict[str, int], offset: int = 0,
                timeout: float = 600) -> Batch:
    """Run ``n`` cases with at most ``concurrency`` in flight, within ``timeout`` seconds."""
    gate = asyncio.Semaphore(concurrency)
    latencies: list[float] = []

    async def one(i: int) -> str:
        async with gate:
            return await run_one(offset + i, latencies)

    with CpuMeter(pids) as cpu:
        t0 = time.perf_counter()
        async with asyncio.timeout(timeout):
            ids = await asyncio.gather(*(one(i) for i in range(n)))
        seconds = time.perf_counter() - t0
    return Batch(seconds, list(ids), latencies, cpu.shares)


async def warm_up(sides: Sides, cases: int = 2) -> None:
    """Import, connect and compile both paths once before anything is measured."""
    await drive(sides.ours, cases, cases, {}, offset=10_000)
    await drive(sides.bare, cases, cases, {})


async def throughput(sides: Sides, runs: int, n: int, concurrency: int, log: Callable[[str], None]) -> list[Metric]:
    """Cases per second with ``concurrency`` in flight, and the decision latency under that load."""
    rate = Metric("1. process throughput", "cases/s", target=(">=", 0.8, "ratio"),
                  note=f"{n} cases per side per run, {concurrency} in flight")
    loaded = Metric("2b. decision p99 under throughput load", "ms", note=f"{concurrency} cases in flight")
    offset = 0
    for r in range(runs):
        order = ("ours", "bare") if r % 2 == 0 else ("bare", "ours")
        batches: dict[str, Batch] = {}
        for side in order:
            batches[side] = await drive(getattr(sides, side), n, concurrency, sides.pids, offset=offset)
            offset += n
        sides.case_ids += batches["ours"].ids
        rate.ours.append(batches["ours"].rate)
        rate.bare.append(batches["bare"].rate)
        loaded.ours.append(percentile(batches["ours"].latencies, 99) * 1000)
        loaded.bare.append(percentile(batches["bare"].latencies, 99) * 1000)
        cpu = {side: batches[side].cpu.get("temporal", 0.0) for side in batches}
        for m in (rate, loaded):
            m.server_cpu.append(cpu)
            m.process_cpu.append({side: batches[side].cpu for side in batches})
        log(f"  run {r + 1}: ours {rate.ours[-1]:.2f}/s, bare {rate.bare[-1]:.2f}/s; "
            f"CPU ours {batches['ours'].cpu}, bare {batches['bare'].cpu}; "
            f"CPU-s per case ours {batches['ours'].cpu_per_case()}, bare {batches['bare'].cpu_per_case()}")
    return [rate, loaded]


async def latency(sides: Sides, runs: int, cases: int, log: Callable[[str], None]) -> list[Metric]:
    """p50/p95/p99 of one decision with one case in flight: HTTP decision versus ``execute_update``."""
    metrics = {p: Metric(f"2. decision latency p{p}", "ms", note=f"{cases} cases × 10 decisions per side per run, 1 in flight")
               for p in (50, 95, 99)}
    metrics[99].target = ("<=", 1.5, "ratio")
    offset = 50_000
    for r in range(runs):
        ours = await drive(sides.ours, cases, 1, sides.pids, offset=offset)
        base = await drive(sides.bare, cases, 1, sides.pids)
        offset += cases
        sides.case_ids += ours.ids
        for p, m in metrics.items():
            m.ours.append(percentile(ours.latencies, p) * 1000)
            m.bare.append(percentile(base.latencies, p) * 1000)
            m.server_cpu.append({"ours": ours.cpu.get("temporal", 0.0), "bare": base.cpu.get("temporal", 0.0)})
            m.process_cpu.append({"ours": ours.cpu, "bare": base.cpu})
        log(f"  run {r + 1}: p50 ours {metrics[50].ours[-1]:.0f} ms, bare {metrics[50].bare[-1]:.0f} ms; "
            f"p99 ours {metrics[99].ours[-1]:.0f} ms, bare {metrics[99].bare[-1]:.0f} ms")
    return list(metrics.values())
