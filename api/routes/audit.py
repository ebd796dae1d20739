"""Auditors: search cases, read timelines, export raw histories, verify replay and the audit chain."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel
from temporalio.service import RPCError, RPCStatusCode

from api.case_service import load_visible_case, timeline_of
from api.deps import AuditorDep, ClientDep, SessionDep, rate_limited
from api.errors import Gone, Unavailable
from api.limits import DateFrom, DateTo, Offset
from api.routes.cases import summary_of
from api.schemas import CasePage, TimelineEntry
from core.consistency import ConsistencyReport, check_case
from core.replay import ReplayReport, verify_history
from db.repositories import audit as audit_repo
from db.repositories.audit_search import search_cases
from db.repositories.cases import CaseFilter
from domain.cases import CaseStatus

router = APIRouter(prefix="/audit", tags=["audit 审计"])


@router.get("/cases", response_model=CasePage, summary="Search cases by kind, status, place, date, business key or actor")
async def search(
    session: SessionDep, auditor: AuditorDep,
    kind: str | None = None, status: CaseStatus | None = None, street_id: str | None = None,
    community_id: str | None = None, estate_id: str | None = None,
    created_from: DateFrom = None, created_to: DateTo = None,
    key: Annotated[str | None, Query(max_length=200, description="part of the case id or title")] = None,
    actor: Annotated[str | None, Query(max_length=64, description="subject of someone who acted on the case")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50, offset: Offset = 0,
) -> CasePage:
    flt = CaseFilter(kind=kind, status=status.value if status else None, street_id=street_id,
                     community_id=community_id, estate_id=estate_id, created_from=created_from, created_to=created_to)
    total, rows = await search_cases(session, auditor, flt, key=key, actor_subject=actor, limit=limit, offset=offset)
    return CasePage(total=total, items=[summary_of(r) for r in rows])


@router.get("/cases/{case_id}/timeline", response_model=list[TimelineEntry], summary="The case's timeline, refused attempts included")
async def timeline(case_id: str, session: SessionDep, auditor: AuditorDep) -> list[TimelineEntry]:
    return await timeline_of(session, await load_visible_case(session, auditor, case_id))


async def _history(client, case_id: str):  # type: ignore[no-untyped-def]
    try:
        return await client.get_workflow_handle(case_id).fetch_history()
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            raise Gone(
                f"Temporal no longer holds the history of {case_id} (retention period passed); "
                "its summary, timeline and audit log remain readable here"
            ) from None
        raise Unavailable(f"the workflow engine did not answer: {exc.message}") from None


@router.get(
    "/cases/{case_id}/history", summary="The raw Temporal history as JSON (the format Temporal's tools read)",
    dependencies=[Depends(rate_limited("export"))],
    responses={200: {"content": {"application/json": {}}}},
)
async def raw_history(case_id: str, session: SessionDep, auditor: AuditorDep, client: ClientDep) -> Response:
    await load_visible_case(session, auditor, case_id)
    await session.close()
    history = await _history(client, case_id)
    return Response(
        content=json.dumps(history.to_json_dict(), ensure_ascii=False), media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{case_id}.history.json"'},
    )


@router.post(
    "/cases/{case_id}/replay", response_model=ReplayReport, summary="Replay the history against the current code",
    dependencies=[Depends(rate_limited("replay"))],
)
async def replay(case_id: str, session: SessionDep, auditor: AuditorDep, client: ClientDep) -> ReplayReport:
    await load_visible_case(session, auditor, case_id)
    await session.close()
    return await verify_history(await _history(client, case_id))


class ChainReport(BaseModel):
    case_id: str
    entries: int
    intact: bool
    first_broken_seq: int | None = None
    reason: str | None = None


@router.get("/cases/{case_id}/audit-log/verify", response_model=ChainReport, summary="Check the audit log's hash chain")
async def verify_log(case_id: str, session: SessionDep, auditor: AuditorDep) -> ChainReport:
    await load_visible_case(session, auditor, case_id)
    count, broken = await audit_repo.check_chain(session, case_id)
    return ChainReport(
        case_id=case_id, entries=count, intact=broken is None,
        first_broken_seq=broken.seq if broken else None, reason=broken.reason if broken else None,
    )


@router.get(
    "/cases/{case_id}/consistency", response_model=ConsistencyReport,
    summary="Compare the audit log and the read model with the history's accepted updates and projections",
)
async def consistency(case_id: str, request: Request, session: SessionDep, auditor: AuditorDep, client: ClientDep) -> ConsistencyReport:
    """Every entry without a history event and every accepted decision without an entry; 410 once the history is gone."""
    await load_visible_case(session, auditor, case_id)
    await session.close()
    try:
        return await check_case(client, request.app.state.sessions, case_id)
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            raise Gone(f"Temporal no longer holds the history of {case_id}: there is nothing to compare its audit log with") from None
        raise Unavailable(f"the workflow engine did not answer: {exc.message}") from None
