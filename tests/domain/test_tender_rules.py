"""Tender and handover rules at their statutory edges: 20 and 15 days, ranking ties, eligibility, periods."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from domain.calendar import WorkingCalendar, party_deadline
from domain.handover import add_months, exit_deadline, notice_period
from domain.rules import TENDER_DEMO
from domain.tasks import DecisionRefused
from domain.tender import (
    Bid,
    ExitReason,
    Method,
    OutgoingTerms,
    ScoreData,
    Selection,
    bidder_refusal,
    check_bid_deadline,
    check_scores,
    deadline_after_clarification,
    grade_encouraged,
    rank_bids,
)

T0 = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)


def test_bid_deadline_counts_whole_city_calendar_days() -> None:
    # T0 is 17:00 in the city on 4 January: any hour of 24 January is day 20, 23 January is day 19.
    check_bid_deadline(T0, T0 + timedelta(days=20))
    check_bid_deadline(T0, datetime(2027, 1, 23, 16, 0, tzinfo=UTC))  # 24 January 00:00 city time
    with pytest.raises(DecisionRefused):
        check_bid_deadline(T0, datetime(2027, 1, 23, 15, 59, tzinfo=UTC))  # 23 January 23:59 city time
    with pytest.raises(DecisionRefused):
        check_bid_deadline(T0, T0 + timedelta(days=19))


def test_demo_bid_period_of_minutes_counts_the_exact_duration() -> None:
    check_bid_deadline(T0, T0 + timedelta(minutes=5), TENDER_DEMO)
    with pytest.raises(DecisionRefused):
        check_bid_deadline(T0, T0 + timedelta(minutes=5) - timedelta(seconds=1), TENDER_DEMO)


def test_clarification_15_days_before_keeps_the_deadline_later_moves_it() -> None:
    deadline = T0 + timedelta(days=30)
    assert deadline_after_clarification(deadline, deadline - timedelta(days=15)) == deadline
    late = deadline - timedelta(days=10)
    assert deadline_after_clarification(deadline, late) == late + timedelta(days=15)


def bids() -> list[Bid]:
    return [
        Bid(company_id="a", company_name="A", credit_grade="A", price_fen_per_m2=120, registered_at=T0),
        Bid(company_id="b", company_name="B", credit_grade="AA", price_fen_per_m2=110, registered_at=T0 + timedelta(hours=1)),
        Bid(company_id="c", company_name="C", credit_grade="AAA", price_fen_per_m2=110, registered_at=T0 + timedelta(hours=2)),
    ]


def test_comprehensive_ranking_ties_go_to_the_lower_price_then_the_earlier_bid() -> None:
    scores = [{"a": 80, "b": 80, "c": 80}, {"a": 90, "b": 90, "c": 90}]
    assert [r.company_id for r in rank_bids(Method.COMPREHENSIVE, bids(), scores)] == ["b", "c", "a"]
    scores = [{"a": 95, "b": 80, "c": 81}]
    ranked = rank_bids(Method.COMPREHENSIVE, bids(), scores)
    assert [(r.rank, r.company_id) for r in ranked] == [(1, "a"), (2, "c"), (3, "b")]


def test_lowest_price_ranks_qualified_bids_by_price() -> None:
    scores = [{"a": 70, "b": 59, "c": 60}]
    ranked = rank_bids(Method.LOWEST_PRICE, bids(), scores)
    assert [(r.company_id, r.qualified) for r in ranked] == [("c", True), ("a", True), ("b", False)]
    with pytest.raises(ValueError):
        rank_bids(Method.LOWEST_PRICE, bids(), [])


def test_scores_cover_exactly_the_bidders_within_range() -> None:
    check_scores(ScoreData(scores={"a": 0, "b": 100}), ["a", "b"])
    for bad in ({"a": 90}, {"a": 90, "b": 90, "x": 90}, {"a": 101, "b": 90}, {"a": -1, "b": 90}):
        with pytest.raises(DecisionRefused):
            check_scores(ScoreData(scores=bad), ["a", "b"])


@pytest.mark.parametrize(("facts", "refused"), [
    ({"exists": False}, "not a property service company"),
    ({"business_licence": None}, "business registration"),
    ({"blacklisted": True}, "blacklist"),
    # The grade is no bar, on a resettlement estate neither (附件3 item 8(2) encourages, it does not exclude).
    ({"credit_grade": "B"}, None),
    ({"credit_grade": None}, None),
    ({"credit_grade": "C"}, None),
])
def test_bidder_eligibility(facts: dict, refused: str | None) -> None:
    args = {"exists": True, "blacklisted": False, "business_licence": "9137", "credit_grade": "AA", **facts}
    reason = bidder_refusal(**args)
    assert (reason is None) if refused is None else (refused in (reason or ""))


@pytest.mark.parametrize(("grade", "resettlement", "selection", "encouraged"), [
    ("A", True, Selection.FIRST, True),      # exactly the encouraged grade
    ("AAA", True, Selection.FIRST, True),
    ("B", True, Selection.FIRST, False),     # one grade below: shown, not refused
    (None, True, Selection.FIRST, False),    # no grade on record
    ("B", True, Selection.RESELECTION, None),  # the owners' re-selection: the encouragement does not apply
    ("B", False, Selection.FIRST, None),       # not a resettlement estate
])
def test_grade_a_is_encouraged_for_a_resettlement_estates_first_company(
    grade: str | None, resettlement: bool, selection: Selection, encouraged: bool | None,
) -> None:
    assert grade_encouraged(grade, resettlement=resettlement, selection=selection) is encouraged


def day_end(day: int, month: int = 1, year: int = 2027) -> datetime:
    """24:00 city time of a day (00:00 of the next, 16:00 UTC of the day itself)."""
    return datetime(year, month, day, 16, 0, tzinfo=UTC)


def test_notice_periods_follow_who_ends_the_contract() -> None:
    """民法典 Art. 946: the owners dismiss → 60 days' written notice unless the contract says otherwise;
    Art. 947: the company declines to renew → 90 days (unless agreed); the owners decide not to renew → none."""
    assert notice_period(ExitReason.DISMISSAL) == timedelta(days=60)
    assert notice_period(ExitReason.DISMISSAL, agreed_notice_days=30) == timedelta(days=30)
    assert notice_period(ExitReason.COMPANY_DECLINES) == timedelta(days=90)
    assert notice_period(ExitReason.COMPANY_DECLINES, agreed_notice_days=120) == timedelta(days=120)
    assert notice_period(ExitReason.NON_RENEWAL) == timedelta(0)
    assert notice_period(None) == timedelta(0)


def test_exit_deadline_is_the_30th_day_after_the_contracts_last_day_at_2400() -> None:
    # T0 is 17:00 on 4 January in the city: days count from 5 January and end at 24:00 (民法典 Arts. 201, 203).
    assert exit_deadline(T0, ExitReason.DISMISSAL) == (day_end(5, 3), day_end(4, 4))  # days 60 and 90: 5 March, 4 April
    assert exit_deadline(T0, ExitReason.DISMISSAL, agreed_notice_days=30)[0] == day_end(3, 2)
    assert exit_deadline(T0, ExitReason.COMPANY_DECLINES, agreed_exit_days=10) == (day_end(4, 4), day_end(14, 4))  # days 90, 100
    # The owners' non-renewal owes no notice: the contract ends at the end of its term (潍坊 Art. 50: exit within 30 days of it).
    ends, exit_by = exit_deadline(T0, ExitReason.NON_RENEWAL, contract_ends_on=date(2027, 3, 31))
    assert (ends, exit_by) == (day_end(31, 3), day_end(30, 4))
    assert exit_by - timedelta(microseconds=1) < day_end(30, 4) < day_end(1, 5)  # the 30th day's 24:00, not a day more
    # No end of term stated: the term is over when the owners notify; the exit period alone counts.
    assert exit_deadline(T0, ExitReason.NON_RENEWAL) == (T0, day_end(3, 2))  # day 30: 3 February
    # The developer hands over at once; the exit period alone counts.
    assert exit_deadline(T0, None) == (T0, day_end(3, 2))


def test_the_outgoing_companys_last_day_on_a_rest_day_moves_to_the_next_working_day() -> None:
    """民法典 Art. 203 para. 1: the exit deadline is the outgoing company's to meet."""
    _, exit_by = exit_deadline(T0, ExitReason.DISMISSAL)  # 24:00 of Sunday 4 April 2027
    qingming = WorkingCalendar(holidays=[date(2027, 4, 5)], published_years=[2027])
    assert party_deadline(exit_by, calendar=qingming) == day_end(6, 4)  # Sunday, then the holiday: Tuesday's 24:00
    assert party_deadline(exit_by, calendar=WorkingCalendar(published_years=[2027])) == day_end(5, 4)
    friday = exit_deadline(T0, ExitReason.DISMISSAL, agreed_exit_days=28)[1]
    assert friday == day_end(2, 4) and party_deadline(friday, calendar=qingming) == friday


def test_exit_terms_refuse_what_the_reason_does_not_have() -> None:
    with pytest.raises(ValueError, match="contract_ends_on"):
        OutgoingTerms(reason=ExitReason.DISMISSAL, contract_ends_on=date(2027, 3, 31))
    with pytest.raises(ValueError, match="agreed_notice_days"):
        OutgoingTerms(reason=ExitReason.NON_RENEWAL, agreed_notice_days=30)
    OutgoingTerms(reason=ExitReason.COMPANY_DECLINES, agreed_notice_days=120, contract_ends_on=date(2027, 3, 31))


def test_six_months_of_emergency_service_end_on_the_same_day_or_the_months_last() -> None:
    assert add_months(datetime(2027, 1, 15, 2, 0, tzinfo=UTC), 6) == datetime(2027, 7, 15, 2, 0, tzinfo=UTC)
    # 31 August (city time) + 6 months = the last day of February.
    end = add_months(datetime(2027, 8, 31, 2, 0, tzinfo=UTC), 6)
    assert end == datetime(2028, 2, 29, 2, 0, tzinfo=UTC)
