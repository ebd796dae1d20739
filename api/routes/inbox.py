"""The caller's inbox: open tasks for their roles inside their jurisdiction."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import ActorDep, SessionDep
from api.limits import Offset
from api.read_policy import case_access
from api.schemas import InboxItem, Labelled, decision_l, role_l
from db.repositories import cases as cases_repo
from domain.access import Role
from domain.tasks import CARD_LABELS, Card

router = APIRouter(tags=["inbox"])


@router.get("/inbox", response_model=list[InboxItem], summary="Open tasks you can decide, soonest due first")
async def inbox(
    session: SessionDep, actor: ActorDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100, offset: Offset = 0,
) -> list[InboxItem]:
    rows = await cases_repo.inbox(session, actor, limit=limit, offset=offset, access=case_access(actor))
    return [
        InboxItem(
            case_id=r.case_id, case_title=r.case_title, kind=r.kind, task_id=r.task_id,
            step=Labelled(code=r.step, label=r.step_label), role=role_l(Role(r.role)),
            decisions=[decision_l(d, r.kind) for d in r.decisions], created_at=r.created_at, due_at=r.due_at,
            card=Labelled(code=r.card, label=CARD_LABELS[Card(r.card)]), escalated=r.escalated,
            decide_url=f"/cases/{r.case_id}/tasks/{r.task_id}/decisions", calendar_published=r.calendar_published,
        )
        for r in rows
    ]
