"""Time in tests: the time-skipping server's clock, moved forward by one helper, and waits bounded by time.

The test server's clock is shared by every test of the session and only moves forward. Between
skips it runs at wall speed; a skip lets it jump from timer to timer up to the target, and each
workflow task a timer wakes holds the clock while it runs, so a skip returns with the workflows
that were woken on the way done with their reaction.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, time, timedelta
from typing import TypeVar

from temporalio.api.testservice.v1 import SleepRequest
from temporalio.testing import WorkflowEnvironment

from domain.calendar import CITY_TZ
from tests.clock_locks import give_back_leaked_locks

T = TypeVar("T")

# A workflow timer is a duration counted from the start of the workflow task that set it, and the
# server counts it from when it receives the task's commands: a timer due at T fires at T plus that
# task's latency (milliseconds here). Ten seconds, the workflow task timeout, is beyond any of them.
TIMER_LATENCY = timedelta(seconds=10)

# How long a test waits for what a timer, an activity or a projection brings about.
WAIT_TIMEOUT = 10.0

# How long one clock move may take. The clock is shared by the whole session, so a skip of weeks late
# in the suite wakes every timer that earlier tests' open cases set in that span, and each is handled
# by the worker before the clock goes on; the client's default of 30 s for a call is not enough then.
SKIP_TIMEOUT = timedelta(minutes=5)

# How often a skip under way is looked at: a clock that moved no faster than the wall since the last
# look may be held by a lock the test server leaked (tests.clock_locks).
STALL_CHECK_SECONDS = 2.0


async def skip_to(env: WorkflowEnvironment, instant: datetime) -> None:
    """Move the server's clock to ``instant`` exactly (to the millisecond); a timer due at it may not have fired yet.

    A workflow timer due at ``instant`` fires up to ``TIMER_LATENCY`` after it: this is for looking
    at a case before or at a moment, ``skip_past`` for a timer that must have fired. The clock never
    moves back: an instant it has already passed is an error in the test.
    """
    await _move_clock(env, instant, passed_ok=False)


async def skip_past(env: WorkflowEnvironment, due: datetime) -> None:
    """Move the clock ``TIMER_LATENCY`` past ``due``: a workflow timer due at ``due`` has fired and been handled.

    A clock already that far is left alone, since what this promises holds.
    """
    await _move_clock(env, due + TIMER_LATENCY, passed_ok=True)


async def _move_clock(env: WorkflowEnvironment, instant: datetime, *, passed_ok: bool) -> None:
    now = await env.get_current_time()
    if instant > now and env.supports_time_skipping:
        await _skip(env, instant - now)
    elif instant > now:
        await env.sleep(instant - now)
    elif instant < now and not passed_ok:
        raise AssertionError(f"the test server's clock is at {now.isoformat()}, already past {instant.isoformat()}")


async def _skip(env: WorkflowEnvironment, span: timedelta) -> None:
    """One skip of the test server's clock, giving back any lock the server leaks on the way."""
    request = SleepRequest()
    request.duration.FromTimedelta(span)
    sleep = asyncio.ensure_future(
        env.client.service_client.test_service.unlock_time_skipping_with_sleep(request, timeout=SKIP_TIMEOUT),
    )
    loop = asyncio.get_running_loop()
    seen, looked = await env.get_current_time(), loop.time()
    while True:
        done, _ = await asyncio.wait({sleep}, timeout=STALL_CHECK_SECONDS)
        if done:
            sleep.result()
            return
        current, wall = await env.get_current_time(), loop.time()
        if current - seen <= timedelta(seconds=wall - looked + 1):
            await give_back_leaked_locks(env.client)
        seen, looked = current, wall


class NotMet(AssertionError):
    """A condition a test waited for did not hold in time."""


async def wait_until(check: Callable[[], Awaitable[T | None]], *, within: float = WAIT_TIMEOUT, every: float = 0.05) -> T:
    """Poll ``check`` until it returns a truthy value and return that; fail when ``within`` seconds have passed."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        last = await check()
        if last:
            return last
        if loop.time() >= deadline:
            shown = repr(last)
            raise NotMet(f"not met within {within} s; last value: {shown[:500]}{' …' if len(shown) > 500 else ''}")
        await asyncio.sleep(every)


async def next_city_time(env: WorkflowEnvironment, at: time) -> datetime:
    """The next moment the city's clock (Asia/Shanghai) shows ``at``, at least a minute away."""
    now = (await env.get_current_time()).astimezone(CITY_TZ)
    moment = datetime.combine(now.date(), at, tzinfo=CITY_TZ)
    while moment < now + timedelta(minutes=1):
        moment += timedelta(days=1)
    return moment
