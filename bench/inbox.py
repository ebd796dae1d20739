"""Benchmark 3: the inbox with 10,000 open tasks across the city, on SQLite and on PostgreSQL.

The read-model rows are bulk-inserted (as ``save_snapshot`` would write them) for 13 streets ×
4 communities × 10 estates, 30 property companies and 4 pricing agencies; each query is one
user's ``GET /inbox`` through the API, and the repository call ``cases.inbox`` alone.

At city scale (issue 18) the PostgreSQL database is filled up to 100,000 open tasks and measured
again, then 200 users send ``GET /inbox`` at the same moment (:func:`burst`).
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import insert

from api.auth import issue_token
from bench.report import Metric
from bench.stats import CpuMeter, percentile
from core.settings import Settings
from db.models import InboxEntry
from db.repositories import cases as cases_repo
from db.seed import STREETS
from db.session import make_engine, make_session_factory
from domain.access import Actor, Jurisdiction, Level, Role

COMMUNITIES, ESTATES, COMPANIES, AGENCIES = 4, 10, 30, 4
R = Role
# step -> (roles that decide it, whether it has a working-day SLA); countersign steps list every party.
STEPS: dict[str, tuple[tuple[Role, ...], bool]] = {
    "onsite_verification": ((R.OWNER_REP, R.OWNERS_COMMITTEE, R.PROPERTY_COMPANY), False),
    "street_takeover": ((R.STREET_OFFICE,), True),
    "budget_submission": ((R.PROPERTY_COMPANY,), False),
    "price_review": ((R.PRICING_AGENCY,), True),
    "bureau_review": ((R.HOUSING_BUREAU,), True),
    "completion_acceptance": ((R.OWNERS_COMMITTEE, R.PROPERTY_COMPANY), False),
    "settlement_submission": ((R.PROPERTY_COMPANY,), False),
    "settlement_review": ((R.PRICING_AGENCY,), True),
    "objection": ((R.OWNERS_COMMITTEE,), True),
    "top_up": ((R.COMMUNITY,), False),
}


@dataclass(frozen=True)
class Place:
    street: str
    community: str
    estate: str
    company: str
    agency: str


def city() -> list[Place]:
    """Every estate of the synthetic city with its street, community and companies."""
    places = []
    for s, (street, _, _) in enumerate(STREETS):
        for c in range(COMMUNITIES):
            for e in range(ESTATES):
                n = (s * COMMUNITIES + c) * ESTATES + e
                places.append(Place(street, f"{street}-c{c}", f"{street}-c{c}-e{e}", f"co-{n % COMPANIES:02d}", f"pa-{n % AGENCIES}"))
    return places


def rows(tasks: int, seed: int = 7, first: int = 0) -> list[dict[str, object]]:
    """One inbox row per open task and deciding role, as the read model stores them (tasks ``first`` ..)."""
    rnd = random.Random(seed)
    places, steps, now = city(), list(STEPS), datetime.now(UTC)
    out: list[dict[str, object]] = []
    for t in range(first, first + tasks):
        place, step = rnd.choice(places), rnd.choice(steps)
        roles, sla = STEPS[step]
        created = now - timedelta(minutes=rnd.randrange(60 * 24 * 60))
        company = place.agency if R.PRICING_AGENCY in roles else place.company
        for role in roles:
            out.append({
                "case_id": f"fund-emergency-{place.estate}-{t}", "task_id": f"t{rnd.randrange(1, 8)}", "role": role.value,
                "kind": "fund-emergency", "case_title": f"{place.estate} · 电梯故障", "step": step, "step_label": step,
                "street_id": place.street, "community_id": place.community, "estate_id": place.estate, "company_id": company,
                "assignee": None, "decisions": ["approve", "return"], "created_at": created,
                "due_at": created + timedelta(days=rnd.randrange(1, 10)) if sla else None, "card": "none", "escalated": False,
            })
    return out


def users(n: int, seed: int = 11) -> list[Actor]:
    """``n`` users of every kind that has an inbox, at random places."""
    rnd, places = random.Random(seed), city()
    kinds: list[Callable[[Place], tuple[Role, Level, str | None]]] = [
        lambda p: (R.HOUSING_BUREAU, Level.CITY, None), lambda p: (R.STREET_OFFICE, Level.STREET, p.street),
        lambda p: (R.COMMUNITY, Level.COMMUNITY, p.community), lambda p: (R.OWNERS_COMMITTEE, Level.ESTATE, p.estate),
        lambda p: (R.OWNER_REP, Level.ESTATE, p.estate), lambda p: (R.PROPERTY_COMPANY, Level.COMPANY, p.company),
        lambda p: (R.PRICING_AGENCY, Level.COMPANY, p.agency),
    ]
    out = []
    for i in range(n):
        role, level, jid = kinds[i % len(kinds)](rnd.choice(places))
        out.append(Actor(subject=f"inbox-{i}", name="基准", roles=(role,), jurisdiction=Jurisdiction(level=level, id=jid)))
    return out


async def fill(settings: Settings, tasks: int, first: int = 0) -> int:
    """Insert the rows of ``tasks`` open tasks (numbered from ``first``) in batches; returns the number of rows."""
    engine = make_engine(settings)
    data = rows(tasks, seed=7 + first, first=first)
    try:
        async with engine.begin() as conn:
            for i in range(0, len(data), 2000):
                await conn.execute(insert(InboxEntry), data[i : i + 2000])
    finally:
        await engine.dispose()
    return len(data)


async def measure(settings: Settings, api_url: str, label: str, queries: int, runs: int, pids: dict[str, int],
                  log: Callable[[str], None]) -> list[Metric]:
    """p50/p95 of ``GET /inbox`` and of the repository call, per run, over ``queries`` users."""
    note = f"{queries} users per run (bureau, street, community, committee, owners' rep, company, agency)"
    http = {p: Metric(f"3. GET /inbox p{p} ({label})", "ms", note=note) for p in (50, 95)}
    repo = {p: Metric(f"3. inbox repository p{p} ({label})", "ms", note=note) for p in (50, 95)}
    http[95].target = ("<=", 50, "value")
    people = users(queries)
    engine = make_engine(settings)
    sessions = make_session_factory(engine)
    try:
        async with httpx.AsyncClient(base_url=api_url, timeout=60) as api:
            for r in range(runs):
                web, direct = [], []
                with CpuMeter(pids) as cpu:
                    for actor in people:
                        headers = {"Authorization": f"Bearer {issue_token(settings, actor)}"}
                        t0 = time.perf_counter()
                        resp = await api.get("/inbox", headers=headers)
                        web.append(time.perf_counter() - t0)
                        resp.raise_for_status()
                        async with sessions() as session:
                            t0 = time.perf_counter()
                            await cases_repo.inbox(session, actor)
                            direct.append(time.perf_counter() - t0)
                for p in (50, 95):
                    http[p].ours.append(percentile(web, p) * 1000)
                    repo[p].ours.append(percentile(direct, p) * 1000)
                    http[p].server_cpu.append({"ours": cpu.shares.get("temporal", 0.0)})
                log(f"  {label} run {r + 1}: GET p50 {http[50].ours[-1]:.1f} ms p95 {http[95].ours[-1]:.1f} ms; "
                    f"repository p95 {repo[95].ours[-1]:.1f} ms")
    finally:
        await engine.dispose()
    return [http[50], http[95], repo[50], repo[95]]


class Connection:
    """One keep-alive HTTP/1.1 connection that sends ``GET`` and reads the answer, and little else.

    The burst's client: httpx spends about 10 ms of CPU per request in the benchmark's process,
    more than the API it measures, and on a 2-core machine that CPU is taken from the API (and a
    late reply is counted as the server's). This reads the status line, the headers and
    ``Content-Length`` bytes: about 0.1 ms.
    """

    def __init__(self, port: int) -> None:
        self.port = port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def open(self) -> Connection:
        self._reader, self._writer = await asyncio.open_connection("127.0.0.1", self.port)
        return self

    async def get(self, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
        assert self._reader is not None and self._writer is not None
        lines = [f"GET {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}", *(f"{k}: {v}" for k, v in headers.items())]
        self._writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        status = int((await self._reader.readline()).split()[1])
        length = 0
        while (line := await self._reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        return status, await self._reader.readexactly(length)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()


async def burst(settings: Settings, sides: list[tuple[str, int, dict[str, int]]], concurrency: int, runs: int,
                log: Callable[[str], None]) -> list[Metric]:
    """``concurrency`` users send ``GET /inbox`` at the same moment: p99 of one request and requests per second.

    ``sides`` are APIs on the same database (label, port, the pids to meter, ``api`` among them),
    measured in turn within each run so that they see the same load. Tokens are made before the
    clock starts; each user has its own connection (as browsers would), opened by an untimed
    request first, so the burst measures the API and not connection setup. The client is
    :class:`Connection`; the API's CPU per request (all its processes) is reported.
    """
    note = f"{concurrency} users at once, one GET /inbox each (every kind of user, random places)"
    metrics: dict[str, tuple[Metric, Metric, Metric]] = {}
    for label, _, _ in sides:
        p99 = Metric(f"3c. GET /inbox p99, {concurrency} at once ({label})", "ms", note=note)
        p99.target = ("<=", 1000, "value")
        metrics[label] = (p99, Metric(f"3c. GET /inbox rate, {concurrency} at once ({label})", "req/s", note=note),
                          Metric(f"3c. API CPU per GET /inbox, {concurrency} at once ({label})", "ms", note=note))
    headers = [{"Authorization": f"Bearer {issue_token(settings, a)}"} for a in users(concurrency, seed=23)]
    for r in range(runs):
        for label, port, pids in sides if r % 2 == 0 else sides[::-1]:
            took, wall, shares = await _burst_once(port, headers, pids)
            p99, rate, cpu_ms = metrics[label]
            p99.ours.append(percentile(took, 99) * 1000)
            rate.ours.append(concurrency / wall)
            cpu_ms.ours.append(shares.get("api", 0.0) * wall / concurrency * 1000)
            p99.process_cpu.append({"ours": shares})
            log(f"  {label} burst {r + 1}: {concurrency} at once, p50 {percentile(took, 50) * 1000:.0f} ms, "
                f"p99 {p99.ours[-1]:.0f} ms, {rate.ours[-1]:.0f} req/s, API CPU {cpu_ms.ours[-1]:.1f} ms per request, "
                f"CPU {shares}, load {os.getloadavg()[0]:.1f}")
    return [m for trio in metrics.values() for m in trio]


async def _burst_once(port: int, headers: list[dict[str, str]], pids: dict[str, int]) -> tuple[list[float], float, dict[str, float]]:
    # Fresh connections each run, opened untimed: the server closes idle ones after its keep-alive timeout.
    connections = [await Connection(port).open() for _ in headers]
    try:
        await asyncio.gather(*(c.get("/health", {}) for c in connections))

        async def one(c: Connection, h: dict[str, str]) -> float:
            t0 = time.perf_counter()
            status, body = await c.get("/inbox", h)
            if status != 200 or not body.startswith(b"["):
                raise RuntimeError(f"GET /inbox answered {status}: {body[:200]!r}")
            return time.perf_counter() - t0

        with CpuMeter(pids) as cpu:
            t0 = time.perf_counter()
            took = await asyncio.gather(*(one(c, h) for c, h in zip(connections, headers, strict=True)))
            wall = time.perf_counter() - t0
    finally:
        for c in connections:
            c.close()
    return list(took), wall, dict(cpu.shares)
