"""The ledger's decisions: who is short, what is owed after settlement, when a top-up falls due."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from domain.calendar import CITY_TZ, WorkingCalendar
from domain.fund_ledger import balance_shares, find_shortfalls, shares_for, top_up_deadline, top_up_due

balances_and_shares = st.dictionaries(
    st.text(alphabet="abcdefgh", min_size=1, max_size=3),
    st.tuples(st.integers(min_value=0, max_value=10**9), st.integers(min_value=0, max_value=10**9)),
    min_size=1, max_size=40,
)


@given(balances_and_shares)
def test_paying_when_nobody_is_short_never_goes_negative(accounts: dict[str, tuple[int, int]]) -> None:
    balances = {h: b for h, (b, _) in accounts.items()}
    shares = {h: s for h, (_, s) in accounts.items()}
    short = find_shortfalls(shares, balances)
    if not short:
        assert all(balances[h] - shares[h] >= 0 for h in shares)
    else:
        assert all(s.balance_fen < s.share_fen and s.missing_fen > 0 for s in short)
        assert {s.household_id for s in short} == {h for h in shares if balances[h] < shares[h]}


@given(
    st.dictionaries(st.text(alphabet="xyz", min_size=1, max_size=3), st.integers(min_value=1, max_value=20_000), min_size=1, max_size=30),
    st.integers(min_value=0, max_value=10**8), st.integers(min_value=0, max_value=100),
)
def test_first_and_final_payments_add_up_to_each_households_settled_share(areas: dict[str, int], settled: int, first_percent: int) -> None:
    first = settled * first_percent // 100
    paid = shares_for(first, areas)
    final = balance_shares(shares_for(settled, areas), paid)
    assert sum(final.values()) == settled - first
    assert all(paid[h] + final[h] == shares_for(settled, areas)[h] for h in areas)


def test_top_up_threshold_is_thirty_percent_of_the_first_deposit() -> None:
    assert top_up_due(2_999, 10_000)
    assert not top_up_due(3_000, 10_000)


def test_a_top_up_is_due_by_2400_of_the_30th_day_after_the_notice_day() -> None:
    """潍坊 Art. 66 para. 2: 自收到续交通知之日起三十日内 — counted from the day after the notice (民法典 Art. 201)
    to 24:00 of the 30th day (Art. 203 para. 2), whatever the hour of the debit or of the notice."""
    cal = WorkingCalendar(published_years=[2027])
    # Notice received on Tuesday 2 February 2027: day 30 is Thursday 4 March, a working day.
    due = top_up_deadline(date(2027, 2, 2), timedelta(days=30), calendar=cal)
    assert due == datetime(2027, 3, 5, 0, 0, tzinfo=CITY_TZ)
    assert due - timedelta(microseconds=1) < datetime(2027, 3, 5, tzinfo=CITY_TZ)  # 23:59:59 of day 30 is in time
    assert top_up_deadline(date(2027, 2, 3), timedelta(days=30), calendar=cal) == datetime(2027, 3, 6, tzinfo=CITY_TZ)


def test_a_top_up_whose_30th_day_is_a_rest_day_is_due_at_the_end_of_the_next_working_day() -> None:
    """民法典 Art. 203 para. 1: the owner must pay by then, so a rest day moves the last day on."""
    cal = WorkingCalendar(holidays=[date(2027, 4, 5)], published_years=[2027])
    # Notice on Friday 5 March 2027: day 30 is Sunday 4 April, then 清明 on Monday 5 April: Tuesday's 24:00.
    assert top_up_deadline(date(2027, 3, 5), timedelta(days=30), calendar=cal) == datetime(2027, 4, 7, tzinfo=CITY_TZ)
    # A 调休 Saturday is a working day: the deadline stays on it.
    makeup = WorkingCalendar(makeup_workdays=[date(2027, 4, 3)], published_years=[2027])
    assert top_up_deadline(date(2027, 3, 4), timedelta(days=30), calendar=makeup) == datetime(2027, 4, 4, tzinfo=CITY_TZ)


def test_a_household_that_paid_a_first_share_but_is_not_in_the_settlement_is_refunded_to_the_fen() -> None:
    # The first payment debited c; the settlement's shares (the notice's) leave c out: c gets its 10 fen
    # back, so what the case debits in all is the settlement, not the settlement plus c's first share.
    paid = {"a": 30, "b": 20, "c": 10}
    settled = {"a": 60, "b": 40}
    final = balance_shares(settled, paid)
    assert final == {"a": 30, "b": 20, "c": -10}
    assert sum(paid.values()) + sum(final.values()) == sum(settled.values())
