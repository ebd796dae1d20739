"""Auditors: search cases, read timelines, export raw histories, verify replay and the audit chain."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel
from temporalio.client import Client, WorkflowHistory
from temporalio.service import RPCError, RPCStatusCode

from api.case_service import load_visible_case, timeline_of
from api.deps import AuditorDep, ClientDep, SessionDep, rate_limited
from api.errors import Conflict, Forbidden, Gone, Unavailable
from api.limits import DateFrom, DateTo, Offset
from api.read_policy import case_access, policy_for
from api.routes.cases import summary_of
from api.schemas import CasePage, TimelineEntry
from core.archive_store import make_object_store
from core.audit_anchor import check_anchored_chain
from core.consistency import ConsistencyReport, check_case
from core.history_archive import HistoryArchive, history_bytes, history_json, sha256_hex
from core.replay import ReplayReport, verify_history
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
    total, rows = await search_cases(session, auditor, flt, key=key, actor_subject=actor, limit=limit, offset=offset,
                                     access=case_access(auditor))
    return CasePage(total=total, items=[summary_of(r) for r in rows])


@router.get("/cases/{case_id}/timeline", response_model=list[TimelineEntry], summary="The case's timeline, refused attempts included")
async def timeline(case_id: str, session: SessionDep, auditor: AuditorDep) -> list[TimelineEntry]:
    return await timeline_of(session, await load_visible_case(session, auditor, case_id), viewer=auditor)


def get_archive(request: Request) -> HistoryArchive:
    """The history archive, built once per app from its settings and sessions."""
    state = request.app.state
    if getattr(state, "history_archive", None) is None:
        state.history_archive = HistoryArchive(state.sessions, make_object_store(state.settings, state.sessions))
    archive: HistoryArchive = state.history_archive
    return archive


ArchiveDep = Annotated[HistoryArchive, Depends(get_archive)]


class HistorySource(StrEnum):
    """Where to read a history: Temporal while it holds it, else the archive (auto); or only one of them."""

    AUTO = "auto"
    TEMPORAL = "temporal"
    ARCHIVE = "archive"


SourceQuery = Annotated[HistorySource, Query(description="auto: Temporal while it holds the history, else the archive")]


@dataclass
class FoundHistory:
    source: str
    data: bytes | None
    history: WorkflowHistory | None
    sha256: str | None
    run_id: str | None = None
    tampered: str | None = None


async def _find_history(client: Client, archive: HistoryArchive, case_id: str, source: HistorySource) -> FoundHistory:
    """The case's history from Temporal, or from the archive once Temporal's retention removed it."""
    if source != HistorySource.ARCHIVE:
        try:
            history = await client.get_workflow_handle(case_id).fetch_history()
        except RPCError as exc:
            if exc.status != RPCStatusCode.NOT_FOUND:
                raise Unavailable(f"流程引擎未响应：{exc.message}") from None
            if source == HistorySource.TEMPORAL:
                raise Gone(f"Temporal 已不再保存 {case_id} 的历史（超过保留期）；可从归档读取（source=archive）") from None
        else:
            return FoundHistory(source="temporal", data=history_json(history), history=history,
                                sha256=sha256_hex(history_bytes(history)))
    read = await archive.read(case_id)
    if read is None:
        raise Gone(
            f"Temporal 已不再保存 {case_id} 的历史，归档中也没有（案件未结束或尚未归档）；"
            "其摘要、时间线和审计日志仍可在此查阅"
        )
    if not read.intact:
        return FoundHistory(source="archive", data=None, history=None, sha256=read.sha256, run_id=read.row.run_id,
                            tampered=read.reason or "tampered")
    history = read.history()
    return FoundHistory(source="archive", data=history_json(history), history=history, sha256=read.sha256,
                        run_id=read.row.run_id)


@router.get(
    "/cases/{case_id}/history", dependencies=[Depends(rate_limited("export"))],
    summary="The raw Temporal history as JSON (the format Temporal's tools read), from Temporal or the archive",
    responses={200: {"content": {"application/json": {}},
                     "description": "`X-History-Source` says where it came from (temporal / archive); `X-History-Sha256` is "
                                    "the sha256 of the history serialised as the archive keeps it (the one in the audit chain)"},
               409: {"description": "the archived history no longer matches the sha256 in the case's audit chain"},
               410: {"description": "neither Temporal nor the archive holds it"}},
)
async def raw_history(case_id: str, session: SessionDep, auditor: AuditorDep, client: ClientDep, archive: ArchiveDep,
                      source: SourceQuery = HistorySource.AUTO) -> Response:
    record = await load_visible_case(session, auditor, case_id)
    # The history holds every payload the case received: what the read policy seals stays sealed here too.
    sealed = policy_for(record.kind).history_sealed(record)
    if sealed is not None:
        raise Forbidden(sealed)
    await session.close()
    found = await _find_history(client, archive, case_id, source)
    if found.tampered is not None:
        raise Conflict(f"案件 {case_id} 的归档历史已被篡改：{found.tampered}", source="archive", integrity="tampered",
                       case_id=case_id, run_id=found.run_id, sha256=found.sha256)
    assert found.data is not None
    return Response(
        content=found.data, media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{case_id}.history.json"',
                 "X-History-Source": found.source, "X-History-Sha256": found.sha256 or ""},
    )


@router.post("/cases/{case_id}/replay", response_model=ReplayReport,
             summary="Replay the history (from Temporal or the archive) against the current code",
             dependencies=[Depends(rate_limited("replay"))])
async def replay(case_id: str, session: SessionDep, auditor: AuditorDep, client: ClientDep, archive: ArchiveDep,
                 source: SourceQuery = HistorySource.AUTO) -> ReplayReport:
    await load_visible_case(session, auditor, case_id)
    await session.close()
    found = await _find_history(client, archive, case_id, source)
    if found.tampered is not None:
        return ReplayReport(workflow_id=case_id, consistent=False, events=0, error_type="ArchiveTampered",
                            error=found.tampered, source="archive", run_id=found.run_id, sha256=found.sha256, tampered=True)
    assert found.history is not None
    report = await verify_history(found.history)
    return report.model_copy(update={"source": found.source, "sha256": found.sha256, "run_id": found.run_id})


class ChainReport(BaseModel):
    case_id: str
    entries: int
    intact: bool
    # The first broken entry, or the first missing one when the newest entries were cut off.
    first_broken_seq: int | None = None
    reason: str | None = None
    # The workflow's own count of the timeline events it projected (None: it did not answer).
    workflow_events: int | None = None


@router.get("/cases/{case_id}/audit-log/verify", response_model=ChainReport, summary="Check the audit log's hash chain and its anchors")
async def verify_log(case_id: str, session: SessionDep, auditor: AuditorDep, client: ClientDep) -> ChainReport:
    await load_visible_case(session, auditor, case_id)
    check = await check_anchored_chain(session, client, case_id)
    broken = check.broken
    return ChainReport(
        case_id=case_id, entries=check.entries, intact=broken is None, workflow_events=check.workflow_events,
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
