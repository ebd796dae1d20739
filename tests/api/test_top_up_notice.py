"""续交通知: a top-up is due 30 days from the day the owner received the committee's notice (潍坊 Art. 66),
not from the debit that left the account short, and to 24:00 of the last day, off a rest day."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from db.models import FundAccount
from db.repositories import fund as fund_repo
from db.repositories import holiday_calendar as calendar_repo
from domain.calendar import CITY_TZ, WorkingCalendar
from domain.rules import FUND_EMERGENCY
from tests.factories import Cast, create_test_estate
from tests.factories_election import owner_of
from tests.fixture_types import AsyncClient, Sessions, Settings


async def leave_short(sessions: Sessions, cast: Cast, household_id: str, *, period_days: int = 30) -> None:
    """A payment under a case's rules leaves ``household_id`` one fen below 30% of its first deposit."""
    async with sessions() as s:
        acc = await s.get(FundAccount, household_id)
        assert acc is not None
        share = acc.balance_fen - (acc.initial_deposit_fen * 30 // 100 - 1)
    rules = FUND_EMERGENCY.model_copy(update={"top_up_period": timedelta(days=period_days)})
    async with sessions() as s, s.begin():
        outcome = await fund_repo.pay(s, key=f"c-{uuid.uuid4().hex[:6]}:first", case_id="c", kind="first", payee=None,
                                      shares={household_id: share}, at=datetime.now(UTC), rules=rules)
    assert outcome.paid and outcome.top_ups_due == [household_id]


def a_past_day_whose_30th_day_is(cal: WorkingCalendar, *, working: bool, weekday: int | None = None) -> date:
    """A day before today (city time) whose 30th day after is a working day (or a rest day of ``weekday``)."""
    today = datetime.now(UTC).astimezone(CITY_TZ).date()
    for k in range(1, 400):
        d = today - timedelta(days=k)
        last = d + timedelta(days=30)
        if cal.is_working_day(last) == working and (weekday is None or last.weekday() == weekday):
            return d
    raise AssertionError("no such day in the last year")


async def test_the_debit_starts_nothing_the_notice_starts_the_30_days(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings, buildings=1, units=1, floors=1, rooms=2)
    short = cast.households[0]
    await leave_short(sessions, cast, short)
    async with sessions() as s:
        acc = await s.get(FundAccount, short)
        cal = await calendar_repo.calendar(s)
    assert acc is not None and acc.top_up_due_at is None and acc.top_up_period_days == 30  # owing, the period not yet begun
    noticed = a_past_day_whose_30th_day_is(cal, working=True)
    r = await api.post(f"/households/{short}/fund/top-up-notice", json={"noticed_on": noticed.isoformat(), "reference": "业委会书面通知"},
                       headers=cast.headers("committee"))
    assert r.status_code == 201, r.text
    due = datetime.fromisoformat(r.json()["top_up_due_at"])
    # 24:00 city time of the 30th day after the notice day: its 23:59:59 is in time, a second later is not.
    assert due == datetime.combine(noticed + timedelta(days=31), datetime.min.time(), tzinfo=CITY_TZ)
    assert r.json()["period_days"] == 30
    # The same notice again answers the same; another day is a conflict (the period runs from the first).
    again = await api.post(f"/households/{short}/fund/top-up-notice", json={"noticed_on": noticed.isoformat(), "reference": "重复"},
                           headers=cast.headers("committee"))
    assert again.status_code == 201 and again.json()["top_up_due_at"] == r.json()["top_up_due_at"]
    other = await api.post(f"/households/{short}/fund/top-up-notice", json={"noticed_on": (noticed + timedelta(days=1)).isoformat(), "reference": "x"},
                           headers=cast.headers("committee"))
    assert other.status_code == 409 and other.headers["content-type"] == "application/problem+json"
    # The owner reads the due instant on their ledger.
    account = (await api.get(f"/households/{short}/fund", headers=cast.headers(owner_of(cast, short)))).json()
    assert datetime.fromisoformat(account["top_up_due_at"]) == due


async def test_a_30th_day_on_a_rest_day_moves_to_the_end_of_the_next_working_day(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings, buildings=1, units=1, floors=1, rooms=2)
    short = cast.households[0]
    await leave_short(sessions, cast, short)
    async with sessions() as s:
        cal = await calendar_repo.calendar(s)
    noticed = a_past_day_whose_30th_day_is(cal, working=False, weekday=5)  # a Saturday
    r = await api.post(f"/households/{short}/fund/top-up-notice", json={"noticed_on": noticed.isoformat(), "reference": "书面通知"},
                       headers=cast.headers("committee"))
    assert r.status_code == 201, r.text
    last = noticed + timedelta(days=30)
    next_working = cal.next_working_day(last)
    assert next_working > last
    assert datetime.fromisoformat(r.json()["top_up_due_at"]) == datetime.combine(next_working + timedelta(days=1), datetime.min.time(), tzinfo=CITY_TZ)


async def test_the_period_is_the_one_the_paying_case_carried(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings, buildings=1, units=1, floors=1, rooms=2)
    short = cast.households[0]
    await leave_short(sessions, cast, short, period_days=20)
    noticed = datetime.now(UTC).astimezone(CITY_TZ).date() - timedelta(days=3)
    r = await api.post(f"/households/{short}/fund/top-up-notice", json={"noticed_on": noticed.isoformat(), "reference": "书面通知"},
                       headers=cast.headers("committee"))
    assert r.status_code == 201 and r.json()["period_days"] == 20
    assert datetime.fromisoformat(r.json()["top_up_due_at"]) >= datetime.combine(noticed + timedelta(days=21), datetime.min.time(), tzinfo=CITY_TZ)
    assert datetime.fromisoformat(r.json()["top_up_due_at"]) < datetime.combine(noticed + timedelta(days=31), datetime.min.time(), tzinfo=CITY_TZ)


async def test_who_gives_the_notice_and_which_accounts_owe_one(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings, buildings=1, units=1, floors=1, rooms=2)
    short, full = cast.households
    await leave_short(sessions, cast, short)
    today = datetime.now(UTC).astimezone(CITY_TZ).date()
    body = {"noticed_on": today.isoformat(), "reference": "书面通知"}
    for who in ("owner", "bureau", "community", "company"):
        r = await api.post(f"/households/{short}/fund/top-up-notice", json=body, headers=cast.headers(owner_of(cast, short) if who == "owner" else who))
        assert r.status_code == 403, who
    r = await api.post(f"/households/{full}/fund/top-up-notice", json=body, headers=cast.headers("committee"))
    assert r.status_code == 409 and "owes no top-up" in r.json()["detail"]
    r = await api.post(f"/households/{short}/fund/top-up-notice", json={**body, "noticed_on": (today + timedelta(days=1)).isoformat()},
                       headers=cast.headers("committee"))
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "noticed_on"]
    # Topped up above the threshold: nothing is owed any more, the notice and its due instant are gone.
    await api.post(f"/households/{short}/fund/top-up-notice", json=body, headers=cast.headers("committee"))
    r = await api.post(f"/households/{short}/fund/deposits", json={"amount_fen": 10_000_000, "reason": "续交"},
                       headers=cast.headers("bureau", key=uuid.uuid4().hex))
    assert r.status_code == 201
    async with sessions() as s:
        acc = (await s.scalars(select(FundAccount).where(FundAccount.household_id == short))).one()
    assert (acc.top_up_due_at, acc.top_up_noticed_on, acc.top_up_period_days) == (None, None, None)


async def test_without_a_committee_the_residents_committee_gives_the_notice(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings, committee=False, buildings=1, units=1, floors=1, rooms=2)
    short = cast.households[0]
    await leave_short(sessions, cast, short)
    body = {"noticed_on": datetime.now(UTC).astimezone(CITY_TZ).date().isoformat(), "reference": "居委会书面通知"}
    r = await api.post(f"/households/{short}/fund/top-up-notice", json=body, headers=cast.headers("community"))
    assert r.status_code == 201, r.text
