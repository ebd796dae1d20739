"""The dual-majority tally at the statute's own edges (民法典 Art. 278): exactly 2/3, exactly half."""

from __future__ import annotations

import pytest

from domain.tally import CandidateEntry, CastBallot, Outcome, Voter, at_least, more_than, tally_dual_majority

M2 = 100  # one square metre in hundredths


def roll(areas: list[int], owners: list[str] | None = None) -> list[Voter]:
    return [Voter(household_id=f"h{i:03d}", owner_key=(owners[i] if owners else f"o{i:03d}"), area_hundredths=a)
            for i, a in enumerate(areas)]


def cands(n: int, party: int = 0) -> list[CandidateEntry]:
    return [CandidateEntry(id=f"c{i}", name=f"候选人{i}", party_member=i <= party, order=i) for i in range(1, n + 1)]


def ballots(voters: list[Voter], choices: dict[str, list[str]]) -> list[CastBallot]:
    return [CastBallot(household_id=v.household_id, choices=choices.get(v.household_id, [])) for v in voters if v.household_id in choices]


def test_fraction_helpers_are_exact() -> None:
    assert at_least(2, 3, 2, 3) and not at_least(1999, 3000, 2, 3)
    assert not more_than(1, 2, 1, 2) and more_than(51, 100, 1, 2)


def test_participation_of_exactly_two_thirds_of_the_area_passes_one_square_metre_less_fails() -> None:
    # Three owners, 300 m² in all: two of them take part with exactly 200 m² (= 2/3).
    voters = roll([100 * M2, 100 * M2, 100 * M2])
    votes = {"h000": ["c1"], "h001": ["c1"]}
    exact = tally_dual_majority(voters, ballots(voters, votes), cands(1), seats=1)
    assert exact.participating_area_hundredths * 3 == exact.total_area_hundredths * 2
    assert exact.quorum_area and exact.quorum_headcount and exact.outcome == Outcome.ELECTED
    # Same total, but the two who take part hold one square metre less (199 m²).
    voters = roll([100 * M2, 99 * M2, 101 * M2])
    less = tally_dual_majority(voters, ballots(voters, votes), cands(1), seats=1)
    assert less.participating_area_hundredths == 199 * M2 and less.total_area_hundredths == 300 * M2
    assert not less.quorum_area and less.quorum_headcount
    assert less.outcome == Outcome.QUORUM_NOT_MET and less.elected == [] and not less.candidates[0].elected


def test_headcount_quorum_of_exactly_two_thirds_passes_and_just_below_fails() -> None:
    voters = roll([M2] * 6)
    votes = {f"h00{i}": ["c1"] for i in range(4)}  # 4 of 6 = 2/3
    assert tally_dual_majority(voters, ballots(voters, votes), cands(1), seats=1).quorum_headcount
    voters = roll([M2] * 7)  # 4 of 7 < 2/3
    assert not tally_dual_majority(voters, ballots(voters, votes), cands(1), seats=1).quorum_headcount


def test_a_candidate_with_exactly_half_fails_half_plus_one_vote_passes() -> None:
    voters = roll([M2] * 10)
    everyone = {f"h{i:03d}": [] for i in range(10)}
    half = {**everyone, **{f"h{i:03d}": ["c1"] for i in range(5)}}
    result = tally_dual_majority(voters, ballots(voters, half), cands(1), seats=1)
    c1 = result.candidates[0]
    assert (c1.area_hundredths, c1.headcount) == (5 * M2, 5) and not c1.majority
    assert result.outcome == Outcome.TOO_FEW_ELECTED and result.elected == []
    plus_one = {**everyone, **{f"h{i:03d}": ["c1"] for i in range(6)}}
    result = tally_dual_majority(voters, ballots(voters, plus_one), cands(1), seats=1)
    assert result.candidates[0].majority and result.elected == ["c1"]


def test_area_majority_alone_is_not_enough() -> None:
    # One large owner supports c1: more than half of the area, but only 1 of 3 owners.
    voters = roll([300 * M2, 50 * M2, 50 * M2])
    result = tally_dual_majority(voters, ballots(voters, {"h000": ["c1"], "h001": [], "h002": []}), cands(1), seats=1)
    c1 = result.candidates[0]
    assert c1.area_hundredths * 2 > result.participating_area_hundredths and not c1.majority


def test_an_owner_of_several_units_counts_once_with_the_summed_area() -> None:
    voters = roll([80 * M2, 90 * M2, 100 * M2], owners=["zhang", "zhang", "li"])
    result = tally_dual_majority(voters, ballots(voters, {"h000": ["c1"], "h001": ["c1"], "h002": []}), cands(1), seats=1)
    assert result.total_headcount == 2 and result.participating_headcount == 2
    c1 = result.candidates[0]
    assert c1.area_hundredths == 170 * M2 and c1.headcount == 1 and not c1.majority  # exactly half the heads


def test_an_owner_whose_units_disagree_does_not_count_in_the_candidates_headcount() -> None:
    voters = roll([80 * M2, 90 * M2], owners=["zhang", "zhang"])
    result = tally_dual_majority(voters, ballots(voters, {"h000": ["c1"], "h001": []}), cands(1), seats=1)
    assert result.candidates[0].area_hundredths == 80 * M2 and result.candidates[0].headcount == 0


def test_seats_go_by_area_then_headcount_then_nomination_order() -> None:
    voters = roll([M2] * 5)
    votes = {
        "h000": ["c1", "c2", "c3"], "h001": ["c1", "c2", "c3"], "h002": ["c1", "c2", "c3"],
        "h003": ["c2", "c3"], "h004": ["c3", "c2"],
    }
    result = tally_dual_majority(voters, ballots(voters, votes), cands(3), seats=1)
    # c2 and c3 tie on area and headcount: the earlier nomination (c2) takes the seat.
    assert [c.rank for c in result.candidates] == [3, 1, 2]
    assert result.elected == ["c2"] and "nomination order" in result.tie_rule


def test_party_members_among_the_elected_are_counted() -> None:
    voters = roll([M2] * 3)
    result = tally_dual_majority(voters, ballots(voters, {h.household_id: ["c1", "c2", "c3"] for h in voters}), cands(3, party=2), seats=3)
    assert result.party_members_elected == 2 and result.outcome == Outcome.ELECTED


def test_a_ballot_off_the_roll_or_twice_for_a_unit_is_an_error() -> None:
    voters = roll([M2])
    with pytest.raises(ValueError):
        tally_dual_majority(voters, [CastBallot(household_id="nope")], cands(1), seats=1)
    with pytest.raises(ValueError):
        tally_dual_majority(voters, [CastBallot(household_id="h000"), CastBallot(household_id="h000")], cands(1), seats=1)


def test_the_digest_does_not_depend_on_ballot_order() -> None:
    voters = roll([M2] * 3)
    b = ballots(voters, {"h000": ["c1"], "h001": ["c1"], "h002": []})
    assert tally_dual_majority(voters, b, cands(1), 1).ballots_digest == tally_dual_majority(voters, b[::-1], cands(1), 1).ballots_digest
