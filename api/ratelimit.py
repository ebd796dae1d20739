"""Rate limits per token and per address, and a limit on requests in flight.

Decisions (and every other write sent to a case), ticket intake, exports and replays cost a
Temporal round trip, a history download or a replay each: a token bucket per bearer token and one
per client address bound how fast one caller can ask for them (429 with ``Retry-After``). The
buckets live in the API process; with several API processes each keeps its own.

Requests in flight are bounded too: past ``max_concurrent_requests`` a request waits at most
``queue_wait_seconds`` for a slot and is then refused (503 with ``Retry-After``) instead of
queueing behind the others for seconds.
"""

from __future__ import annotations

import asyncio
import math
import time

from starlette.types import ASGIApp, Receive, Scope, Send

from api.errors import TooManyRequests, problem_response
from core.settings import Settings

# Every so many grants, buckets that have filled up again are dropped (they hold nothing to remember).
PRUNE_EVERY = 1024


class TokenBuckets:
    """One bucket per key: ``capacity`` requests at once, refilled at ``capacity`` per ``period`` seconds."""

    def __init__(self, capacity: int, period: float = 60.0) -> None:
        self.capacity = capacity
        self.rate = capacity / period
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, at)
        self._takes = 0

    def take(self, key: str, now: float | None = None) -> float:
        """Take one request's token: 0 when granted, else the seconds until one is free."""
        now = time.monotonic() if now is None else now
        tokens, at = self._buckets.get(key, (float(self.capacity), now))
        tokens = min(self.capacity, tokens + (now - at) * self.rate)
        if tokens < 1:
            self._buckets[key] = (tokens, now)
            return (1 - tokens) / self.rate
        self._buckets[key] = (tokens - 1, now)
        self._takes += 1
        if self._takes % PRUNE_EVERY == 0:
            full_after = self.capacity / self.rate
            self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < full_after}
        return 0.0


class RateLimiter:
    """The buckets of every limited kind of request, per token and per address."""

    def __init__(self, settings: Settings) -> None:
        self.enabled = settings.rate_limit_enabled
        self._buckets = {
            kind: (TokenBuckets(per_token, settings.rate_limit_period_seconds), TokenBuckets(per_address, settings.rate_limit_period_seconds))
            for kind, (per_token, per_address) in settings.rate_limits.items()
        }

    def check(self, kind: str, subject: str, address: str | None) -> None:
        """Count one request of ``kind``; 429 when the token's subject or the address is over its rate."""
        if not self.enabled or kind not in self._buckets:
            return
        by_token, by_address = self._buckets[kind]
        wait = by_token.take(subject)
        if not wait and address:
            wait = by_address.take(address)
        if wait:
            raise TooManyRequests(
                f"请求过于频繁，请 {math.ceil(wait)} 秒后重试 (rate limit for {kind})", retry_after=math.ceil(wait),
            )


class ConcurrencyLimit:
    """At most ``max_concurrent_requests`` in flight; a request that cannot get a slot in time is refused with 503."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.slots = asyncio.Semaphore(settings.max_concurrent_requests)
        self.wait = settings.queue_wait_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] == "/health":
            await self.app(scope, receive, send)
            return
        try:
            await asyncio.wait_for(self.slots.acquire(), timeout=self.wait)
        except TimeoutError:
            response = problem_response(
                503, "busy", "The service is busy", "服务繁忙，请稍后重试 (too many requests in flight)", scope["path"],
            )
            response.headers["Retry-After"] = "1"
            await response(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self.slots.release()

