"""The suite's own watch for ID numbers in log lines finds one as a line would show it, and the renderer's mask hides it."""

from __future__ import annotations

import logging

import pytest

from core.logging import configure_logging
from core.settings import Settings
from tests.id_number_watch import IdNumberWatch
from tests.imports.files import id_number, wrong_check_digit


def record(text: str) -> logging.LogRecord:
    return logging.LogRecord("api.imports", logging.INFO, __file__, 1, text, None, None)


def test_the_watch_sees_an_id_number_in_a_line_and_not_once_the_renderer_masked_it(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    number = id_number(71)
    watch = IdNumberWatch()
    monkeypatch.setattr(logging.getLogger(), "handlers", [])  # a line as written, with no renderer
    watch.emit(record(f"row 3 refused: {number}"))
    watch.emit(record(f"row 4 refused: {wrong_check_digit(number)}"))  # not an ID number: its check digit is wrong
    assert watch.found == [f"api.imports: {number[:6]}********{number[-4:]}"]
    monkeypatch.undo()

    configure_logging(settings)  # the application's renderer (once per process)
    masked = IdNumberWatch()
    masked.emit(record(f"row 3 refused: {number}"))
    assert masked.found == []
