"""The fault suite's table and JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.chaos.checks import Verdict

if TYPE_CHECKING:
    from bench.chaos.runner import Phase

HEAD = ("fault", "injected", "cases", "completed", "stuck", "double debits", "missing debits", "chain breaks", "lost decisions",
        "refused yet recorded", "wrong starts", "500s", "client-visible errors (final)", "retried answers", "expected refusals")


def _counts(counter: dict[str, int], skip_ok: bool = False) -> str:
    items = sorted((k, v) for k, v in counter.items() if not (skip_ok and k.isdigit() and 200 <= int(k) < 300))
    return " ".join(f"{k}×{v}" for k, v in items) or "–"


def table(phases: list[Phase], verdict: Verdict) -> str:
    lines = ["| " + " | ".join(HEAD) + " |", "|" + "---|" * len(HEAD)]
    for phase, row in zip(phases, verdict.rows, strict=True):
        cells = (row.fault, row.injected, row.cases, row.completed, row.stuck, row.double_debits, row.missing_debits, row.chain_breaks,
                 row.lost_decisions, row.refused_yet_recorded, row.wrong_starts, row.server_errors, _counts(phase.rec.final),
                 _counts(dict(phase.rec.seen), skip_ok=True), _counts(phase.rec.expected_refusals))
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    lines.append(f"\naccounts checked (balance = sum of its ledger): {verdict.accounts_checked}, "
                 f"off: {len(verdict.accounts_off)}")
    return "\n".join(lines)


def problems(verdict: Verdict, limit: int = 40) -> list[str]:
    out = [f"[{row.fault}] {p}" for row in verdict.rows for p in row.problems] + [f"[accounts] {a}" for a in verdict.accounts_off]
    return out[:limit] + ([f"... and {len(out) - limit} more (see the JSON)"] if len(out) > limit else [])


def write_json(path: Path, context: dict[str, Any], phases: list[Phase], verdict: Verdict) -> None:
    data = {
        **context,
        "ok": verdict.ok,
        "accounts": {"checked": verdict.accounts_checked, "off": verdict.accounts_off},
        "faults": [
            {
                "fault": phase.fault.name, "label": phase.fault.label, "seconds": round(phase.seconds, 1),
                "injected": phase.injection.events,
                "row": {k: v for k, v in row.__dict__.items() if k != "problems"}, "problems": row.problems,
                "answers": {"final_errors": dict(phase.rec.final), "expected_refusals": dict(phase.rec.expected_refusals),
                            "every_attempt": dict(phase.rec.seen), "server_errors": phase.rec.server_errors,
                            "examples": phase.rec.examples},
                "cases": [{"n": r.n, "case_id": r.case_id, "building": r.building, "start_status": r.start_status,
                           "reached_notice": r.reached_notice, "last_step": r.last_step, "error": r.error,
                           "decisions_sent": len(r.sent), "decisions_2xx": sum(200 <= s.status < 300 for s in r.sent),
                           "not_2xx": [s.__dict__ for s in r.sent if not 200 <= s.status < 300][:20]}
                          for r in phase.runs],
            }
            for phase, row in zip(phases, verdict.rows, strict=True)
        ],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
