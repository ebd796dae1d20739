"""`make bench` is not run by the suite, so a refactor could break it unseen: every module must import."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import bench


@pytest.mark.parametrize("name", sorted(m.name for m in pkgutil.walk_packages(bench.__path__, "bench.")))
def test_bench_module_imports(name: str) -> None:
    importlib.import_module(name)
