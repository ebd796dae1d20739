"""Which projection of a case's read model is the truth, and which one is a failed task's.

A workflow writes its read model from inside a workflow task (a local activity). That write
commits before the task completes, so a task that then fails (a payload over a limit, a
nondeterminism error after a deploy, a worker killed, a task timeout) leaves a write behind
that its history never accepted. Temporal runs the task again on the same history: the re-run
is the truth, and its projection must replace whatever the failed attempt wrote.

Every projection carries its place: the workflow task's clock (``workflow.now()``, the task's
start), the history length at that task, the snapshot's version and the number of timeline
events the workflow has produced. A later attempt of a task starts later and never at a shorter
history, and within one attempt versions and events only grow, so these four, in this order,
rank every write of a case's lineage. A write that ranks below the stored one comes from an
attempt that was already superseded (a worker that hung past its task timeout): it is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


@dataclass(frozen=True)
class ProjectionAnchor:
    """Where a projection stands in its workflow's run (as stored on the case's read-model row)."""

    at: datetime  # the workflow task's clock
    history_length: int  # 0: written by the API before the workflow ran
    version: int
    events_through: int  # the workflow's timeline events projected so far
    events_written: int = 0  # the highest event number any write ever stored (withdrawn ones included)

    def rank(self) -> tuple[int, datetime, int, int, int]:
        # The API's placeholder (history length 0) ranks below every write of the workflow,
        # whatever the clocks of the API's and Temporal's machines say.
        return (0 if self.history_length == 0 else 1, self.at, self.history_length, self.version, self.events_through)


class ProjectionKind(StrEnum):
    SUCCESSOR = "successor"  # the stored row is this projection's predecessor: append, as usual
    REPAIR = "repair"  # the stored row is not: a failed attempt's write, or this one's retried local activity
    STALE = "stale"  # a newer attempt has written already: this write comes from a superseded task


def classify(
    stored: ProjectionAnchor | None, incoming: ProjectionAnchor, *, previous_version: int, first_event: int,
) -> ProjectionKind:
    """How a projection meets the stored read model.

    ``previous_version`` is the version of the workflow's own previous projection (-1 before the
    first) and ``first_event`` the number of the first event it carries.
    """
    if stored is None:
        return ProjectionKind.SUCCESSOR if previous_version == -1 and first_event == 1 else ProjectionKind.REPAIR
    if stored.rank() > incoming.rank():
        return ProjectionKind.STALE
    predecessor = (
        stored.version == previous_version and stored.events_through == first_event - 1
        and stored.events_written == first_event - 1
    )
    return ProjectionKind.SUCCESSOR if predecessor else ProjectionKind.REPAIR
