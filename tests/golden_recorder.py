"""Golden histories: recorded runs of every workflow type, replayed by the suite on every change.

Record (or re-record) them with ``WUYEFLOW_RECORD_GOLDEN=1 make test``: the tests that call
``keep_golden`` then write the case's history to ``tests/golden/<name>.json``. Commit the files;
a change that breaks replay of a recorded case then fails CI.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from temporalio.client import Client

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"


async def keep_golden(client: Client, workflow_id: str, name: str, run_id: str | None = None) -> None:
    """Write the workflow's history (its latest run, or ``run_id``) as a golden file when recording is switched on."""
    if os.environ.get("WUYEFLOW_RECORD_GOLDEN") != "1":
        return
    history = await client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()
    GOLDEN_DIR.mkdir(exist_ok=True)
    (GOLDEN_DIR / f"{name}.json").write_text(json.dumps(history.to_json_dict(), ensure_ascii=False, indent=1), encoding="utf-8")
