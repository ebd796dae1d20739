"""The workbench in a real browser: headless Chromium (Debian's ``chromium``) driven by Playwright.

The API is served by a real uvicorn on a loopback port, in the suite's event loop, with the
suite's worker on the time-skipping test server; the app runs as a development run (so the demo
user picker answers on loopback) but signs with the suite's own secret. Playwright drives the
system browser (``executable_path``): it never downloads one. Screenshots go to
``.artifacts/browser/`` (gitignored). The tests skip only when no Chromium is installed;
``make test`` installs it.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_asyncio
import uvicorn
from playwright.async_api import Browser, Page, async_playwright
from temporalio.testing import WorkflowEnvironment

from api.main import create_app
from core.settings import Settings
from domain.access import Actor
from tests.factories import Cast

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / ".artifacts" / "browser"


def chromium_path() -> str | None:
    """The system Chromium: ``WUYEFLOW_CHROMIUM``, else Debian's ``chromium`` on the PATH."""
    explicit = os.environ.get("WUYEFLOW_CHROMIUM")
    if explicit:
        return explicit
    return next((p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    missing = chromium_path() is None
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.browser)
            if missing:
                item.add_marker(pytest.mark.skip(reason="no Chromium installed (apt-get install chromium; `make test` installs it)"))


class QuietServer(uvicorn.Server):
    """uvicorn without its signal handlers: the test run owns Ctrl+C."""

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@dataclass
class Web:
    """The served workbench: its base address and the settings it runs with."""

    url: str
    settings: Settings


@pytest_asyncio.fixture(scope="session")
async def web(env: WorkflowEnvironment, settings: Settings, worker: None) -> AsyncIterator[Web]:
    local = settings.model_copy(update={"env": "development"})
    app = create_app(local, client=env.client)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = QuietServer(uvicorn.Config(app, log_level="warning", lifespan="on"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.05)
    yield Web(url=f"http://127.0.0.1:{port}", settings=local)
    server.should_exit = True
    await task
    sock.close()


@pytest_asyncio.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    """One Chromium per test module, closed after it: the rest of the suite runs without it."""
    path = chromium_path()
    assert path is not None
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as p:
        b = await p.chromium.launch(executable_path=path, args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield b
        await b.close()


async def new_page(browser: Browser, *, width: int = 1280, height: int = 900) -> Page:
    context = await browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(20_000)
    return await context.new_page()


async def sign_in(page: Page, web: Web, cast: Cast, who: str | Actor) -> None:
    """Sign in on the login page by pasting ``who``'s token (the way outside a development run)."""
    token = cast.headers(who)["Authorization"].removeprefix("Bearer ")
    await page.goto(f"{web.url}/ui/#/login")
    await page.evaluate("sessionStorage.clear()")
    await page.reload()
    await page.get_by_label("访问令牌").fill(token)
    await page.get_by_role("button", name="登录", exact=True).click()
    await page.locator("#nav").wait_for(state="visible")


async def shot(page: Page, name: str, *, full_page: bool = True) -> None:
    await page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)
