"""矛盾纠纷工单: intake, the ledger (台账) with its CSV export, the caller's contact, the whistle."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Annotated

import structlog
from fastapi import APIRouter, Depends, Query, Response, status
from fastapi.responses import StreamingResponse
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api.case_service import CasePlace, can_see, estate_for_start, load_visible_case, read_snapshot, start_case, started_case
from api.deps import ActorDep, CaseCallDep, ClientDep, SessionDep, SettingsDep, TicketWorkerDep, rate_limited
from api.errors import Conflict, Forbidden, Invalid, NotFound
from api.limits import CityDay, Offset, date_query
from api.routes.ticket_view import may_read_contact
from api.schemas import CaseRead, Labelled
from core.registry import REGISTRY
from db.models import CaseRecord, Ticket
from db.repositories import cases as cases_repo
from db.repositories import ticket as ticket_repo
from db.repositories import ticket_routing as routing_repo
from domain.access import Actor, Role
from domain.cases import CASE_STATUS_LABELS, CaseSnapshot, CaseStatus
from domain.routing import UNIT_KIND_LABELS
from domain.tasks import CARD_LABELS, Card
from domain.ticket import (
    CHANNEL_LABELS,
    CLOSURE_LABELS,
    PROCESS_KIND,
    STEP_LABELS,
    Channel,
    TicketCreate,
    TicketStart,
    WhistleCreate,
)
from workflows.ticket_models import WhistleInput

router = APIRouter(prefix="/tickets", tags=["tickets 矛盾纠纷工单"])
log = structlog.get_logger("api.tickets")

# Who takes tickets in: the hotline centre, the street's clerk or office, the community officer.
INTAKE_ROLES = (Role.DISPATCHER, Role.CLERK, Role.STREET_OFFICE, Role.COMMUNITY)
EXPORT_LIMIT = 10_000

INTAKE_EXAMPLES = {
    "12345": {
        "summary": "12345热线: 私搭乱建",
        "value": {
            "channel": "hotline_12345", "external_ref": "12345-20261127-0031", "category": "illegal_construction",
            "estate_id": "yidu-jinxiu", "description": "3号楼顶楼住户在楼顶私搭彩钢房",
            "contact": {"name": "张女士", "phone": "13800000000"},
        },
    },
    "walk-in": {
        "summary": "社区物管员: 物业服务质量",
        "value": {
            "channel": "walk_in", "external_ref": "YD-C1-2026-118", "category": "service_quality",
            "estate_id": "yidu-jinxiu", "description": "2号楼电梯间卫生长期无人打扫",
            "contact": {"name": "李先生", "phone": "13900000000"},
        },
    },
}


@router.post(
    "", response_model=CaseRead, status_code=status.HTTP_201_CREATED, dependencies=[Depends(rate_limited("intake"))],
    summary="Take a ticket in (受理); the same channel and external reference twice give one ticket",
    openapi_extra={"requestBody": {"content": {"application/json": {"examples": INTAKE_EXAMPLES}}}},
)
async def intake(
    body: TicketCreate, response: Response, session: SessionDep, actor: ActorDep, client: ClientDep, settings: SettingsDep,
) -> CaseRead:
    if not actor.has_any(INTAKE_ROLES):
        raise Forbidden("your role cannot take tickets in")
    estate, scope = await estate_for_start(session, actor, body.estate_id)
    route = await routing_repo.route_for(session, body.category)
    if route is None:
        raise Invalid(f"unknown category {body.category}", errors=[{"loc": ["body", "category"], "msg": "not in the routing table", "type": "value_error"}])
    # The external reference is the intake's idempotency key: one ticket per channel and number.
    key = f"ticket:{body.channel.value}:{body.external_ref}"
    existing = await _existing(session, actor, key)
    if existing is not None:
        response.status_code = status.HTTP_200_OK
        return read_snapshot(settings, CaseSnapshot.model_validate(existing.snapshot))
    await ticket_repo.save_contact(session, channel=body.channel.value, external_ref=body.external_ref, contact=body.contact, at=datetime.now(UTC))
    start = TicketStart(channel=body.channel, external_ref=body.external_ref, category=body.category, estate_id=estate.id, description=body.description)
    try:
        place = CasePlace(scope=scope, id_key=estate.id, title=f"{estate.name} · {route.label}")
        case_id, created = await start_case(
            REGISTRY[PROCESS_KIND], start, actor, key, session=session, client=client, settings=settings, place=place,
        )
    except IntegrityError:
        # A concurrent intake of the same reference won the race: answer with its ticket.
        await session.rollback()
        existing = await _existing(session, actor, key)
        if existing is None:
            raise Conflict("the ticket is being registered; retry") from None
        response.status_code = status.HTTP_200_OK
        return read_snapshot(settings, CaseSnapshot.model_validate(existing.snapshot))
    return await started_case(session, settings, response, case_id, created)


async def _existing(session: AsyncSession, actor: Actor, key: str) -> CaseRecord | None:
    """The ticket an earlier intake of the same reference registered; None when this caller must (re)start it."""
    earlier = await cases_repo.find_start_request(session, f"start:{key}")
    if earlier is None:
        return None
    record = await cases_repo.get_case(session, earlier.case_id)
    if record is None or (record.version < 0 and earlier.actor_subject == actor.subject):
        return None  # registered but never started: the same caller's retry starts it
    if not can_see(actor, record):
        # Which ticket, and where, is not this caller's to know: the reference is simply taken.
        raise Conflict("this reference is already registered for a ticket outside your jurisdiction")
    return record


# ---------------------------------------------------------------------- the ledger


class TicketLine(BaseModel):
    """One line of the ledger (台账); the caller's contact is never part of it."""

    id: str
    channel: Labelled
    external_ref: str
    category: Labelled
    title: str
    street_id: str
    community_id: str
    estate_id: str
    company_id: str | None
    lead_unit: dict[str, str | None]
    status: Labelled
    step: Labelled
    card: Labelled
    overdue: bool
    returned: bool
    extension_days: int
    whistles: int
    unsatisfied: int
    supervised: bool
    closure: Labelled | None
    created_at: datetime
    accepted_at: datetime | None
    due_at: datetime | None
    replied_at: datetime | None
    closed_at: datetime | None


class TicketPage(BaseModel):
    total: int
    items: list[TicketLine]


def ticket_line(t: Ticket) -> TicketLine:
    return TicketLine(
        id=t.id, channel=Labelled(code=t.channel, label=CHANNEL_LABELS.get(t.channel, t.channel)), external_ref=t.external_ref,
        category=Labelled(code=t.category, label=t.category_label), title=t.title, street_id=t.street_id,
        community_id=t.community_id, estate_id=t.estate_id, company_id=t.company_id,
        lead_unit={"kind": t.lead_unit_kind, "kind_label": UNIT_KIND_LABELS.get(t.lead_unit_kind or "", None), "id": t.lead_unit_id, "name": t.lead_unit_name},
        status=Labelled(code=t.status, label=CASE_STATUS_LABELS.get(t.status, t.status)),
        step=Labelled(code=t.step, label=STEP_LABELS.get(t.step, t.step)),
        card=Labelled(code=t.card, label=CARD_LABELS[Card(t.card)]), overdue=t.overdue, returned=t.returned,
        extension_days=t.extension_days, whistles=t.whistles, unsatisfied=t.unsatisfied, supervised=t.supervised,
        closure=Labelled(code=t.closure, label=CLOSURE_LABELS.get(t.closure, t.closure)) if t.closure else None,
        created_at=t.created_at, accepted_at=t.accepted_at, due_at=t.due_at, replied_at=t.replied_at, closed_at=t.closed_at,
    )


def ledger_filter(
    street_id: str | None = None, community_id: str | None = None, estate_id: str | None = None,
    unit_id: Annotated[str | None, Query(description="a unit that handled the ticket (lead, co-handler, whistled)")] = None,
    category: str | None = None, status: CaseStatus | None = None, overdue: bool | None = None, card: Card | None = None,
    created_from: Annotated[CityDay | None, date_query("intake date (city time), from")] = None,
    created_to: Annotated[CityDay | None, date_query("intake date (city time), to, included")] = None,
) -> ticket_repo.LedgerFilter:
    return ticket_repo.LedgerFilter(
        street_id=street_id, community_id=community_id, estate_id=estate_id, unit_id=unit_id, category=category,
        status=status.value if status else None, overdue=overdue, card=card.value if card else None,
        created_from=created_from, created_to=created_to,
    )


LedgerFilterDep = Annotated[ticket_repo.LedgerFilter, Depends(ledger_filter)]


@router.get("", response_model=TicketPage, summary="The ledger (台账): tickets in your jurisdiction, filtered")
async def ledger(
    session: SessionDep, actor: TicketWorkerDep, flt: LedgerFilterDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50, offset: Offset = 0,
) -> TicketPage:
    total, rows = await ticket_repo.ledger(session, actor, flt, limit=limit, offset=offset)
    return TicketPage(total=total, items=[ticket_line(t) for t in rows])


CSV_COLUMNS: list[tuple[str, str]] = [
    ("id", "工单编号"), ("channel", "来源渠道"), ("external_ref", "来源编号"), ("category", "类别"), ("title", "标题"),
    ("street_id", "镇街"), ("community_id", "社区"), ("estate_id", "小区"), ("lead_unit", "承办单位"),
    ("status", "状态"), ("step", "环节"), ("card", "预警"), ("overdue", "是否超期"), ("returned", "是否退回"),
    ("extension_days", "延期工作日"), ("whistles", "吹哨次数"), ("unsatisfied", "不满意次数"), ("supervised", "是否督办"),
    ("closure", "销号方式"), ("created_at", "受理时间"), ("due_at", "办理时限"), ("closed_at", "销号时间"),
]


def _csv_row(line: TicketLine) -> list[str]:
    values = {
        **line.model_dump(mode="json"), "channel": line.channel.label, "category": line.category.label,
        "lead_unit": line.lead_unit.get("name") or "", "status": line.status.label, "step": line.step.label,
        "card": line.card.label, "closure": line.closure.label if line.closure else "",
        "overdue": "是" if line.overdue else "否", "returned": "是" if line.returned else "否",
        "supervised": "是" if line.supervised else "否",
    }
    return [csv_cell(values[c]) for c, _ in CSV_COLUMNS]


# A spreadsheet runs a cell starting with one of these as a formula (CSV injection): a reference
# such as "=HYPERLINK(…)" taken in from a caller would run on the clerk's machine.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str:
    """A value as a CSV cell a spreadsheet shows as text: a leading formula character gets a quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


@router.get(
    "/export.csv", summary="The ledger as CSV (UTF-8 with BOM, Chinese headers), same filters", dependencies=[Depends(rate_limited("export"))],
    response_class=StreamingResponse, responses={200: {"content": {"text/csv": {}}}},
)
async def export_csv(session: SessionDep, actor: TicketWorkerDep, flt: LedgerFilterDep) -> StreamingResponse:
    _, rows = await ticket_repo.ledger(session, actor, flt, limit=EXPORT_LIMIT, offset=0)
    out = io.StringIO()
    out.write("\ufeff")  # so spreadsheet programs read the Chinese headers as UTF-8
    writer = csv.writer(out)
    writer.writerow([label for _, label in CSV_COLUMNS])
    for t in rows:
        writer.writerow(_csv_row(ticket_line(t)))
    headers = {"Content-Disposition": 'attachment; filename="tickets.csv"'}
    return StreamingResponse(iter([out.getvalue()]), media_type="text/csv; charset=utf-8", headers=headers)


# ---------------------------------------------------------------------- contact and whistle


class ContactRead(BaseModel):
    ticket_id: str
    channel: Labelled
    name: str
    phone: str


@router.get("/{ticket_id}/contact", response_model=ContactRead, summary="The caller's contact (personal data; the centre and the lead unit only)")
async def contact(ticket_id: str, session: SessionDep, actor: ActorDep) -> ContactRead:
    # A ticket the caller may not read answers as an unknown one.
    record = await load_visible_case(session, actor, ticket_id, snapshot=False)
    t = await ticket_repo.get_ticket(session, ticket_id) if record.kind == PROCESS_KIND else None
    if t is None:
        raise NotFound(f"no ticket {ticket_id}")
    if not may_read_contact(actor, t):
        raise Forbidden("only the hotline centre and the lead unit (never the company complained about) may read the caller's contact")
    c = await ticket_repo.contact_of(session, t)
    if c is None:
        raise NotFound("no contact was recorded for this ticket")
    log.info("caller contact read", ticket_id=ticket_id)
    return ContactRead(ticket_id=t.id, channel=Labelled(code=t.channel, label=CHANNEL_LABELS[Channel(t.channel)]), name=c.name, phone=c.phone)


@router.post("/{ticket_id}/whistle", response_model=CaseRead, summary="社区吹哨: the community summons a department, which must report in time")
async def whistle(ticket_id: str, body: WhistleCreate, call: CaseCallDep) -> CaseRead:
    def is_ticket(record: CaseRecord) -> None:
        if record.kind != PROCESS_KIND:
            raise Conflict("only a ticket can be whistled")

    payload = WhistleInput(department_id=body.department_id, reason=body.reason, actor=call.actor)
    return await call.update(ticket_id, "whistle", payload, {"decision": "whistle", "step": "whistle", "data": body.model_dump()}, check=is_ticket)
