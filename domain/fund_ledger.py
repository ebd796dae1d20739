"""Fund-ledger rules: shares per household, shortfalls, and when a top-up falls due."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from pydantic import BaseModel, Field, computed_field

from domain.apportionment import apportion_by_area
from domain.calendar import CITY_TZ, WorkingCalendar, party_deadline, period_end
from domain.rules import FUND_EMERGENCY, FundEmergencyRules


class Shortfall(BaseModel):
    """A household whose balance cannot cover its share; the payment waits for its top-up."""

    household_id: str
    share_fen: int
    balance_fen: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def missing_fen(self) -> int:
        """What the household must top up (续交) before the payment can go through."""
        return self.share_fen - self.balance_fen


class PaymentOutcome(BaseModel):
    """The result of one payment attempt: paid in full, or blocked by shortfalls with nothing written."""

    key: str
    paid: bool
    amount_fen: int
    households: int
    shortfalls: list[Shortfall] = Field(default_factory=list)
    top_ups_due: list[str] = Field(default_factory=list)


def shares_for(total_fen: int, areas: dict[str, int]) -> dict[str, int]:
    """Each household's share of a cost, by exclusive area (潍坊 Art. 67)."""
    return apportion_by_area(total_fen, areas)


def balance_shares(settled: dict[str, int], already_paid: dict[str, int]) -> dict[str, int]:
    """What each household still owes once the settlement is known (negative: a refund).

    A household that paid a first share but has none in the settlement is refunded all of it: the case
    debits the settlement in all, to the fen, whoever the registry counts in its scope by then.
    """
    return {h: settled.get(h, 0) - already_paid.get(h, 0) for h in sorted(settled.keys() | already_paid.keys())}


def find_shortfalls(shares: dict[str, int], balances: dict[str, int]) -> list[Shortfall]:
    """Households whose balance is below their (positive) share, in id order."""
    return [
        Shortfall(household_id=h, share_fen=s, balance_fen=balances.get(h, 0))
        for h, s in sorted(shares.items())
        if s > 0 and balances.get(h, 0) < s
    ]


def top_up_due(balance_fen: int, initial_deposit_fen: int, rules: FundEmergencyRules = FUND_EMERGENCY) -> bool:
    """续交 falls due when the balance is below the threshold share of the first deposit (潍坊 Art. 66)."""
    return balance_fen * 100 < initial_deposit_fen * rules.top_up_threshold_percent


def top_up_deadline(noticed_on: date, period: timedelta, *, calendar: WorkingCalendar | None = None) -> datetime:
    """When an owner must have topped up: ``period`` from the day the top-up notice was received.

    潍坊 Art. 66 para. 2 (= 淄博 Art. 64): 业主应当自收到续交通知之日起三十日内 … 存入专项维修资金专用账户.
    The days start the day after the notice (民法典 Art. 201) and end at 24:00 city time of the last
    (Art. 203 para. 2); the owner must act by then, so a last day that is a rest day moves to 24:00 of
    the next working day (Art. 203 para. 1). Neither the debit's instant nor the notice's hour counts.
    """
    return party_deadline(period_end(datetime.combine(noticed_on, time(12), tzinfo=CITY_TZ), period), calendar=calendar)
