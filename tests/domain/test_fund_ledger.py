"""The ledger's decisions: who is short, what is owed after settlement, when a top-up falls due."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from domain.fund_ledger import balance_shares, find_shortfalls, shares_for, top_up_due

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
