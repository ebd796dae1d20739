"""A ticket's ledger line (台账) is written with its case, in the projection's one transaction.

Before, each waiting point ran two local activities (the ledger line, then the case): two database
transactions and two round trips through the worker for every decision of the city's most
numerous process. The ledger stays exactly as current as the case: after every decision the line
shows the case's status and step.
"""

from __future__ import annotations

import json
from collections import Counter

from temporalio.api.enums.v1 import EventType

from tests.factories_tickets import TicketDriver, create_ticket_cast
from tests.fixture_types import AsyncClient, Sessions, Settings, WorkflowEnvironment


async def _local_activities(env: WorkflowEnvironment, case_id: str) -> Counter[str]:
    history = await env.client.get_workflow_handle(case_id).fetch_history()
    kinds: Counter[str] = Counter()
    for event in history.events:
        if event.event_type != EventType.EVENT_TYPE_MARKER_RECORDED:
            continue
        data = event.marker_recorded_event_attributes.details.get("data")
        if data is not None and data.payloads:
            kinds[json.loads(data.payloads[0].data).get("activity_type", "?")] += 1
    return kinds


async def test_each_decision_writes_the_ledger_line_with_the_case_in_one_local_activity(
    api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings,
) -> None:
    cast = await create_ticket_cast(sessions, settings)
    drv = TicketDriver(api, cast)
    case = (await drv.start("illegal_construction")).json()
    steps = [("dept-enforcement", "acceptance", "sign", None, {}), ("dept-enforcement", "handling", "answer", "已拆除", {}),
             ("dispatcher", "callback", "satisfied", None, {"reached": True})]
    for who, step, decision, comment, data in steps:
        case = (await drv.decide(who, step, decision, comment=comment, data=data or None)).json()
        line = next(i for i in (await drv.ledger())["items"] if i["id"] == drv.case_id)
        assert (line["status"]["code"], line["step"]["code"]) == (case["status"]["code"], case["step"]["code"])
    assert case["status"]["code"] == "completed"
    kinds = await _local_activities(env, drv.case_id)
    assert kinds["ticket_save_ledger"] == 0, kinds
    assert kinds["project_case"] >= 4, kinds
