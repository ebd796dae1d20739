"""The caller's inbox: open tasks for their roles inside their jurisdiction.

The busiest read of the API (every user's start page), so its answer is built for speed: the
repository's plain rows become dicts with cached labels, encoded by orjson in one call, instead of
a model per row that FastAPI would validate and encode again (a 100-row page: 0.79 ms of CPU with
pydantic's validation and encoding, 0.37 ms so; bench/README.md). Nothing is validated on the way
out because every value comes from typed columns; ``tests/api/test_inbox_answer.py`` holds the
bytes equal to what ``list[InboxItem]`` encodes, so the published schema is what is sent.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Response
from sqlalchemy import Row

from api.deps import ActorDep, ReadSessionDep
from api.limits import Offset
from api.read_policy import case_access
from api.schemas import InboxItem, decision_l, role_l
from db.repositories import cases as cases_repo
from domain.access import Role
from domain.tasks import CARD_LABELS, Card

router = APIRouter(tags=["inbox"])

# Datetimes as pydantic writes them: ISO 8601, UTC as "Z" (the columns hold UTC, db.models.base.UtcDateTime).
JSON_OPTIONS = orjson.OPT_UTC_Z


@lru_cache(maxsize=1024)
def _decision(code: str, kind: str) -> dict[str, str]:
    return decision_l(code, kind).model_dump()


@lru_cache(maxsize=64)
def _role(code: str) -> dict[str, str]:
    return role_l(Role(code)).model_dump()


@lru_cache(maxsize=16)
def _card(code: str) -> dict[str, str]:
    return {"code": code, "label": CARD_LABELS[Card(code)]}


def _item(r: Row[Any]) -> dict[str, Any]:
    return {
        "case_id": r.case_id, "case_title": r.case_title, "kind": r.kind, "task_id": r.task_id,
        "step": {"code": r.step, "label": r.step_label}, "role": _role(r.role),
        "decisions": [_decision(d, r.kind) for d in r.decisions], "created_at": r.created_at, "due_at": r.due_at,
        "card": _card(r.card), "escalated": r.escalated,
        "decide_url": f"/cases/{r.case_id}/tasks/{r.task_id}/decisions", "calendar_published": r.calendar_published,
    }


@router.get("/inbox", response_model=list[InboxItem], summary="Open tasks you can decide, soonest due first")
async def inbox(
    session: ReadSessionDep, actor: ActorDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100, offset: Offset = 0,
    case_id: Annotated[str | None, Query(max_length=200, description="only this case's tasks")] = None,
    process: Annotated[str | None, Query(max_length=64, description="only this process's tasks (its kind, see /processes)")] = None,
    estate_id: Annotated[str | None, Query(max_length=64, description="only tasks of cases in this estate")] = None,
    street: Annotated[str | None, Query(max_length=64, description="only tasks of cases in this street (镇街, see /streets)")] = None,
) -> Response:
    only = cases_repo.InboxFilter(case_id=case_id, kind=process, estate_id=estate_id, street_id=street)
    rows = await cases_repo.inbox(session, actor, limit=limit, offset=offset, access=case_access(actor), only=only)
    return Response(content=answer(rows), media_type="application/json")


def answer(rows: list[Row[Any]]) -> bytes:
    """The inbox page as JSON, in the published ``list[InboxItem]`` shape."""
    return orjson.dumps([_item(r) for r in rows], option=JSON_OPTIONS)
