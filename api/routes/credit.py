"""物业企业信用: the published quarters (public), a company's own file, records, assessments and objections."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, status
from pydantic import BaseModel, Field
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from api.case_service import send_update
from api.deps import ActorDep, CaseCallDep, ClientDep, RequiredIdempotencyKey, SessionDep, SettingsDep, require_roles
from api.errors import Conflict, Forbidden, Invalid, NotFound
from api.limits import RowId
from api.routes.complaints_report import router as complaints_report_router
from api.routes.credit_file import credit_audit_event, reads_credit_file
from api.routes.credit_file import router as file_router
from api.routes.credit_report import router as report_router
from api.routes.credit_view import (
    CompanyFileRead,
    PublishedQuarterRead,
    RecordRead,
    company_file,
    published_quarter,
    record_read,
)
from api.routes.fund_report import router as fund_report_router
from api.schemas import CaseRead
from core.registry import REGISTRY
from db.errors import NotFound as RowNotFound
from db.repositories import audit as audit_repo
from db.repositories import cases as cases_repo
from db.repositories import credit as credit_repo
from domain.access import Actor, Level, Role
from domain.cases import CaseStatus
from domain.credit import CreditEntry, Quarter, UnknownRecordType, record_type
from domain.credit_facts import PROCESS_KIND, AdjustGrade, ObjectionCreate
from domain.credit_timeline import credit_file_chain
from domain.rules import CreditRules
from workflows.credit import CreditAssessmentWorkflow, assessment_case_id
from workflows.credit_models import AdjustInput, CreditAssessmentInput, CreditQuarterResult, ObjectionInput

credit_router = APIRouter(prefix="/credit", tags=["credit 物业企业信用"])

CreditBureauDep = Annotated[Actor, Depends(require_roles(
    Role.HOUSING_BUREAU, levels=(Level.CITY,), detail="信用记录和季度考评由住建局办理"))]
CompanyDep = Annotated[Actor, Depends(require_roles(
    Role.PROPERTY_COMPANY, levels=(Level.COMPANY,), detail="只有记录所涉物业服务企业可以提出异议"))]
QuarterPath = Annotated[str, Path(min_length=6, max_length=6, examples=["2026Q3"], description="季度，如 2026Q3")]

# Record types the bureau enters by hand; the others come from the processes that cause them (a withdrawal
# after award from the tender's contract step, once per tender and company).
BUREAU_TYPES = ("award", "commendation", "supervision_refused", "serious_dishonesty", "monthly_check_unrectified")


def quarter_of(text: str) -> Quarter:
    try:
        return Quarter.parse(text)
    except ValueError:
        raise Invalid("季度格式应为 2026Q3", errors=[{"loc": ["path", "quarter"], "msg": "季度格式应为 2026Q3", "type": "value_error"}]) from None


@credit_router.get("/published", response_model=list[str], summary="Published quarters, newest first (public)")
async def published_quarters(session: SessionDep) -> list[str]:
    return await credit_repo.published_quarters(session)


@credit_router.get("/published/{quarter}", response_model=PublishedQuarterRead,
            summary="A quarter's published grades: company, grade, score, bad records in force (public, no personal data)")
async def published(quarter: QuarterPath, session: SessionDep) -> PublishedQuarterRead:
    found = await published_quarter(session, str(quarter_of(quarter)))
    if found is None:
        raise NotFound(f"{quarter} 的信用考评结果尚未公布")
    return found


@credit_router.get("/companies/{company_id}/file", response_model=CompanyFileRead,
            summary="A company's credit file: every record with its status, its current standing, its quarters")
async def file_of(company_id: str, session: SessionDep, actor: ActorDep) -> CompanyFileRead:
    if not reads_credit_file(actor, company_id):
        raise Forbidden("信用档案仅向企业本身、住建局和审计开放")
    found = await company_file(session, company_id, datetime.now(UTC))
    if found is None:
        raise NotFound(f"no property company {company_id}")
    return found


class RecordCreate(BaseModel):
    """A record the housing bureau enters: an award, a commendation, a confirmed refusal of supervision, serious dishonesty."""

    company_id: str = Field(min_length=1, max_length=64)
    type: str = Field(min_length=1, max_length=48, examples=["award"])
    reason: str = Field(min_length=2, max_length=2000)
    evidence: str | None = Field(default=None, max_length=2000, description="证据（文书编号、材料）")
    case_id: str | None = Field(default=None, max_length=128)
    conduct_ended: datetime | None = Field(default=None, description="失信行为终止日（第38条：披露期自此起算）")


@credit_router.post("/records", response_model=RecordRead, status_code=status.HTTP_201_CREATED,
             summary="The housing bureau enters a credit record (once per Idempotency-Key)")
async def enter_record(body: RecordCreate, session: SessionDep, actor: CreditBureauDep, idempotency_key: RequiredIdempotencyKey) -> RecordRead:
    if body.type not in BUREAU_TYPES:
        raise Invalid(f"住建局可录入的记录类型：{', '.join(BUREAU_TYPES)}",
                      errors=[{"loc": ["body", "type"], "msg": "不可手工录入的记录类型", "type": "value_error"}])
    if body.conduct_ended is not None and body.conduct_ended.tzinfo is None:
        raise Invalid("conduct_ended 需带时区", errors=[{"loc": ["body", "conduct_ended"], "msg": "需带时区", "type": "value_error"}])
    try:
        record_type(body.type)
    except UnknownRecordType as exc:
        raise Invalid(str(exc)) from None
    record = await credit_repo.record_credit(session, CreditEntry(
        key=f"bureau:{idempotency_key}", company_id=body.company_id, type=body.type, reason=body.reason, evidence=body.evidence,
        case_id=body.case_id, recorded_by=actor.subject, at=datetime.now(UTC), conduct_ended=body.conduct_ended,
    ))
    # On the company's credit chain in the audit log (a retry appends nothing: the key is the record's).
    await audit_repo.append_events(session, credit_file_chain(body.company_id), [credit_audit_event(
        f"credit-record:{record.id}", actor, "credit_record", body.reason,
        {"record_id": record.id, "company_id": body.company_id, "type": body.type, "points": record.points, "case_id": body.case_id})])
    return record_read(credit_repo.view(record), datetime.now(UTC))


class AssessmentStart(BaseModel):
    # The quarter under way is assessed as it stands now (what the demo runs); a past one at its end.
    quarter: str = Field(min_length=6, max_length=6, examples=["2026Q3"])


@credit_router.post("/assessments", response_model=CreditQuarterResult, summary="The bureau starts a quarter's assessment now (once per quarter)")
async def start_assessment(body: AssessmentStart, actor: CreditBureauDep, client: ClientDep, settings: SettingsDep) -> CreditQuarterResult:
    quarter = quarter_of(body.quarter)
    rules = REGISTRY[PROCESS_KIND].rules_for(settings.demo_periods)
    assert isinstance(rules, CreditRules)
    # Started directly (the schedule's run starts it as a child): the case id is the quarter's, so a
    # quarter already started, by hand or by the schedule, answers started: false.
    case_id = assessment_case_id(str(quarter))
    try:
        await client.start_workflow(
            CreditAssessmentWorkflow.run, CreditAssessmentInput(quarter=str(quarter), initiator=actor, rules=rules),
            id=case_id, task_queue=settings.task_queue, id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
        )
    except WorkflowAlreadyStartedError:
        return CreditQuarterResult(quarter=str(quarter), case_id=case_id, started=False)
    return CreditQuarterResult(quarter=str(quarter), case_id=case_id, started=True)


@credit_router.post("/assessments/{quarter}/adjustments", response_model=CaseRead,
             summary="The bureau adjusts one draft grade during its review, with a written reason")
async def adjust_grade(quarter: QuarterPath, body: AdjustGrade, call: CaseCallDep, _bureau: CreditBureauDep) -> CaseRead:
    case_id = assessment_case_id(str(quarter_of(quarter)))
    return await call.update(case_id, "adjust", AdjustInput(data=body, actor=call.actor),
                             {"decision": "adjust", "step": "bureau_review", "company_id": body.company_id})


class ObjectionAccepted(BaseModel):
    case_id: str
    record_id: int
    status: str
    step: str


@credit_router.post("/records/{record_id}/objections", response_model=ObjectionAccepted, status_code=status.HTTP_202_ACCEPTED,
             summary="A company objects to one of its records (山东社会信用条例 Art. 39)")
async def object_to_record(
    record_id: RowId, body: ObjectionCreate, request_session: SessionDep, actor: CompanyDep, client: ClientDep,
    call: CaseCallDep,
) -> ObjectionAccepted:
    try:
        record = credit_repo.view(await credit_repo.get_record(request_session, record_id))
    except RowNotFound:
        raise NotFound(f"no credit record {record_id}") from None
    if record.company_id != actor.jurisdiction.id:
        raise NotFound(f"no credit record {record_id}")  # another company's record: not probed
    if not record.in_force(datetime.now(UTC)):
        raise Conflict(f"记录 {record_id} 已{'撤销' if record.revoked_at else '过期'}，不受理异议")
    case_id = await _open_quarter(request_session)
    if case_id is None:
        raise Conflict("目前没有受理异议的已公布季度")
    payload = ObjectionInput(record_id=record_id, company_id=record.company_id, recording_role=Role(record.recording_role),
                             joint=record.joint, text=body.text, actor=actor)
    await request_session.close()
    snap = await send_update(client=client, sessions=call.request.app.state.sessions, case_id=case_id, update="object", payload=payload,
                             actor=actor, key=call.key, wait=call.settings.update_wait_seconds, audit_context={"decision": "object", "record_id": record_id})
    return ObjectionAccepted(case_id=case_id, record_id=record_id, status=snap.status.value, step=snap.step)


async def _open_quarter(session: SessionDep) -> str | None:
    """The newest published quarter whose case still takes objections."""
    for quarter in await credit_repo.published_quarters(session):
        case = await cases_repo.get_case(session, assessment_case_id(quarter), snapshot=False)
        if case is not None and case.status == CaseStatus.ACTIVE.value:
            return case.id
    return None


# The process's router (its spec names it): the credit routes, the credit overview, the fund's
# approval time and the complaints year to date (the reports the policy's targets need, issue 15).
router = APIRouter()
router.include_router(credit_router)
router.include_router(file_router)
router.include_router(report_router)
router.include_router(fund_report_router)
router.include_router(complaints_report_router)
