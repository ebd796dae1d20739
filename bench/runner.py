"""One benchmark session: a fresh stack, the real shape of a case, then every selected benchmark."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from temporalio.client import Client

from bench import city_year, postgres
from bench import election as election_bench
from bench import inbox as inbox_bench
from bench.city import Cast, create_estates, settings_for
from bench.election_path import ElectionPath
from bench.memory import memory
from bench.process import latency, make_sides, throughput, warm_up
from bench.replay import multiply, record, replay
from bench.report import Metric
from bench.shape import Shape
from bench.stack import Stack
from core.settings import Settings
from core.temporal import DATA_CONVERTER

BARE_QUEUE = "bench-bare"
TASK_QUEUE = "wuyeflow-bench"


@dataclass(frozen=True)
class Sizes:
    """How much each benchmark does per run."""

    runs: int
    cases: int
    concurrency: int
    latency_cases: int
    replay_histories: int
    memory_cases: int
    inbox_tasks: int
    inbox_queries: int
    households: int
    estates: int
    voting_seconds: int
    inbox_city_tasks: int = 100_000
    inbox_burst: int = 200
    year_scale: float = 0.05
    year_seed: int = 2027
    runs_year: int = 1
    import_households: int = 50_000


QUICK = Sizes(runs=3, cases=16, concurrency=8, latency_cases=4, replay_histories=200, memory_cases=200,
              inbox_tasks=10_000, inbox_queries=70, households=1_000, estates=16,
              voting_seconds=40)
FULL = Sizes(runs=3, cases=64, concurrency=16, latency_cases=20, replay_histories=1_000, memory_cases=1_000,
             inbox_tasks=10_000, inbox_queries=350, households=10_000, estates=32,
             voting_seconds=300, year_scale=1.0)


async def run_all(workdir: Path, sizes: Sizes, only: set[str], postgres_url: str, app_db: str, metrics: list[Metric],
                  details: dict[str, Any], say: Callable[[str], None]) -> None:
    """Start everything, measure, and stop everything (also on error)."""
    if "inbox-city" in only:
        with Stack(workdir, f"sqlite+aiosqlite:///{workdir}/unused.db") as stack:
            await inbox_city(stack, sizes, postgres_url, metrics, details, say)
    if "city-year" in only:
        year_db = postgres.sibling(postgres_url, "year") if app_db == "postgresql" else None
        metrics += await city_year.run(workdir, sizes.year_scale, sizes.year_seed, sizes.runs_year, details, say, year_db)
    only = only - {"inbox-city", "city-year"}
    if not only:
        return
    database_url = f"sqlite+aiosqlite:///{workdir}/wuyeflow.db"
    if app_db == "postgresql":
        database_url = postgres.sibling(postgres_url, "app")
        await postgres.recreate(database_url)
    details["app_database"] = app_db
    with Stack(workdir, database_url) as stack:
        say("starting the Temporal dev server, migrating and seeding ...")
        temporal = stack.start_temporal()
        details["temporal"] = subprocess.run([str(Path(temporal.popen.args[0])), "--version"], capture_output=True, text=True).stdout.strip()
        stack.prepare_database()
        settings = settings_for(stack.database_url, stack.jwt_secret, stack.actor_seal_key)
        casts = {e: Cast.for_estate(settings, e) for e in await create_estates(settings, sizes.estates)}
        worker = stack.start_worker()
        api_proc, port = stack.start_api()
        bare_worker = stack.start_bare_worker(BARE_QUEUE)
        ours_client = await Client.connect(stack.temporal_address, data_converter=DATA_CONVERTER)
        bare_client = await Client.connect(stack.temporal_address)
        pids = {"temporal": temporal.pid, "worker": worker.pid, "api": api_proc.pid, "bare-worker": bare_worker.pid,
                "bench": os.getpid()}
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=120) as api:
            # One case of ours first: its history gives the bare workflow its shape.
            first = await make_sides(api, casts, bare_client, BARE_QUEUE, [], pids).ours(99_999, [])
            shape = Shape.of(await ours_client.get_workflow_handle(first).fetch_history())
            sides = make_sides(api, casts, bare_client, BARE_QUEUE, shape.plan, pids)
            sides.case_ids.append(first)
            await warm_up(sides)
            details["shape"] = {"measured": "start + 10 decisions, up to the public notice", "ours": shape.describe(),
                                "counts": shape.counts, "plan": shape.plan}
            say(f"shape of one case (from its history): {shape.describe()}")
            say(f"bare workflow plan: {shape.plan}")
            if "process" in only:
                say(f"1. throughput: {sizes.cases} cases per side per run, {sizes.concurrency} in flight")
                metrics += await throughput(sides, sizes.runs, sizes.cases, sizes.concurrency, say)
            if "latency" in only:
                say(f"2. decision latency: {sizes.latency_cases} cases per side per run, one at a time")
                metrics += await latency(sides, sizes.runs, sizes.latency_cases, say)
            if "replay" in only:
                say(f"5. replay: {sizes.replay_histories} histories")
                recorded = await record(ours_client, sides.case_ids[: sizes.replay_histories])
                metrics.append(await replay(multiply(recorded, sizes.replay_histories), sizes.runs, pids, say))
            if "election" in only:
                say(f"4. election: {sizes.households} households, voting open {sizes.voting_seconds} s per run")
                path = ElectionPath(api, ours_client, settings, TASK_QUEUE, sizes.voting_seconds)
                metrics += await election_bench.election(path, ours_client, sizes.households, sizes.runs, pids, say)
                details["election"] = {"outcomes": path.outcomes, "refused_ballots": path.refused_total,
                                       "voting_seconds": sizes.voting_seconds}
        if "memory" in only:
            say(f"6. memory: {sizes.memory_cases} open cases per side per run")
            metrics += await memory(stack, casts, bare_client, BARE_QUEUE, shape.plan, sizes.memory_cases, sizes.runs, say)
        if "inbox" in only:
            await inbox_all(stack, workdir, sizes, postgres_url, metrics, details, say)


async def inbox_all(stack: Stack, workdir: Path, sizes: Sizes, postgres_url: str, metrics: list[Metric],
                    details: dict[str, Any], say: Callable[[str], None]) -> None:
    """The inbox benchmark on a fresh SQLite database and on the benchmark's own PostgreSQL database."""
    say(f"3. inbox: {sizes.inbox_tasks} open tasks")
    targets = [("SQLite", f"sqlite+aiosqlite:///{workdir}/inbox.db")]
    try:
        await postgres.recreate(postgres_url)
        targets.append(("PostgreSQL", postgres_url))
    except Exception as exc:
        say(f"  PostgreSQL skipped: {exc}")
        details["inbox_postgres"] = f"skipped: {exc}"
    for label, url in targets:
        stack.prepare_database(url)
        settings = settings_for(url, stack.jwt_secret, stack.actor_seal_key)
        n_rows = await inbox_bench.fill(settings, sizes.inbox_tasks)
        details[f"inbox_rows_{label}"] = n_rows
        api_proc, port = stack.start_api(database_url=url)
        try:
            pids = {"temporal": stack.find("temporal").pid, "api": api_proc.pid}
            metrics += await inbox_bench.measure(settings, f"http://127.0.0.1:{port}", label, sizes.inbox_queries, sizes.runs, pids, say)
        finally:
            api_proc.stop()
            stack.procs.remove(api_proc)


async def inbox_city(stack: Stack, sizes: Sizes, postgres_url: str, metrics: list[Metric], details: dict[str, Any],
                     say: Callable[[str], None]) -> None:
    """The inbox at city scale: ``inbox_city_tasks`` open tasks, then ``inbox_burst`` users at once.

    On PostgreSQL (also one user at a time) and on SQLite, each burst against one API process and
    against as many as ``make run`` starts (one per CPU), taking turns run by run.
    """
    many = Settings().api_process_count
    say(f"3b. inbox at city scale: {sizes.inbox_city_tasks} open tasks, {sizes.inbox_burst} requests at once, "
        f"1 and {many} API processes")
    await postgres.recreate(postgres_url)
    for db, url in (("PostgreSQL", postgres_url), ("SQLite", f"sqlite+aiosqlite:///{stack.workdir}/inbox-city.db")):
        stack.prepare_database(url)
        settings = settings_for(url, stack.jwt_secret, stack.actor_seal_key)
        n_rows, filled = 0, 0
        while filled < sizes.inbox_city_tasks:  # in slices, so the bench never holds all rows in memory
            step = min(20_000, sizes.inbox_city_tasks - filled)
            n_rows += await inbox_bench.fill(settings, step, first=filled)
            filled += step
        if db == "PostgreSQL":
            await postgres.analyze(url)
        details[f"inbox_city_rows_{db}"] = n_rows
        say(f"  {db}: {filled} open tasks, {n_rows} inbox rows")
        apis = [(n, *stack.start_api(database_url=url, processes=n)) for n in sorted({1, many})]
        try:
            sides = [(f"{db}, {n} API process{'es' if n > 1 else ''}", port, {"api": proc.pid, "bench": os.getpid()})
                     for n, proc, port in apis]
            if db == "PostgreSQL":
                label = f"PostgreSQL, {filled // 1000}k tasks"
                _, proc, port = apis[0]
                metrics += await inbox_bench.measure(settings, f"http://127.0.0.1:{port}", label, sizes.inbox_queries, sizes.runs,
                                                     {"api": proc.pid, "bench": os.getpid()}, say)
            metrics += await inbox_bench.burst(settings, sides, sizes.inbox_burst, sizes.runs, say)
        finally:
            for _, proc, _ in apis:
                proc.stop()
                stack.procs.remove(proc)
