"""Rate limits per token and per address, and a limit on requests in flight.

Decisions (and every other write sent to a case), ticket intake, exports and replays cost a
Temporal round trip, a history download or a replay each: a token bucket per bearer token's
subject and one per client address bound how fast one caller can ask for them (429 with
``Retry-After``). The buckets are rows of the database (``db/repositories/rate_limits.py``), so
the limits hold across every API process and container: a caller whose requests land on two
processes gets the rate once, not once per process. A take is one upsert on a request that costs
far more anyway; the inbox and the other reads are not limited.

Requests in flight are bounded per process: past ``max_concurrent_requests`` a request waits at
most ``queue_wait_seconds`` for a slot and is then refused (503 with ``Retry-After``) instead of
queueing behind the others for seconds. That limit protects one process's event loop and pool,
so it stays the process's own; with N processes the service holds N times as many.
"""

from __future__ import annotations

import asyncio
import math
import time

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.types import ASGIApp, Receive, Scope, Send

from api.errors import TooManyRequests, problem_response
from core.settings import Settings
from db.repositories import rate_limits
from db.session import transaction

# Every so many takes in a process, buckets that have filled up again are dropped (they hold nothing to remember).
PRUNE_EVERY = 1024


class RateLimiter:
    """The buckets of every limited kind of request, per token subject and per address, in the database."""

    def __init__(self, settings: Settings, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.enabled = settings.rate_limit_enabled
        self.period = settings.rate_limit_period_seconds
        self.limits = dict(settings.rate_limits)
        self._sessions = sessions
        self._takes = 0

    async def check(self, kind: str, subject: str, address: str | None, now: float | None = None) -> None:
        """Count one request of ``kind``; 429 when the token's subject or the address is over its rate."""
        if not self.enabled or kind not in self.limits:
            return
        per_token, per_address = self.limits[kind]
        now = time.time() if now is None else now
        async with transaction(self._sessions) as session:
            wait = await rate_limits.take(session, f"{kind}:token:{subject}", per_token, self.period, now)
            if not wait and address:
                wait = await rate_limits.take(session, f"{kind}:address:{address}", per_address, self.period, now)
            self._takes += 1
            if self._takes % PRUNE_EVERY == 0:
                await rate_limits.forget_full(session, now, self.period)
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

