"""``python -m bench.year_worker``: our worker as ``worker.py`` runs it, without the Temporal Schedules.

The city year runs on the time-skipping test server, which runs timers but not schedules; the
simulation sends the monthly report's run through the API on the 1st itself, as the schedule would.
"""

from __future__ import annotations

import asyncio
import signal

from core.logging import configure_logging
from core.settings import get_settings
from core.temporal import connect
from db.session import make_engine, make_session_factory
from worker import build_worker


async def main() -> None:
    settings = get_settings()
    configure_logging(settings)
    engine = make_engine(settings)
    client = await connect(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        async with build_worker(client, settings, make_session_factory(engine)):
            await stop.wait()
    finally:
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
