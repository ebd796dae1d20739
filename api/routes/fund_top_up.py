"""续交通知: the committee tells an owner to top up the fund account; the owner's period starts the day it is received.

潍坊 Art. 66 para. 2 (= 淄博 Art. 64): the owners' committee (the residents' committee where there is
none) organises the top-up, and the owner pays within 30 days of receiving the notice. A payment that
leaves an account below the threshold records the period of the rules its case carries; this notice
starts it, counted by ``domain.fund_ledger.top_up_deadline`` (to 24:00 of the last day, off a rest day).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from fastapi import APIRouter, status
from pydantic import BaseModel, Field

from api.deps import ActorDep, SessionDep
from api.errors import Forbidden, Invalid, NotFound
from db.repositories import audit as audit_repo
from db.repositories import fund as fund_repo
from db.repositories import holiday_calendar as calendar_repo
from db.repositories import reference as reference_repo
from db.session import hold_write_gate
from domain.access import Scope
from domain.audit import AuditEvent, account_chain
from domain.calendar import CITY_TZ, last_day
from domain.read_access import issues_top_up_notice

router = APIRouter(tags=["reference"])


class TopUpNoticeCreate(BaseModel):
    """The day the owner received the top-up notice, and how it was given."""

    noticed_on: date = Field(examples=["2027-02-02"], description="the day the owner received the notice (city date)")
    reference: str = Field(min_length=1, max_length=200, examples=["锦绣华庭业委会续交通知〔2027〕1号，书面送达"])


class TopUpNoticeRead(BaseModel):
    household_id: str
    noticed_on: date
    period_days: int
    # 24:00 city time of the period's last day, or of the next working day when it is a rest day.
    top_up_due_at: datetime
    # False: the holiday calendar of the due date's year is not published; only the weekend was known.
    calendar_published: bool


@router.post("/households/{household_id}/fund/top-up-notice", response_model=TopUpNoticeRead, status_code=status.HTTP_201_CREATED,
             summary="Record the top-up notice (续交通知) an owner received: the top-up is due 30 days after (潍坊 Art. 66)")
async def notify_top_up(household_id: str, body: TopUpNoticeCreate, session: SessionDep, actor: ActorDep) -> TopUpNoticeRead:
    household = await reference_repo.household(session, household_id)
    if household is None:
        raise NotFound(f"no household {household_id}")
    estate = await reference_repo.estate(session, household.estate_id)
    assert estate is not None  # a household belongs to an estate
    scope = Scope(street_id=estate.street_id, community_id=estate.community_id, estate_id=estate.id)
    if not issues_top_up_notice(actor, scope, has_owners_committee=estate.has_owners_committee):
        raise Forbidden("the estate's owners' committee (the residents' committee where there is none) gives top-up notices (潍坊 Art. 66)")
    now = datetime.now(UTC)
    if body.noticed_on > now.astimezone(CITY_TZ).date():
        raise Invalid("a notice cannot have been received on a day still to come",
                      errors=[{"loc": ["body", "noticed_on"], "msg": "after today (city time)", "type": "value_error"}])
    await hold_write_gate(session)
    cal = await calendar_repo.calendar(session)
    account = await fund_repo.notify_top_up(session, household_id=household_id, noticed_on=body.noticed_on, calendar=cal)
    assert account.top_up_due_at is not None and account.top_up_period_days is not None and account.top_up_noticed_on is not None
    event = AuditEvent(
        key=f"top-up-notice:{household_id}:{account.top_up_noticed_on.isoformat()}", at=now, kind="top_up_notice",
        actor_subject=actor.subject, actor_name=actor.name, actor_role=",".join(r.value for r in actor.roles),
        actor_organisation=actor.organisation, decision="top_up_notice", comment=body.reference,
        data={"noticed_on": account.top_up_noticed_on.isoformat(), "top_up_due_at": account.top_up_due_at.isoformat()},
    )
    await audit_repo.append_events(session, account_chain(household_id), [event], maybe_stored=True)
    return TopUpNoticeRead(
        household_id=household_id, noticed_on=account.top_up_noticed_on, period_days=account.top_up_period_days,
        top_up_due_at=account.top_up_due_at, calendar_published=cal.is_published(last_day(account.top_up_due_at).year),
    )
