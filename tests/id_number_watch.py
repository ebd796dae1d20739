"""The suite's watch on its own log lines: no citizen's ID number may appear in one (个人信息保护法 Art. 51).

Every record is rendered as the application renders it (its root handler's structlog formatter, with
its redaction; as the record reads where the application's logging is not set up) and searched for an 18-character run that is an ID number by its check digit.
"""

from __future__ import annotations

import logging

from structlog.stdlib import ProcessorFormatter

from domain.personal_data import ID_NUMBER_PATTERN, id_number_problem, mask_id_number


class IdNumberWatch(logging.Handler):
    """Collects the log lines that carry a well-formed ID number, by logger, with the number masked."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.found: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        formatter = next((h.formatter for h in logging.getLogger().handlers if isinstance(h.formatter, ProcessorFormatter)), None)
        try:
            line = formatter.format(record) if formatter is not None else record.getMessage()
        except Exception:  # a record its own handler could not render either
            line = str(record.msg)
        for match in ID_NUMBER_PATTERN.finditer(line):
            number = match.group(0).upper()
            if id_number_problem(number) is None:
                self.found.append(f"{record.name}: {mask_id_number(number)}")

    def attach(self) -> None:
        """On the root logger (again: the application's logging set-up replaces the root's handlers once)."""
        root = logging.getLogger()
        if self not in root.handlers:
            root.addHandler(self)
