"""Benchmark 5: replaying recorded histories through our audit path versus the bare ``Replayer``."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable

from temporalio.client import Client, WorkflowHistory
from temporalio.worker import Replayer

from bench.report import Metric
from bench.stats import CpuMeter
from core.replay import verify_histories
from core.temporal import DATA_CONVERTER


async def record(client: Client, case_ids: list[str]) -> list[WorkflowHistory]:
    """Fetch the histories of cases that ran during the benchmark."""
    return [await client.get_workflow_handle(cid).fetch_history() for cid in case_ids]


def multiply(histories: list[WorkflowHistory], count: int) -> list[WorkflowHistory]:
    """``count`` histories: the recorded ones, repeated under distinct workflow ids when there are fewer."""
    return [
        WorkflowHistory(f"{h.workflow_id}-replay-{i}", h.events)
        for i, h in ((i, histories[i % len(histories)]) for i in range(count))
    ]


async def _each(histories: list[WorkflowHistory]) -> AsyncIterator[WorkflowHistory]:
    for history in histories:
        yield history


async def replay(histories: list[WorkflowHistory], runs: int, pids: dict[str, int], log: Callable[[str], None]) -> Metric:
    """Histories per second: ``core.replay.verify_histories`` versus ``Replayer.replay_workflows``."""
    from core.registry import workflow_types

    metric = Metric("5. replay", "histories/s", target=(">=", 0.9, "ratio"),
                    note=f"{len(histories)} histories of {sum(len(h.events) for h in histories) // len(histories)} events on average")

    async def ours_pass(batch: list[WorkflowHistory]) -> None:
        reports = [rep async for rep in verify_histories(batch)]
        inconsistent = [rep.workflow_id for rep in reports if not rep.consistent]
        if inconsistent or len(reports) != len(batch):
            raise RuntimeError(f"audit replay reported {len(inconsistent)} inconsistent histories, e.g. {inconsistent[:3]}")

    async def bare_pass(batch: list[WorkflowHistory]) -> None:
        results = await Replayer(workflows=workflow_types(), data_converter=DATA_CONVERTER).replay_workflows(
            _each(batch), raise_on_replay_failure=False,
        )
        if results.replay_failures:
            raise RuntimeError(f"bare replay failed for {len(results.replay_failures)} histories")

    # Untimed warm-up of both paths (imports, the sandbox's first instances), then the sides
    # alternate which goes first, as in benchmark 1.
    await ours_pass(histories[:20])
    await bare_pass(histories[:20])
    for r in range(runs):
        timings: dict[str, tuple[float, CpuMeter]] = {}
        for side in (("ours", "bare") if r % 2 == 0 else ("bare", "ours")):
            with CpuMeter(pids) as cpu:
                t0 = time.perf_counter()
                await (ours_pass if side == "ours" else bare_pass)(histories)
                timings[side] = (time.perf_counter() - t0, cpu)
        (ours, ours_cpu), (bare, bare_cpu) = timings["ours"], timings["bare"]
        metric.ours.append(len(histories) / ours)
        metric.bare.append(len(histories) / bare)
        metric.server_cpu.append({"ours": ours_cpu.shares.get("temporal", 0.0), "bare": bare_cpu.shares.get("temporal", 0.0)})
        metric.process_cpu.append({"ours": ours_cpu.shares, "bare": bare_cpu.shares})
        log(f"  run {r + 1}: ours {metric.ours[-1]:.1f}/s, bare {metric.bare[-1]:.1f}/s (bench CPU {ours_cpu.shares['bench']:.0%})")
    return metric
