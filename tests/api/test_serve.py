"""`python -m api.serve`: as many API processes as the settings say, one per CPU unless told otherwise."""

from __future__ import annotations

import os
from typing import Any

import pytest

from api import serve
from core.settings import Settings, get_settings


def test_the_process_count_defaults_to_the_cpus_this_process_may_use() -> None:
    assert Settings(api_processes=0).api_process_count == len(os.sched_getaffinity(0)) >= 1
    assert Settings(api_processes=3).api_process_count == 3


@pytest.mark.parametrize(("configured", "argv", "workers"), [("4", [], 4), ("4", ["--processes", "2"], 2), ("1", [], None)])
def test_serve_starts_uvicorns_workers_from_the_settings(
    monkeypatch: pytest.MonkeyPatch, configured: str, argv: list[str], workers: int | None,
) -> None:
    started: dict[str, Any] = {}
    monkeypatch.setattr(serve.uvicorn, "run", lambda app, **kwargs: started.update(app=app, **kwargs))
    monkeypatch.setenv("WUYEFLOW_API_PROCESSES", configured)
    get_settings.cache_clear()
    try:
        serve.main(["--host", "0.0.0.0", "--port", "8000", *argv])
    finally:
        get_settings.cache_clear()
    # One process runs without a supervisor; several are uvicorn's workers, each importing the app itself.
    assert started == {"app": "api.main:app", "host": "0.0.0.0", "port": 8000, "workers": workers}
