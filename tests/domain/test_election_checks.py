"""Election checks at the statute's edges: group of 6 vs 7, even committees, eligibility, proxies, periods."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.calendar import CITY_TZ, period_end
from domain.election import Candidate, ElectionStart, GroupData, NominationChannel, ReviewData
from domain.election_ballots import BallotLine, check_ballot_lines
from domain.election_checks import (
    CandidateFacts,
    check_group,
    check_review,
    eligibility_findings,
    first_assembly_due,
    reelection_vote_by,
    seat_errors,
    term_end,
)
from domain.rules import ELECTION
from domain.tasks import DecisionRefused


def group(size: int, owners: int, leader_role: str = "street_rep", seats: int = 5) -> GroupData:
    members = [{"name": "街道代表", "role": leader_role, "leader": True}]
    members += [{"name": f"业主{i}", "role": "owner", "household_id": f"h{i}"} for i in range(owners)]
    members += [{"name": f"社区{i}", "role": "residents_committee"} for i in range(size - len(members))]
    return GroupData.model_validate({"members": members, "seats": seats})


def test_a_group_of_seven_with_owners_at_half_is_valid_six_is_refused() -> None:
    check_group(group(7, owners=4))
    with pytest.raises(DecisionRefused) as exc:
        check_group(group(6, owners=3))
    msgs = " ".join(e["msg"] for e in exc.value.errors)
    assert "at least 7" in msgs and "odd" in msgs


def test_owners_below_half_and_a_leader_not_from_the_street_are_refused() -> None:
    with pytest.raises(DecisionRefused, match="group"):
        check_group(group(7, owners=3))
    with pytest.raises(DecisionRefused) as exc:
        check_group(group(7, owners=4, leader_role="developer"))
    assert any("leader" in e["msg"] for e in exc.value.errors)


@pytest.mark.parametrize(("seats", "ok"), [(4, False), (5, True), (6, False), (9, True), (11, True), (12, False), (13, False)])
def test_the_committee_has_five_to_eleven_members_an_odd_number(seats: int, ok: bool) -> None:
    assert (seat_errors(seats) == []) is ok
    if not ok:
        with pytest.raises(DecisionRefused):
            check_group(group(7, owners=4, seats=seats))


@pytest.mark.parametrize(("years", "ok"), [(None, True), (5, True), (6, False), (1, True)])
def test_the_term_is_at_most_the_rules_maximum_and_their_default_when_absent(years: int | None, ok: bool) -> None:
    """潍坊 Art. 38: 每届任期不超过五年; the bound and the default are the case's rules, not the data model's."""
    data = group(7, owners=4).model_copy(update={"term_years": years})
    if ok:
        check_group(data)
    else:
        with pytest.raises(DecisionRefused) as exc:
            check_group(data)
        assert exc.value.errors[0]["loc"] == ["data", "term_years"]
    # A case that started under a 3-year maximum refuses 4 years, whatever today's rules say.
    with pytest.raises(DecisionRefused):
        check_group(group(7, owners=4).model_copy(update={"term_years": 4}), ELECTION.model_copy(update={"term_years_max": 3}))
    assert group(7, owners=4).term_years is None
    assert ELECTION.term_years_default == ELECTION.term_years_max == 5


def candidate(cid: str = "c1", party: bool = False, findings: list[str] | None = None) -> Candidate:
    return Candidate(id=cid, order=int(cid[1:]), household_id=f"h{cid}", name=f"张{cid}", party_member=party,
                     channel=NominationChannel.SELF, nominated_by="o", nominated_by_name="o", findings=findings or [])


def test_eligibility_names_every_reason_the_candidate_reads() -> None:
    c = candidate()
    assert eligibility_findings(c, CandidateFacts(candidate_id="c1", in_estate=True, registered_owner="张c1")) == []
    reasons = eligibility_findings(c, CandidateFacts(candidate_id="c1", in_estate=True, registered_owner="李四",
                                                     fee_arrears_fen=12_345, top_up_overdue=True))
    assert len(reasons) == 3 and "李四" in reasons[0] and "123.45" in reasons[1] and "续交" in reasons[2]
    assert eligibility_findings(c, CandidateFacts(candidate_id="c1", in_estate=False)) == ["该房屋不在本小区业主名册中"]


def test_an_institutional_owner_stands_through_the_natural_person_it_authorised() -> None:
    """潍坊 Art. 34 para. 3: 单位业主授权的自然人代表. The register names the institution, the ballot its representative."""
    c = candidate()  # named 张c1
    institution = CandidateFacts(candidate_id="c1", in_estate=True, registered_owner="青州市某某有限公司", natural_person=False)
    assert eligibility_findings(c, institution) == ["非自然人业主，须由单位业主授权的自然人代表参选，未登记授权"]
    authorised = institution.model_copy(update={"representative_name": "张c1", "authorisation_ref": "授权委托书〔2026〕3号"})
    assert eligibility_findings(c, authorised) == []
    # Someone else than the authorised person, or a name without the authorisation's reference, cannot stand.
    other = authorised.model_copy(update={"representative_name": "王五"})
    assert eligibility_findings(c, other) == ["单位业主授权代表为“王五”，与被推荐人姓名不符"]
    assert eligibility_findings(c, authorised.model_copy(update={"authorisation_ref": None}))[0].startswith("非自然人业主")
    # The institution's other duties still apply to its representative.
    assert len(eligibility_findings(c, authorised.model_copy(update={"fee_arrears_fen": 1}))) == 1


def test_review_requires_rejecting_failed_checks_enough_candidates_and_a_party_justification() -> None:
    cands = [candidate(f"c{i}", party=i <= 3) for i in range(1, 6)] + [candidate("c6", findings=["欠缴物业费"])]
    with pytest.raises(DecisionRefused, match="not valid"):
        check_review(cands, ReviewData(), seats=5)
    check_review(cands, ReviewData.model_validate({"rejections": [{"candidate_id": "c6", "reason": "欠缴物业费"}]}), seats=5)
    with pytest.raises(DecisionRefused, match="qualified"):
        check_review(cands, ReviewData.model_validate({"rejections": [
            {"candidate_id": "c6", "reason": "欠缴物业费"}, {"candidate_id": "c5", "reason": "不符合条件"}]}), seats=5)
    few_party = [candidate(f"c{i}", party=i == 1) for i in range(1, 6)]
    with pytest.raises(DecisionRefused, match="Party"):
        check_review(few_party, ReviewData(), seats=5)
    check_review(few_party, ReviewData(party_member_justification="本小区党员业主较少，已动员仍不足"), seats=5)


def test_first_assembly_is_due_by_area_owners_or_two_years_with_a_quarter() -> None:
    def start(area: int, owners: int, months: int) -> ElectionStart:
        return ElectionStart(estate_id="e", kind="first", delivered_area_percent=area, delivered_owners_percent=owners,
                             months_since_first_delivery=months)

    assert first_assembly_due(start(50, 10, 1)) and first_assembly_due(start(10, 50, 1))
    assert not first_assembly_due(start(49, 49, 23))
    assert first_assembly_due(start(10, 25, 24)) and not first_assembly_due(start(10, 24, 30))


def test_ballot_lines_one_vote_per_unit_valid_choices_and_at_most_three_proxies() -> None:
    roll = {f"h{i}": f"o{i}" for i in range(6)}
    lines = [BallotLine(household_id=f"h{i}", choices=["c1"], proxy_owner_key="o0") for i in range(1, 5)]
    errors = check_ballot_lines(lines, roll=roll, owner_keys={"o0"}, candidates={"c1", "c2"}, seats=1, recorded=set(), proxies={})
    assert [(e.line, e.code) for e in errors] == [(3, "proxy_limit")]
    errors = check_ballot_lines(
        [BallotLine(household_id="h1", choices=["c1", "c1"]), BallotLine(household_id="h1"), BallotLine(household_id="h2"),
         BallotLine(household_id="zz"), BallotLine(household_id="h3", choices=["c9", "c1", "c2"])],
        roll=roll, owner_keys=set(), candidates={"c1", "c2"}, seats=1, recorded={"h2"}, proxies={},
    )
    assert [(e.line, e.code, e.conflict) for e in errors] == [
        (0, "repeated_choice", False), (1, "twice_in_batch", True), (2, "already_voted", True), (3, "not_on_roll", False),
        (4, "unknown_candidate", False), (4, "too_many_choices", False),
    ]


def test_periods_end_at_midnight_of_the_last_day_and_terms_last_whole_years() -> None:
    start = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)  # 11:00 in Qingzhou
    assert period_end(start, timedelta(days=15)) == datetime(2026, 3, 17, 16, 0, tzinfo=UTC)  # 24:00 on 17 March, city time
    assert period_end(start, timedelta(minutes=3)) == start + timedelta(minutes=3)
    assert term_end(datetime(2028, 2, 29, tzinfo=UTC), 5) == datetime(2033, 2, 28, tzinfo=UTC)


@pytest.mark.parametrize(("term_end", "vote_by"), [
    # A term whose last day is 30 Nov 2031: the 90 days before it keep free, so the vote closes by 24:00 of 1 Sep.
    (datetime(2031, 11, 30, 12, tzinfo=CITY_TZ), datetime(2031, 9, 2, tzinfo=CITY_TZ)),
    # A term that ends at 24:00 of 30 Nov (00:00 of 1 Dec) has the same last day.
    (datetime(2031, 12, 1, tzinfo=CITY_TZ), datetime(2031, 9, 2, tzinfo=CITY_TZ)),
    # One instant later its last day is 1 Dec, and the date one day later.
    (datetime(2031, 12, 1, 0, 0, 0, 1000, tzinfo=CITY_TZ), datetime(2031, 9, 3, tzinfo=CITY_TZ)),
    # Counted backwards the date is never moved off a rest day (Sat 30 Aug 2031): a later one would leave fewer than 90 days.
    (datetime(2031, 11, 28, 9, tzinfo=CITY_TZ), datetime(2031, 8, 31, tzinfo=CITY_TZ)),
])
def test_a_re_elections_vote_closes_by_ninety_days_before_the_term_ends(term_end: datetime, vote_by: datetime) -> None:
    """潍坊 Art. 40 (任期届满九十日前), counted back from the term's last day."""
    assert reelection_vote_by(term_end) == vote_by
    assert reelection_vote_by(term_end).tzinfo is not None


def test_the_re_election_starts_early_enough_for_the_periods_nobody_can_shorten() -> None:
    """150 days before the term ends: 60 before the statutory date, for 36 days of fixed periods, the review and the organisers."""
    r = ELECTION
    fixed = r.nomination_period + r.candidate_notice_period + r.voting_period
    assert fixed == timedelta(days=36)
    review = timedelta(days=7)  # 5 working days in an ordinary week
    organisers = r.reelection_start_lead - r.reelection_lead - fixed - review
    assert organisers == timedelta(days=17) and organisers > timedelta(0)
