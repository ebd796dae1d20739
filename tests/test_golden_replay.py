"""Every committed golden history replays against the current code; every workflow type has some."""

from __future__ import annotations

import json

from temporalio.client import WorkflowHistory

from core.registry import workflow_types
from core.replay import verify_histories
from tests.golden_recorder import GOLDEN_DIR


def golden_histories() -> list[WorkflowHistory]:
    return [
        WorkflowHistory.from_json(path.stem, json.loads(path.read_text(encoding="utf-8")))
        for path in sorted(GOLDEN_DIR.glob("*.json"))
    ]


async def test_all_golden_histories_replay() -> None:
    histories = golden_histories()
    assert histories, "no golden histories committed"
    reports = [r async for r in verify_histories(histories)]
    bad = [(r.workflow_id, r.error) for r in reports if not r.consistent]
    assert not bad, bad
    assert len(reports) == len(histories)


def test_every_workflow_type_has_golden_histories() -> None:
    recorded = set()
    for history in golden_histories():
        started = history.events[0].workflow_execution_started_event_attributes
        recorded.add(started.workflow_type.name)
    from temporalio import workflow

    names = {workflow._Definition.must_from_class(cls).name for cls in workflow_types()}
    missing = names - recorded
    assert not missing, f"record golden histories for: {sorted(missing)} (WUYEFLOW_RECORD_GOLDEN=1 make test)"
