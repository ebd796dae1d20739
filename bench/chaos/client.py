"""A client that retries as a real one should, and remembers every answer it saw.

On 429, 502, 503, 504 and on a connection error or timeout it sends the same request again with
the same ``Idempotency-Key``, after ``Retry-After`` (capped) or a growing pause, a bounded number
of times within a bounded time. Any other answer is final.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

RETRYABLE = {429, 502, 503, 504}
MAX_ATTEMPTS = 60
MAX_SECONDS = 150.0
MAX_PAUSE = 3.0


@dataclass
class Outcome:
    """The final answer to one logical request (after its retries): ``status`` 0 means no answer at all."""

    status: int
    body: Any
    attempts: int

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


@dataclass
class Recorder:
    """Every answer of one fault's phase: each attempt's status, the final ones, and any 500 in full."""

    seen: Counter[str] = field(default_factory=Counter)
    final: Counter[str] = field(default_factory=Counter)
    expected_refusals: Counter[str] = field(default_factory=Counter)
    server_errors: list[dict[str, Any]] = field(default_factory=list)
    examples: dict[str, list[str]] = field(default_factory=dict)  # a few final refusals' bodies per status

    def attempt(self, method: str, path: str, status: int | str, text: str = "") -> None:
        self.seen[str(status)] += 1
        if isinstance(status, int) and status >= 500 and status not in RETRYABLE:
            self.server_errors.append({"method": method, "path": path, "status": status, "body": text[:400]})

    def done(self, outcome: Outcome, expected_refusal: bool) -> None:
        if outcome.ok:
            return
        if expected_refusal and outcome.status in (409, 422):
            self.expected_refusals[str(outcome.status)] += 1
            return
        self.final[str(outcome.status)] += 1
        found = self.examples.setdefault(str(outcome.status), [])
        if len(found) < 3:
            found.append(str(outcome.body)[:300])


def _pause(response: httpx.Response | None, attempt: int) -> float:
    if response is not None:
        try:
            return min(float(response.headers.get("Retry-After", "")), MAX_PAUSE) + random.uniform(0, 0.3)
        except ValueError:
            pass
    return min(0.2 * 2**attempt, MAX_PAUSE) * random.uniform(0.7, 1.3)


async def call(http: httpx.AsyncClient, rec: Recorder, method: str, path: str, *, token: str, key: str | None = None,
               body: dict[str, Any] | None = None, expected_refusal: bool = False) -> Outcome:
    """Send until a final answer, the attempt bound or the time bound; every attempt is recorded."""
    headers = {"Authorization": token, **({"Idempotency-Key": key} if key else {})}
    deadline = time.monotonic() + MAX_SECONDS
    attempt = 0
    response: httpx.Response | None = None
    while True:
        attempt += 1
        response = None
        try:
            response = await http.request(method, path, json=body, headers=headers)
            rec.attempt(method, path, response.status_code, response.text)
        except httpx.TransportError as exc:
            rec.attempt(method, path, type(exc).__name__)
        if response is not None and response.status_code not in RETRYABLE:
            outcome = Outcome(response.status_code, _json(response), attempt)
            break
        if attempt >= MAX_ATTEMPTS or time.monotonic() > deadline:
            outcome = Outcome(response.status_code if response is not None else 0, _json(response), attempt)
            break
        await asyncio.sleep(_pause(response, attempt))
    rec.done(outcome, expected_refusal)
    return outcome


def _json(response: httpx.Response | None) -> Any:
    if response is None:
        return None
    try:
        return response.json()
    except ValueError:
        return response.text[:400]
