"""Metrics with their per-run values, the results table and the JSON file."""

from __future__ import annotations

import json
import statistics
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.stats import spread


@dataclass
class Metric:
    """One number measured once per run, for our layer and (when there is one) the bare baseline.

    ``target`` is ``(op, limit, on)``: ``on`` is ``"ratio"`` (ours / bare) or ``"value"`` (ours);
    a target counts as met when the median over the runs satisfies it.
    """

    name: str
    unit: str
    ours: list[float] = field(default_factory=list)
    bare: list[float] = field(default_factory=list)
    target: tuple[str, float, str] | None = None
    server_cpu: list[dict[str, float]] = field(default_factory=list)
    # Per run and side, the CPU share of every process measured (1.0 = one core), for the bottleneck.
    process_cpu: list[dict[str, dict[str, float]]] = field(default_factory=list)
    note: str = ""

    @property
    def ratios(self) -> list[float]:
        return [o / b for o, b in zip(self.ours, self.bare, strict=False) if b]  # memory has no bare side per run

    @property
    def met(self) -> bool | None:
        if self.target is None:
            return None
        op, limit, on = self.target
        values = self.ratios if on == "ratio" else self.ours
        if not values:
            return None
        median = statistics.median(values)
        return median >= limit if op == ">=" else median <= limit

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["ours_spread"] = spread(self.ours) if self.ours else None
        out["bare_spread"] = spread(self.bare) if self.bare else None
        out["ratio_spread"] = spread(self.ratios) if self.ratios else None
        out["met"] = self.met
        return out


def _fmt(values: list[float]) -> str:
    if not values:
        return "–"
    s = spread(values)
    digits = 2 if s["max"] < 100 else 0
    return f"{s['min']:.{digits}f} / {s['median']:.{digits}f} / {s['max']:.{digits}f}"


def _target(m: Metric) -> str:
    if m.target is None:
        return "–"
    op, limit, on = m.target
    return f"{'ratio' if on == 'ratio' else 'value'} {op} {limit:g}"


def _cpu(m: Metric) -> str:
    if not m.server_cpu:
        return "–"
    parts = []
    for side in ("ours", "bare"):
        shares = [c[side] for c in m.server_cpu if side in c]
        if shares:
            parts.append(f"{side} {statistics.median(shares):.0%}")
    return ", ".join(parts)


def table(metrics: list[Metric]) -> str:
    """A Markdown table: min / median / max per metric, the ratio, the target and the server's CPU share."""
    head = "| metric | unit | ours (min / median / max) | bare (min / median / max) | ratio (min / median / max) | target | met | server CPU (median) |"
    rows = [head, "|" + "---|" * 8]
    for m in metrics:
        met = {True: "yes", False: "**no**", None: "–"}[m.met]
        rows.append(
            f"| {m.name} | {m.unit} | {_fmt(m.ours)} | {_fmt(m.bare)} | {_fmt(m.ratios)} | {_target(m)} | {met} | {_cpu(m)} |"
        )
    return "\n".join(rows)


def write_json(path: Path, context: dict[str, Any], metrics: list[Metric], extra: dict[str, Any]) -> None:
    """The whole result: machine and command, every metric with its per-run values, and details."""
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = {**context, "metrics": [m.to_json() for m in metrics], **extra}
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
