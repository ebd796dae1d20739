"""Several API processes agree: what one process did, the other honours.

Each "process" here is an app of its own (``create_app`` with its own lifespan): its own database
pools, deactivated-users cache, rate limiter, in-flight slots and Temporal client holder, which is
all the state an API process keeps (``app.state`` and its middleware); the database and Temporal
are shared, as between uvicorn's workers or containers.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from httpx import ASGITransport

from api.auth import INVALID_TOKEN, DeactivatedSubjects, issue_token
from api.main import create_app
from domain.access import Level, Role
from tests.api.test_rate_limits import an_address
from tests.factories import create_test_estate, make_actor
from tests.fixture_types import AsyncClient, Sessions, Settings, WorkflowEnvironment

ROOT = Path(__file__).resolve().parents[2]


@asynccontextmanager
async def processes(settings: Settings, env: WorkflowEnvironment, n: int = 2, **overrides: Any) -> AsyncIterator[list[tuple[AsyncClient, Any]]]:
    """``n`` API processes on the shared database, all reached from one client address."""
    local = settings.model_copy(update=overrides)
    address = an_address()
    async with AsyncExitStack() as stack:
        out = []
        for _ in range(n):
            app = create_app(local, client=env.client)
            await stack.enter_async_context(app.router.lifespan_context(app))
            transport = ASGITransport(app=app, client=(address, 40000))
            out.append((await stack.enter_async_context(AsyncClient(transport=transport, base_url="http://test", timeout=60)), app))
        yield out


async def test_a_key_used_on_one_process_is_refused_for_another_request_on_the_other(
    env: WorkflowEnvironment, sessions: Sessions, settings: Settings, worker: None,
) -> None:
    cast = await create_test_estate(sessions, settings)
    url = f"/cases/fund-emergency-{cast.estate_id}-20200101-1/tasks/t1/decisions"
    key = f"key-{uuid.uuid4().hex}"
    async with processes(settings, env) as [(a, _), (b, _)]:
        first = await a.post(url, json={"decision": "confirm"}, headers=cast.headers("owner_rep", key))
        assert first.status_code == 404  # no such case; the key is bound to this request all the same
        other = await b.post(url, json={"decision": "reject", "comment": "不属实"}, headers=cast.headers("owner_rep", key))
        assert other.status_code == 409 and other.json()["type"] == "/problems/idempotency-key-reused"
        again = await b.post(url, json={"decision": "confirm"}, headers=cast.headers("owner_rep", key))
        assert again.status_code == 404  # the same request on the other process: its own retry, not a reuse


async def test_a_start_retried_on_the_other_process_answers_with_the_same_case(
    env: WorkflowEnvironment, sessions: Sessions, settings: Settings, worker: None,
) -> None:
    cast = await create_test_estate(sessions, settings)
    body = {"estate_id": cast.estate_id, "category": "elevator_failure", "scope": "estate", "description": "2号楼电梯停运"}
    key = f"start-{uuid.uuid4().hex}"
    async with processes(settings, env) as [(a, _), (b, _)]:
        first = await a.post("/cases/fund-emergency", json=body, headers=cast.headers("clerk", key))
        assert first.status_code == 201, first.text
        retry = await b.post("/cases/fund-emergency", json=body, headers=cast.headers("clerk", key))
        assert retry.status_code in (200, 201) and retry.json()["id"] == first.json()["id"]
        other = await b.post("/cases/fund-emergency", json={**body, "description": "另一台电梯"}, headers=cast.headers("clerk", key))
        assert other.status_code == 409


async def test_a_deactivated_user_is_refused_by_every_process_within_the_cache_ttl(
    env: WorkflowEnvironment, sessions: Sessions, settings: Settings,
) -> None:
    cast = await create_test_estate(sessions, settings)
    clerk = make_actor(Role.CLERK, Level.STREET, "yidu", subject=f"clerk-{uuid.uuid4().hex[:6]}")
    token = {"Authorization": f"Bearer {issue_token(settings, clerk)}"}
    now = [1000.0]
    async with processes(settings, env, users_cache_seconds=5) as [(a, app_a), (b, app_b)]:
        for app in (app_a, app_b):  # each process's cache on a clock the test moves
            app.state.identity.deactivated = DeactivatedSubjects(app.state.sessions, ttl=5, clock=lambda: now[0])
        assert (await a.get("/me", headers=token)).status_code == 200
        assert (await b.get("/me", headers=token)).status_code == 200  # b has read the table: the clerk is active
        r = await a.put(f"/users/{clerk.subject}/status", json={"active": False, "reason": "离职"}, headers=cast.headers("admin"))
        assert r.status_code == 200
        assert (await a.get("/me", headers=token)).json()["detail"] == INVALID_TOKEN  # the changing process: at once
        now[0] += 4.9
        assert (await b.get("/me", headers=token)).status_code == 200  # the other: its copy is younger than the TTL
        now[0] += 0.1
        r = await b.get("/me", headers=token)
        assert r.status_code == 401 and r.json()["detail"] == INVALID_TOKEN  # at the TTL it reads the table again
        assert (await b.get("/inbox", headers=token)).status_code == 401


async def test_rate_limits_hold_across_processes(
    env: WorkflowEnvironment, sessions: Sessions, settings: Settings, worker: None,
) -> None:
    cast = await create_test_estate(sessions, settings)
    url = "/cases/fund-emergency-nope-20200101-1/tasks/t1/decisions"
    limits = {**settings.rate_limits, "decision": (3, 5)}
    async with processes(settings, env, rate_limit_enabled=True, rate_limit_period_seconds=3600, rate_limits=limits) as [(a, _), (b, _)]:
        # The token's 3 decisions, spread over both processes, then neither takes a fourth.
        for api in (a, b, a):
            assert (await api.post(url, json={"decision": "confirm"}, headers=cast.headers("owner_rep"))).status_code == 404
        for api in (a, b):
            r = await api.post(url, json={"decision": "confirm"}, headers=cast.headers("owner_rep"))
            assert r.status_code == 429 and 1100 < int(r.headers["retry-after"]) <= 1200  # one per 20 min, less what refilled
        # The address's 5: 3 taken above, 2 more by other tokens on either process, then it is spent on both.
        assert (await b.post(url, json={"decision": "confirm"}, headers=cast.headers("committee"))).status_code == 404
        assert (await a.post(url, json={"decision": "confirm"}, headers=cast.headers("company"))).status_code == 404
        for api in (a, b):
            assert (await api.post(url, json={"decision": "confirm"}, headers=cast.headers("agency"))).status_code == 429


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@asynccontextmanager
async def served(env: WorkflowEnvironment, log: Path, **variables: str) -> AsyncIterator[AsyncClient]:
    """A real API process (`python -m api.serve`, one process) on the suite's database and Temporal."""
    port = free_port()
    environment = {**os.environ, "WUYEFLOW_TEMPORAL_ADDRESS": env.client.service_client.config.target_host, **variables}
    with log.open("wb") as out:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "api.serve", "--host", "127.0.0.1", "--port", str(port), "--processes", "1",
            cwd=ROOT, env=environment, stdout=out, stderr=subprocess.STDOUT,
        )
    try:
        async with AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            for _ in range(1200):  # start-up: imports and the app's lifespan
                if proc.returncode is not None:
                    raise RuntimeError(f"the API process exited with {proc.returncode}; see {log}")
                try:
                    if (await client.get("/health")).status_code == 200:
                        break
                except httpx.TransportError:
                    await asyncio.sleep(0.1)
            yield client
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGINT)
        try:
            await asyncio.wait_for(proc.wait(), timeout=20)
        except TimeoutError:
            proc.kill()
            await proc.wait()


async def test_two_real_api_processes_agree_on_keys_rates_and_deactivated_users(
    env: WorkflowEnvironment, sessions: Sessions, settings: Settings, tmp_path: Path,
) -> None:
    """The same three agreements between two operating-system processes (no state of one Python process in common)."""
    cast = await create_test_estate(sessions, settings)
    clerk = make_actor(Role.CLERK, Level.STREET, "yidu", subject=f"clerk-{uuid.uuid4().hex[:6]}")
    variables = {
        "WUYEFLOW_RATE_LIMIT_ENABLED": "true", "WUYEFLOW_RATE_LIMIT_PERIOD_SECONDS": "3600",
        # Every request comes from 127.0.0.1, whose buckets outlive the test: the token's rate is the one checked.
        "WUYEFLOW_RATE_LIMITS": json.dumps({"decision": [3, 1_000_000]}), "WUYEFLOW_USERS_CACHE_SECONDS": "0",
    }
    url = f"/cases/fund-emergency-{cast.estate_id}-20200101-1/tasks/t1/decisions"
    key = f"key-{uuid.uuid4().hex}"
    async with served(env, tmp_path / "a.log", **variables) as a, served(env, tmp_path / "b.log", **variables) as b:
        assert (await a.post(url, json={"decision": "confirm"}, headers=cast.headers("owner_rep", key))).status_code == 404
        reused = await b.post(url, json={"decision": "reject", "comment": "不属实"}, headers=cast.headers("owner_rep", key))
        assert reused.status_code == 409 and reused.json()["type"] == "/problems/idempotency-key-reused"
        assert (await b.post(url, json={"decision": "confirm"}, headers=cast.headers("owner_rep"))).status_code == 404
        # The owners' representative has spent 3 decisions (2 on a, 1 on b): both refuse a fourth.
        for api in (a, b):
            assert (await api.post(url, json={"decision": "confirm"}, headers=cast.headers("owner_rep"))).status_code == 429
        token = {"Authorization": f"Bearer {issue_token(settings, clerk)}"}
        assert (await b.get("/me", headers=token)).status_code == 200
        r = await a.put(f"/users/{clerk.subject}/status", json={"active": False, "reason": "离职"}, headers=cast.headers("admin"))
        assert r.status_code == 200
        assert (await b.get("/me", headers=token)).status_code == 401
