"""The fund ledger: balances, idempotent payments, deposits. Nothing here is ever half-written."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.errors import ConflictingWrite, NotFound, integrity_as
from db.models import Building, FundAccount, FundNoticeShare, FundPayment, Household, LedgerEntry, Unit
from db.session import dialect_name
from domain.apportionment import area_to_hundredths
from domain.calendar import WorkingCalendar
from domain.fund_ledger import PaymentOutcome, find_shortfalls, top_up_deadline, top_up_due
from domain.rules import FUND_EMERGENCY, FundEmergencyRules


async def household_areas(session: AsyncSession, estate_id: str, scope: str, scope_id: str | None) -> dict[str, int]:
    """Exclusive areas (hundredths of m²) of the households that benefit: the estate, a building or a unit."""
    stmt = select(Household.id, Household.area_m2).where(Household.estate_id == estate_id)
    if scope == "building":
        stmt = stmt.join(Unit, Unit.id == Household.unit_id).where(Unit.building_id == scope_id)
    elif scope == "unit":
        stmt = stmt.where(Household.unit_id == scope_id)
    rows = (await session.execute(stmt)).all()
    return {hid: area_to_hundredths(area) for hid, area in rows}


async def scope_exists(session: AsyncSession, estate_id: str, scope: str, scope_id: str | None) -> bool:
    """Whether the building or unit belongs to the estate."""
    if scope == "estate":
        return True
    if scope == "building":
        b = await session.get(Building, scope_id)
        return b is not None and b.estate_id == estate_id
    stmt = select(Building.estate_id).join(Unit, Unit.building_id == Building.id).where(Unit.id == scope_id)
    return (await session.scalar(stmt)) == estate_id


async def paid_shares(session: AsyncSession, key: str) -> dict[str, int]:
    """What each household paid under a payment key (positive fen)."""
    rows = await session.execute(select(LedgerEntry.household_id, LedgerEntry.amount_fen).where(LedgerEntry.payment_key == key))
    return {h: -amount for h, amount in rows.all()}


# Built once (an executemany each): a payment touches every household of a building or estate.
_ACCOUNTS = cast(Table, FundAccount.__table__)
_DEBIT = update(_ACCOUNTS).where(_ACCOUNTS.c.household_id == bindparam("hid")).values(
    balance_fen=bindparam("balance_fen"), updated_at=bindparam("updated_at"), top_up_period_days=bindparam("top_up_period_days"),
)
_LEDGER_ADD = insert(cast(Table, LedgerEntry.__table__))


async def _accounts_for_payment(session: AsyncSession, households: list[str]) -> dict[str, Any]:
    """The accounts a payment debits, locked on PostgreSQL until the payment commits.

    Columns, not ORM objects, and one statement per kind of write: a payment touches every
    household of a building or an estate, and this sits on the approving decision's path.
    """
    stmt = select(
        FundAccount.household_id, FundAccount.balance_fen, FundAccount.initial_deposit_fen, FundAccount.top_up_period_days,
        FundAccount.top_up_due_at,
    ).where(FundAccount.household_id.in_(households))
    if dialect_name(session) == "postgresql":
        stmt = stmt.with_for_update()
    return {row.household_id: row for row in (await session.execute(stmt)).all()}


async def pay(
    session: AsyncSession, *, key: str, case_id: str, kind: str, payee: str | None, shares: dict[str, int], at: datetime,
    rules: FundEmergencyRules,
) -> PaymentOutcome:
    """Debit every share (credit negative ones) in one go, or nothing at all if any balance is short.

    The payment key is unique: a retried activity finds its payment and does not debit twice. An
    account falling below the threshold owes a top-up within the period of the rules the case carries
    (潍坊 Art. 66), not today's; the period starts with the committee's top-up notice (``notify_top_up``).
    """
    total = sum(shares.values())
    done = await session.get(FundPayment, key)
    if done is not None:
        return PaymentOutcome(key=key, paid=True, amount_fen=done.amount_fen, households=done.households)
    accounts = await _accounts_for_payment(session, list(shares))
    balances = {h: accounts[h].balance_fen if h in accounts else 0 for h in shares}
    shortfalls = find_shortfalls(shares, balances)
    if shortfalls:
        return PaymentOutcome(key=key, paid=False, amount_fen=total, households=len(shares), shortfalls=shortfalls)
    due: list[str] = []
    updates: list[dict[str, object]] = []
    entries: list[dict[str, object]] = []
    for household_id, share in sorted(shares.items()):
        if share == 0:
            continue
        acc = accounts[household_id]
        balance = acc.balance_fen - share
        period_days = acc.top_up_period_days
        if top_up_due(balance, acc.initial_deposit_fen, rules) and period_days is None and acc.top_up_due_at is None:
            period_days = rules.top_up_period.days
            due.append(household_id)
        updates.append({"hid": household_id, "balance_fen": balance, "updated_at": at, "top_up_period_days": period_days})
        entries.append({
            "household_id": household_id, "at": at, "kind": "debit" if share > 0 else "refund", "amount_fen": -share,
            "balance_after_fen": balance, "case_id": case_id, "payment_key": key, "memo": f"{kind} payment {case_id}",
        })
    if updates:
        await session.execute(_DEBIT, updates)
        await session.execute(_LEDGER_ADD, entries)
    session.add(FundPayment(key=key, case_id=case_id, kind=kind, amount_fen=total, payee=payee, households=len(shares), at=at))
    # A concurrent attempt of the same payment committed first: this one fails whole, its retry finds the payment.
    with integrity_as(exists=f"payment {key} was made meanwhile; nothing was debited twice"):
        await session.flush()
    return PaymentOutcome(key=key, paid=True, amount_fen=total, households=len(shares), top_ups_due=due)


async def deposit_of_key(session: AsyncSession, key: str) -> LedgerEntry | None:
    """The deposit recorded under ``key`` (``deposit``'s), if any."""
    return await session.scalar(select(LedgerEntry).where(LedgerEntry.payment_key == key, LedgerEntry.kind == "deposit").limit(1))


async def deposit(
    session: AsyncSession, *, household_id: str, amount_fen: int, at: datetime, memo: str | None,
    recorded_by: str | None = None, key: str | None = None,
) -> LedgerEntry:
    """A deposit or top-up (续交) into a household's account, by ``recorded_by`` under the request's ``key``."""
    stmt = select(FundAccount).where(FundAccount.household_id == household_id).execution_options(populate_existing=True)
    if dialect_name(session) == "postgresql":
        stmt = stmt.with_for_update()  # two deposits at once must both count, not overwrite each other's balance
    account = await session.scalar(stmt)
    if account is None:
        account = FundAccount(household_id=household_id, balance_fen=0, initial_deposit_fen=amount_fen, updated_at=at)
        session.add(account)
    account.balance_fen += amount_fen
    account.updated_at = at
    if not top_up_due(account.balance_fen, account.initial_deposit_fen):
        account.top_up_due_at = account.top_up_noticed_on = account.top_up_period_days = None
    entry = LedgerEntry(
        household_id=household_id, at=at, kind="deposit", amount_fen=amount_fen,
        balance_after_fen=account.balance_fen, memo=memo, recorded_by=recorded_by, payment_key=key,
    )
    session.add(entry)
    with integrity_as(exists=f"the fund account of {household_id} was opened, or this deposit recorded, meanwhile; send it again",
                      missing=f"no household {household_id}"):
        await session.flush()
    return entry


async def notify_top_up(session: AsyncSession, *, household_id: str, noticed_on: date, calendar: WorkingCalendar) -> FundAccount:
    """The committee's top-up notice (续交通知) reached the owner on ``noticed_on``: the top-up is due within the
    period the payment recorded (潍坊 Art. 66 para. 2), counted by ``top_up_deadline``.

    ``ConflictingWrite`` when the account owes no top-up, or a notice on another day already started it.
    """
    stmt = select(FundAccount).where(FundAccount.household_id == household_id).execution_options(populate_existing=True)
    if dialect_name(session) == "postgresql":
        stmt = stmt.with_for_update()
    account = await session.scalar(stmt)
    if account is None:
        raise NotFound(f"household {household_id} has no fund account")
    if account.top_up_noticed_on is not None:
        if account.top_up_noticed_on != noticed_on:
            raise ConflictingWrite(f"the top-up notice was received on {account.top_up_noticed_on.isoformat()}; its period runs from then")
        return account
    if account.top_up_period_days is None:
        if account.top_up_due_at is None or not top_up_due(account.balance_fen, account.initial_deposit_fen):
            raise ConflictingWrite(f"the fund account of {household_id} owes no top-up")
        # Owing since before the notice started the period: today's rules give it.
        account.top_up_period_days = FUND_EMERGENCY.top_up_period.days
    account.top_up_noticed_on = noticed_on
    account.top_up_due_at = top_up_deadline(noticed_on, timedelta(days=account.top_up_period_days), calendar=calendar)
    await session.flush()
    return account


async def freeze_notice_shares(session: AsyncSession, *, case_id: str, notice_no: int, shares: dict[str, int]) -> int:
    """Keep the shares a public notice publishes; a retried activity finds them and writes nothing twice."""
    stored = await notice_shares(session, case_id=case_id, notice_no=notice_no)
    if stored:
        return len(stored)
    rows = [{"case_id": case_id, "notice_no": notice_no, "household_id": h, "share_fen": s} for h, s in sorted(shares.items())]
    if rows:
        await session.execute(insert(cast(Table, FundNoticeShare.__table__)), rows)
    with integrity_as(exists=f"the shares of notice {notice_no} of {case_id} were stored meanwhile"):
        await session.flush()
    return len(rows)


async def notice_shares(session: AsyncSession, *, case_id: str, notice_no: int) -> dict[str, int]:
    """The shares a public notice published, by household (empty if it published none)."""
    rows = await session.execute(
        select(FundNoticeShare.household_id, FundNoticeShare.share_fen)
        .where(FundNoticeShare.case_id == case_id, FundNoticeShare.notice_no == notice_no)
        .order_by(FundNoticeShare.household_id)
    )
    return {row.household_id: row.share_fen for row in rows.all()}


async def account(session: AsyncSession, household_id: str) -> FundAccount | None:
    return await session.get(FundAccount, household_id)


async def ledger(session: AsyncSession, household_id: str, limit: int = 200) -> list[LedgerEntry]:
    rows = await session.scalars(
        select(LedgerEntry).where(LedgerEntry.household_id == household_id).order_by(LedgerEntry.id).limit(limit)
    )
    return list(rows.all())


async def case_ledger(session: AsyncSession, case_id: str) -> list[LedgerEntry]:
    rows = await session.scalars(select(LedgerEntry).where(LedgerEntry.case_id == case_id).order_by(LedgerEntry.id))
    return list(rows.all())
