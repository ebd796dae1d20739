"""The inbox's answer is encoded straight from the repository's rows (orjson, no validation on the way out).

The boundary: the bytes are the ones pydantic writes for the published ``list[InboxItem]``, for
every shape a row can take (a deadline or none, whole seconds or not, a card, an escalation, a
provisional deadline, Chinese text, a task with several decisions), on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from pydantic import TypeAdapter
from sqlalchemy import insert

from api.read_policy import case_access
from api.routes.inbox import _item, answer
from api.schemas import InboxItem
from db.models import InboxEntry
from db.repositories import cases as cases_repo
from domain.access import Actor, Jurisdiction, Level, Role
from tests.fixture_types import Sessions

PUBLISHED = TypeAdapter(list[InboxItem])
BUREAU = Actor(subject="bureau-answer", name="局", roles=(Role.HOUSING_BUREAU,), jurisdiction=Jurisdiction(level=Level.CITY, id=None))


def row(case_id: str, task: str, **values: object) -> dict[str, object]:
    return {
        "case_id": case_id, "task_id": task, "role": Role.HOUSING_BUREAU.value, "kind": "fund-emergency",
        "case_title": "锦绣华庭 · 2号楼电梯钢丝绳断股 \"紧急\"", "step": "bureau_review", "step_label": "住建局审核",
        "street_id": "yidu", "community_id": "yidu-c1", "estate_id": "yidu-jinxiu", "company_id": None, "assignee": None,
        "decisions": ["approve", "return", "reject"], "created_at": datetime(2027, 1, 4, 1, 2, 3, tzinfo=UTC),
        "due_at": None, "card": "none", "escalated": False, "calendar_published": True, **values,
    }


async def test_the_inbox_answer_is_byte_for_byte_the_published_encoding(sessions: Sessions) -> None:
    case_id = f"fund-emergency-answer-{uuid.uuid4().hex[:8]}"
    stored = [
        row(case_id, "t1"),
        row(case_id, "t2", due_at=datetime(2027, 1, 6, 16, 0, tzinfo=UTC), card="yellow", created_at=datetime(2027, 1, 4, 1, 2, 3, 450_001, tzinfo=UTC)),
        row(case_id, "t3", due_at=datetime(2027, 1, 5, 16, 0, 0, 7, tzinfo=UTC), card="red", escalated=True, calendar_published=False),
        row(case_id, "t4", kind="ticket", step="handling", step_label="办理", decisions=["handled"]),
    ]
    async with sessions() as session:
        await session.execute(insert(InboxEntry), stored)
        await session.commit()
    async with sessions() as session:
        rows = await cases_repo.inbox(session, BUREAU, access=case_access(BUREAU), only=cases_repo.InboxFilter(case_id=case_id))
    assert len(rows) == len(stored)
    expected = PUBLISHED.dump_json(PUBLISHED.validate_python([_item(r) for r in rows]))
    assert answer(rows) == expected
    # And what is sent parses as the published schema, each row's deadline and card as stored.
    items = PUBLISHED.validate_json(answer(rows))
    by_task = {i.task_id: i for i in items}
    assert by_task["t3"].due_at == stored[2]["due_at"] and by_task["t3"].card.code == "red" and not by_task["t3"].calendar_published
    assert by_task["t1"].due_at is None and [d.code for d in by_task["t1"].decisions] == ["approve", "return", "reject"]


def test_an_empty_inbox_is_an_empty_list() -> None:
    assert answer([]) == b"[]" == PUBLISHED.dump_json([])
