"""Percentiles, run summaries and CPU shares of the processes under test."""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bench.stack import cpu_seconds


def percentile(values: Sequence[float], p: float) -> float:
    """The nearest-rank percentile (``p`` in 0..100) of a non-empty sample."""
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def spread(values: Sequence[float]) -> dict[str, float]:
    """Min, median and max of one number measured once per run."""
    return {"min": min(values), "median": statistics.median(values), "max": max(values)}


@dataclass
class CpuMeter:
    """CPU share of named processes over one measurement: CPU seconds per wall second (1.0 = one full core)."""

    pids: Mapping[str, int]
    _start: dict[str, float] = field(default_factory=dict)
    _t0: float = 0.0
    shares: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0

    def __enter__(self) -> CpuMeter:
        self._start = {name: cpu_seconds(pid) for name, pid in self.pids.items()}
        self._t0 = time.perf_counter()
        return self

    def __exit__(self, *_: object) -> None:
        self.seconds = time.perf_counter() - self._t0
        self.shares = {
            name: round((cpu_seconds(pid) - self._start[name]) / self.seconds, 3) for name, pid in self.pids.items()
        }
