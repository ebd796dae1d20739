"""Drive fund-emergency cases through the real HTTP API, as their users would, timing every call.

The measured shape ends where the process first needs a timer: a case is started, verified
(3 countersign confirms), budgeted, price-reviewed, approved by the bureau (first payment),
accepted (2 confirms), settled and its settlement approved, leaving it in its 5-day public
notice. That is 1 start + 10 decisions; the notice timer and the final payment are not measured.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx

from bench.city import BUILDINGS, Cast

# (who, step, decision, data) after the start, in order.
DECISIONS: list[tuple[str, str, str, dict[str, Any]]] = [
    ("owner_rep", "onsite_verification", "confirm", {}),
    ("committee", "onsite_verification", "confirm", {}),
    ("company", "onsite_verification", "confirm", {}),
    ("company", "budget_submission", "submit", {"amount_fen": 5_000_000, "contractor": "青州建安维修工程有限公司"}),
    ("agency", "price_review", "approve", {"approved_amount_fen": 4_200_000, "reasons": "按信息价核减"}),
    ("bureau", "bureau_review", "approve", {}),
    ("committee", "completion_acceptance", "confirm", {"certificate": "YS-BENCH"}),
    ("company", "completion_acceptance", "confirm", {"certificate": "YS-BENCH"}),
    ("company", "settlement_submission", "submit", {"amount_fen": 4_100_000, "acceptance_certificate": "YS-BENCH"}),
    ("agency", "settlement_review", "approve", {"approved_amount_fen": 4_000_000, "reasons": "按实结算"}),
]
FINAL_STEP = "public_notice"


class CaseFailed(RuntimeError):
    """A call answered with something other than success."""


def _check(r: httpx.Response) -> dict[str, Any]:
    if r.status_code not in (200, 201):
        raise CaseFailed(f"{r.request.method} {r.request.url.path}: {r.status_code} {r.text[:300]}")
    return r.json()


def _task_id(case: dict[str, Any], step: str) -> str:
    for task in case["open_tasks"]:
        if task["step"]["code"] == step:
            return task["id"]
    raise CaseFailed(f"case {case['id']} has no open {step} task (at {case['step']['code']})")


async def start_case(api: httpx.AsyncClient, cast: Cast, estate_id: str, n: int) -> tuple[dict[str, Any], float]:
    """Report an emergency for one building of the estate; returns the case and the call's seconds."""
    body = {
        "estate_id": estate_id, "category": "elevator_failure", "scope": "building",
        "scope_id": f"{estate_id}-b{n % BUILDINGS + 1}", "description": "电梯钢丝绳断股，已停运",
    }
    t0 = time.perf_counter()
    r = await api.post("/cases/fund-emergency", json=body, headers=_headers(cast, "clerk"))
    return _check(r), time.perf_counter() - t0


async def run_case(api: httpx.AsyncClient, cast: Cast, estate_id: str, n: int, latencies: list[float]) -> str:
    """Start one case and drive it to its public notice; appends each decision's seconds to ``latencies``."""
    case, _ = await start_case(api, cast, estate_id, n)
    for who, step, decision, data in DECISIONS:
        url = f"/cases/{case['id']}/tasks/{_task_id(case, step)}/decisions"
        t0 = time.perf_counter()
        r = await api.post(url, json={"decision": decision, "data": data}, headers=_headers(cast, who))
        latencies.append(time.perf_counter() - t0)
        case = _check(r)
    if case["step"]["code"] != FINAL_STEP:
        raise CaseFailed(f"case {case['id']} ended at {case['step']['code']}, expected {FINAL_STEP}")
    return case["id"]


def _headers(cast: Cast, who: str) -> dict[str, str]:
    return {"Authorization": cast.tokens[who], "Idempotency-Key": uuid.uuid4().hex}
