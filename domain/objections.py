"""异议: a notice period (公示 / 公告) during which people may object, and the objections raised in it.

The same shape serves the fund's public notice (淄博 Art. 67), the tender's publicity of the
winning candidates (实施条例 Art. 54) and the election's candidate notice (山东 Art. 22): a period
with a start and an end, objections taken while it runs, each answered by a task, and the notice
done when the period has passed and every answer is in, or ended early by an upheld objection.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class NoticePeriod(BaseModel):
    """One run of a notice: when it started and ends, and how it ended."""

    start: datetime
    end: datetime
    # When the period ran out while answers were still outstanding (the notice waits for them).
    passed_at: datetime | None = None
    # When the notice ended with the period passed and every objection answered.
    closed: datetime | None = None
    # The answer task whose upheld objection ended the notice early.
    upheld: str | None = None

    def takes_objections(self, at: datetime) -> bool:
        """Objections are taken from the start until the end of the period, not at or after it."""
        return self.closed is None and self.upheld is None and self.start <= at < self.end


class Objection(BaseModel):
    """An objection as the case keeps it: who raised it, when, and the answer it got."""

    by: str
    name: str | None = None
    organisation: str | None = None
    text: str
    at: datetime
    # What the objection is about, where a process distinguishes (the election: identity, vote weight, candidate).
    kind: str | None = None
    kind_label: str | None = None
    household_id: str | None = None
    # The answer task, and how it was decided (answer / uphold) with the answer's text.
    task_id: str | None = None
    outcome: str | None = None
    answer: str | None = None
